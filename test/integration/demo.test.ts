/**
 * Demo data on a fresh database (loaded once for the file): every status a
 * staff member can meet, enough contacts and programs to try the screens, and
 * data the app itself would have written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../main/rules/calendar';
import { STATUSES } from '../../main/rules/statuses';
import { SYSTEM } from '../../main/services/context';
import { loadDemoData, type DemoResult } from '../../main/services/demo';
import type { RecordRow } from '../../main/domain/rows';
import type { HistoryRow } from '../../main/domain/rows';
import { runSweep } from '../../main/services/sweep';
import { trackingCounts } from '../../main/services/tracking';
import { countRows, freshDb, snapshot, type TestDb } from './support';

const TODAY = '2026-03-10';
const N = 30;

let t: TestDb;
let result: DemoResult;
let records: RecordRow[];

beforeAll(async () => {
  t = await freshDb({ expiringDays: N });
  result = await loadDemoData(t.ctx, SYSTEM);
  records = (await t.db('records').orderBy('id')) as RecordRow[];
});
afterAll(async () => {
  await t.dispose();
});

describe('demo data on a fresh database', () => {
  it('holds all ten statuses, by their exact names, and no other', async () => {
    const present = new Set(records.map((r) => r.status));
    expect([...present].sort()).toEqual([...STATUSES].sort());
    const counts = await trackingCounts(t.db);
    for (const status of STATUSES) expect(counts.byStatus[status], status).toBeGreaterThan(0);
    expect(counts.all).toBe(records.length);
    expect(result.records).toBe(records.length);
    expect(result.byStatus).toEqual(Object.fromEntries(Object.entries(counts.byStatus).filter(([, n]) => n > 0)));
  });

  it('has at least 300 contacts, six programs, and contacts enrolled nowhere', async () => {
    const counts = await countRows(t.db);
    expect(counts.contacts).toBeGreaterThanOrEqual(300);
    expect(counts.programs).toBe(6);
    const unenrolled = (await t.db('contacts as c').leftJoin('records as r', 'r.contact_id', 'c.id').whereNull('r.id').select('c.id')) as unknown[];
    expect(unenrolled.length).toBeGreaterThanOrEqual(1);
    const byProgram = (await trackingCounts(t.db)).byProgram;
    expect(byProgram).toHaveLength(6);
    expect(byProgram.every((p) => p.count > 0)).toBe(true);
  });

  it('has Expiring records within n days, each with exactly one queued email for its date', async () => {
    const expiring = records.filter((r) => r.status === 'Expiring');
    expect(expiring.length).toBeGreaterThan(0);
    const horizon = addDays(TODAY, N);
    for (const r of expiring) {
      expect(r.expires_on, `record ${r.id}`).not.toBeNull();
      expect(r.expires_on! >= TODAY && r.expires_on! <= horizon, `record ${r.id} expires ${r.expires_on}`).toBe(true);
      const emails = (await t.db('outbox').where({ record_id: r.id, expires_on: r.expires_on })) as unknown[];
      expect(emails, `record ${r.id}`).toHaveLength(1);
    }
    const perKey = (await t.db('outbox').select('record_id', 'expires_on').count({ n: '*' }).groupBy('record_id', 'expires_on')) as Array<{ n: number }>;
    expect(perKey.every((k) => Number(k.n) === 1)).toBe(true);
  });

  it('is consistent with the rules: dates fit each status and a sweep today changes nothing', async () => {
    for (const r of records) {
      if (r.status === 'Expired') expect(r.expires_on! < TODAY, `record ${r.id}`).toBe(true);
      if (r.status === 'Active') expect(r.expires_on === null || r.expires_on > addDays(TODAY, N), `record ${r.id}`).toBe(true);
      if (['Active', 'Expiring', 'Expired'].includes(r.status)) expect(r.completed_on, `record ${r.id}`).not.toBeNull();
      if (r.status === 'Admin Review') expect(r.completed_on !== null && r.expires_on === null, `record ${r.id}`).toBe(true);
      if (r.status === 'Applied') expect(r.started_on, `record ${r.id}`).toBeNull();
      expect(r.required_done).toBeLessThanOrEqual(r.required_total);
    }
    const before = await snapshot(t.db);
    const sweep = await runSweep(t.ctx);
    expect(sweep).toMatchObject({ today: TODAY, changed: 0, emailsQueued: 0 });
    expect(await snapshot(t.db)).toBe(before);
  });

  it('gives every record its history, named, and logs every change with contiguous sequence numbers', async () => {
    const history = (await t.db('record_history').orderBy('id')) as HistoryRow[];
    const withHistory = new Set(history.map((h) => h.record_id));
    expect(records.every((r) => withHistory.has(r.id))).toBe(true);
    expect(history.every((h) => h.actor_name === 'system' && h.actor_id === null)).toBe(true);
    const enrollments = history.filter((h) => h.kind === 'enrollment');
    expect(enrollments).toHaveLength(records.length);
    // The last status in each record's history is its current status.
    const lastTo = new Map<number, string | null>();
    for (const h of history) if (h.to_status !== null) lastTo.set(h.record_id, h.to_status);
    for (const r of records) expect(lastTo.get(r.id), `record ${r.id}`).toBe(r.status);

    const seqs = ((await t.db('change_log').select('seq').orderBy('seq')) as Array<{ seq: number }>).map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const logged = (await t.db('change_log').select('entity').count({ n: '*' }).groupBy('entity')) as Array<{ entity: string; n: number }>;
    const byEntity = Object.fromEntries(logged.map((l) => [l.entity, Number(l.n)]));
    const counts = await countRows(t.db);
    expect(byEntity).toMatchObject({
      contact: counts.contacts,
      program: 6,
      history: counts.record_history,
      outbox: counts.outbox,
      progress: counts.component_progress,
    });
    const integrity = (await t.db.raw('PRAGMA integrity_check')) as Array<{ integrity_check: string }>;
    expect(integrity[0]?.integrity_check).toBe('ok');
  });

  it('goes into an empty database only: a second load is refused and writes nothing', async () => {
    const before = await snapshot(t.db);
    await expect(loadDemoData(t.ctx, SYSTEM)).rejects.toThrow(/empty database only/);
    expect(await snapshot(t.db)).toBe(before);
  });
});

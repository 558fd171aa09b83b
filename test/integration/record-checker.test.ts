/**
 * The record checker (issue 18): contradictions seeded by direct SQL into a real database file
 * (what a crash, an old import or a hand edit could leave — the point of a checker) are found,
 * each under the rule it breaks, and fixed through the rules engine with history and change log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../../main/services/context';
import { checkRecords, fixAll, fixRecords, type CheckResult } from '../../main/services/record-checker';
import { enroll, markAllComplete, overrideExpiration } from '../../main/services/records';
import { freshDb, logSince, makeContact, makeProgram, makeStaff, maxSeq, type TestDb } from './support';

let t: TestDb;
let admin: Actor;
beforeEach(async () => {
  t = await freshDb(); // 2026-03-10 in New York, n = 30
  admin = await makeStaff(t.ctx, 'ria', 'Ria Admin', 'admin');
});
afterEach(async () => t.dispose());

async function record(label: string, program: number, granted?: string): Promise<number> {
  const contact = await makeContact(t.ctx, label);
  const r = await enroll(t.ctx, admin, { contactId: contact.id, programId: program, source: 'back-office' });
  if (granted) {
    await markAllComplete(t.ctx, admin, { id: r.id, reason: 'Completed elsewhere' });
    await overrideExpiration(t.ctx, admin, { id: r.id, expiresOn: granted, reason: 'Set for the test', confirmExpired: true });
  }
  return r.id;
}

const found = (result: CheckResult): Record<string, number[]> =>
  Object.fromEntries(result.rules.filter((r) => r.count > 0).map((r) => [r.id, r.findings.map((f) => f.recordId)]));

const row = (id: number) => t.db('records').where({ id }).first() as Promise<Record<string, unknown>>;

describe('record checker', () => {
  it('finds each seeded contradiction under its rule and fixes it through the engine, with history and change log', async () => {
    const { program, required } = await makeProgram(t.ctx, {}); // three required components, a year after completion
    const { program: simple } = await makeProgram(t.ctx, { components: [], expiration: { kind: 'never' } });
    const fine = await record('Fine', simple.id, '2027-01-31');
    const noCompletion = await record('NoCompletion', simple.id, '2027-01-31');
    const expiredEarly = await record('ExpiredEarly', simple.id, '2027-01-31');
    const pastDate = await record('PastDate', simple.id, '2027-01-31');
    const allDone = await record('AllDone', program.id);
    const emailed = await record('Emailed', simple.id, '2027-01-31');
    const noStart = await record('NoStart', program.id);
    expect(found(await checkRecords(t.ctx))).toEqual({});

    // The contradictions, written straight into the file.
    await t.db('records').where({ id: noCompletion }).update({ completed_on: null });
    await t.db('records').where({ id: expiredEarly }).update({ status: 'Expired' });
    await t.db('records').where({ id: pastDate }).update({ expires_on: '2026-02-01' });
    for (const c of required) {
      await t.db('component_progress').insert({ record_id: allDone, component_id: c.id, cycle: 1, completed_on: '2026-03-02', recorded_at: 'x' });
    }
    await t.db('records').where({ id: allDone }).update({ required_done: required.length });
    await t.db('outbox').insert({
      kind: 'certification-expiring',
      record_id: emailed,
      expires_on: '2027-01-31',
      to_email: 'x@example.org',
      to_name: 'X',
      subject: 'S',
      body: 'B',
      state: 'queued',
      created_at: 'x',
    });
    await t.db('records').where({ id: noStart }).update({ started_on: null });

    const progress: Array<[number, number | null]> = [];
    const result = await checkRecords(t.ctx, { progress: (d, n) => progress.push([d, n ?? null]) });
    expect(found(result)).toEqual({
      'completed-without-date': [noCompletion],
      'expired-before-date': [expiredEarly],
      'valid-after-date': [pastDate],
      'in-progress-all-done': [allDone],
      'email-untrue': [emailed],
      'cycle-without-start': [noStart],
    });
    expect(result.rules.find((r) => r.id === 'expired-before-date')?.rule).toMatch(/Expired only from the next day/);
    expect(progress.at(-1)).toEqual([6, 6]);
    expect(result.records).toBe(7);

    const seq = await maxSeq(t.db);
    expect(await fixRecords(t.ctx, admin, 'completed-without-date', [noCompletion])).toEqual({ fixed: 1 });
    expect(await row(noCompletion)).toMatchObject({ status: 'Active', completed_on: '2026-03-10' });
    expect(await fixRecords(t.ctx, admin, 'expired-before-date', [expiredEarly])).toEqual({ fixed: 1 });
    expect(await row(expiredEarly)).toMatchObject({ status: 'Active' });
    expect(await fixAll(t.ctx, admin, 'valid-after-date')).toEqual({ fixed: 1 });
    expect(await row(pastDate)).toMatchObject({ status: 'Expired' });
    expect(await fixRecords(t.ctx, admin, 'in-progress-all-done', [allDone])).toEqual({ fixed: 1 });
    expect(await row(allDone)).toMatchObject({ status: 'Active', completed_on: '2026-03-02', expires_on: '2027-03-02' });
    expect(await fixRecords(t.ctx, admin, 'email-untrue', [emailed])).toEqual({ fixed: 1 });
    expect(await t.db('outbox').where({ record_id: emailed }).first('state', 'withdrawn_reason')).toEqual({
      state: 'withdrawn',
      withdrawn_reason: 'The record is Active now',
    });
    expect(await fixAll(t.ctx, admin, 'cycle-without-start')).toEqual({ fixed: 1 });
    expect(((await row(noStart)) as { started_on: string }).started_on).toBe('2026-03-10');

    // Nothing is left, the untouched record was never changed, and every fix left history and change-log entries.
    expect(found(await checkRecords(t.ctx))).toEqual({});
    const history = (await t.db('record_history').where('id', '>', 0).whereLike('detail', 'Record checker:%').orderBy('id')) as Array<{
      record_id: number;
      actor_name: string;
      rule: string;
      to_status: string;
    }>;
    expect(history.map((h) => h.record_id)).toEqual([noCompletion, expiredEarly, pastDate, allDone, emailed, noStart]);
    expect(history.every((h) => h.actor_name === 'Ria Admin')).toBe(true);
    expect(history[0]?.rule).toMatch(/^Completion date set to 2026-03-10; /);
    const log = await logSince(t.db, seq);
    const logged = new Set(log.filter((e) => e.entity === 'record').map((e) => e.entity_id));
    expect([...logged].sort((a, b) => a - b)).toEqual([noCompletion, expiredEarly, pastDate, allDone, emailed, noStart].sort((a, b) => a - b));
    expect(log.filter((e) => e.entity === 'history')).toHaveLength(6);
    expect(log.some((e) => e.entity === 'outbox' && (JSON.parse(e.data) as { state: string }).state === 'withdrawn')).toBe(true);
    expect(log.some((e) => e.entity_id === fine && e.entity === 'record')).toBe(false);
  });

  it('fixes only records that still break the rule, and refuses an empty list', async () => {
    const { program: simple } = await makeProgram(t.ctx, { components: [], expiration: { kind: 'never' } });
    const ok = await record('Ok', simple.id, '2027-01-31');
    expect(await fixRecords(t.ctx, admin, 'expired-before-date', [ok])).toEqual({ fixed: 0 });
    await expect(fixRecords(t.ctx, admin, 'expired-before-date', [])).rejects.toThrow(/Name the records/);
  });
});

/**
 * The time rules over many records: changing n (preview = what saving does),
 * n = 0, the office time zone, and the sweep run many times a day across weeks
 * and restarts queuing one "Certification Expiring" email per record and date.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBackend } from '../../main/backend';
import { openDatabase } from '../../main/db/database';
import { addDays, todayIn, type CalendarDate } from '../../main/rules/calendar';
import { ServiceError, type Actor } from '../../main/services/context';
import { previewExpiringDays, setExpiringDays, setTimeZone } from '../../main/services/office-settings';
import { enroll, markAllComplete, overrideExpiration, setNotes, setStatus } from '../../main/services/records';
import type { RecordRow } from '../../main/domain/rows';
import type { HistoryRow } from '../../main/domain/rows';
import { readSettings } from '../../main/services/settings';
import { runSweep, type SweepResult } from '../../main/services/sweep';
import {
  countRows,
  expectLoggedAsStored,
  freshDb,
  renew,
  logSince,
  makeContact,
  makeProgram,
  makeStaff,
  maxSeq,
  snapshot,
  TestClock,
  type TestDb,
} from './support';

const TODAY = '2026-03-10';

let t: TestDb;
let admin: Actor;

beforeEach(async () => {
  t = await freshDb();
  admin = await makeStaff(t.ctx, 'alex', 'Alex Admin', 'admin');
});
afterEach(async () => {
  await t.dispose();
});

/** A granted certification whose expiration date staff set to `expiresOn` (null: never). */
async function granted(expiresOn: CalendarDate | null, label: string): Promise<RecordRow> {
  const { program } = await makeProgram(t.ctx, { components: [], expiration: { kind: 'never' } });
  const contact = await makeContact(t.ctx, label);
  const record = await enroll(t.ctx, admin, { contactId: contact.id, programId: program.id, source: 'back-office' });
  await markAllComplete(t.ctx, admin, { id: record.id, reason: 'Completed elsewhere' });
  if (expiresOn === null) return (await t.db('records').where({ id: record.id }).first()) as RecordRow;
  return overrideExpiration(t.ctx, admin, { id: record.id, expiresOn, reason: 'Set for the test', confirmExpired: true });
}

async function statuses(): Promise<Record<string, string>> {
  const rows = (await t.db('records as r').join('contacts as c', 'c.id', 'r.contact_id').select('c.last_name', 'r.status')) as Array<{
    last_name: string;
    status: string;
  }>;
  return Object.fromEntries(rows.map((r) => [r.last_name, r.status]));
}

async function outboxCount(): Promise<number> {
  return (await countRows(t.db)).outbox;
}

describe('changing n ("Send Certification Expiring Emails n Days Before Expiration")', () => {
  it('the preview shows exactly what saving then does: the same changes and the same emails', async () => {
    await granted(addDays(TODAY, 5), 'D5');
    await granted(addDays(TODAY, 20), 'D20');
    await granted(addDays(TODAY, 45), 'D45');
    await granted(addDays(TODAY, 80), 'D80');
    await granted(addDays(TODAY, 200), 'D200');
    await granted(addDays(TODAY, -3), 'Past');
    await granted(null, 'Never');
    expect(await statuses()).toEqual({ D5: 'Expiring', D20: 'Expiring', D45: 'Active', D80: 'Active', D200: 'Active', Past: 'Expired', Never: 'Active' });
    expect(await outboxCount()).toBe(2);

    const steps: Array<{ n: number; changed: number; emails: number; newRows: number; after: Record<string, string> }> = [
      { n: 60, changed: 1, emails: 1, newRows: 1, after: { D5: 'Expiring', D20: 'Expiring', D45: 'Expiring', D80: 'Active' } },
      // Leaving Expiring withdraws the queued emails of D20 and D45 (SPEC §6), then D5's.
      { n: 10, changed: 2, emails: 0, newRows: 0, after: { D5: 'Expiring', D20: 'Active', D45: 'Active', D80: 'Active' } },
      { n: 0, changed: 1, emails: 0, newRows: 0, after: { D5: 'Active', D20: 'Active', D45: 'Active', D80: 'Active' } },
      // Back on: D5, D20 and D45 have their withdrawn email for these dates queued again (still one row each); D80 gets its first.
      { n: 90, changed: 4, emails: 4, newRows: 1, after: { D5: 'Expiring', D20: 'Expiring', D45: 'Expiring', D80: 'Expiring' } },
      { n: 90, changed: 0, emails: 0, newRows: 0, after: { D5: 'Expiring', D20: 'Expiring', D45: 'Expiring', D80: 'Expiring' } },
    ];
    for (const step of steps) {
      const before = await snapshot(t.db);
      const preview = await previewExpiringDays(t.ctx, admin, step.n);
      expect(await snapshot(t.db), 'the preview writes nothing').toBe(before);

      const counts = await countRows(t.db);
      const saved = await setExpiringDays(t.ctx, admin, step.n);
      const after = await countRows(t.db);

      expect(saved, `n = ${step.n}`).toEqual(preview);
      expect(saved.changed, `n = ${step.n}`).toBe(step.changed);
      expect(saved.emailsQueued, `n = ${step.n}`).toBe(step.emails);
      expect(after.outbox - counts.outbox).toBe(step.newRows);
      expect(after.record_history - counts.record_history).toBe(saved.changed);
      expect((await readSettings(t.db)).expiringDays).toBe(step.n);
      expect(await statuses()).toMatchObject({ ...step.after, D200: 'Active', Past: 'Expired', Never: 'Active' });
    }
    // One email per record and expiration date, whatever n did.
    const perKey = (await t.db('outbox').select('record_id', 'expires_on').count({ n: '*' }).groupBy('record_id', 'expires_on')) as Array<{ n: number }>;
    expect(perKey).toHaveLength(4);
    expect(perKey.every((r) => Number(r.n) === 1)).toBe(true);
  });

  it('n = 0 turns Expiring back to Active and queues nothing, while a passed date still expires', async () => {
    await granted(addDays(TODAY, 1), 'Tomorrow');
    await granted(TODAY, 'Today');
    await granted(addDays(TODAY, -1), 'Yesterday');
    expect(await statuses()).toEqual({ Tomorrow: 'Expiring', Today: 'Expiring', Yesterday: 'Expired' });
    const emails = await outboxCount();

    const result = await setExpiringDays(t.ctx, admin, 0);
    expect(result.byTransition).toEqual({ 'Expiring → Active': 2 });
    expect(await statuses()).toEqual({ Tomorrow: 'Active', Today: 'Active', Yesterday: 'Expired' });
    const rules = (await t.db('record_history').where({ to_status: 'Active', from_status: 'Expiring' }).orderBy('id').select('rule')) as Array<{
      rule: string;
    }>;
    expect(rules.map((r) => r.rule)).toEqual(['Valid through 2026-03-11; Expiring is off (n = 0)', 'Valid through 2026-03-10; Expiring is off (n = 0)']);

    // Days pass with n = 0: no Expiring, no email; Expired the day after the date.
    for (const day of ['2026-03-11', '2026-03-12']) {
      t.clock.setDay(day);
      await runSweep(t.ctx);
      await runSweep(t.ctx);
    }
    expect(await statuses()).toEqual({ Tomorrow: 'Expired', Today: 'Expired', Yesterday: 'Expired' });
    expect(await outboxCount()).toBe(emails);
    const neverExpiring = (await t.db('record_history').where({ to_status: 'Expiring' }).where('on_date', '>', TODAY)) as unknown[];
    expect(neverExpiring).toEqual([]);
  });

  it('refuses an n outside 0–365 or not a whole number, writing nothing', async () => {
    await granted(addDays(TODAY, 40), 'Forty');
    for (const n of [-1, 366, 1.5, Number.NaN]) {
      const before = await snapshot(t.db);
      await expect(setExpiringDays(t.ctx, admin, n)).rejects.toSatisfy((e: unknown) => e instanceof ServiceError && e.code === 'INVALID');
      expect(await snapshot(t.db)).toBe(before);
    }
  });
});

describe('what the sweep hands to the sync export', () => {
  it('logs each moved record, its history entry and its email exactly as stored, field for field and in column order', async () => {
    const soon = await granted(addDays(TODAY, 40), 'Soon');
    const past = await granted(addDays(TODAY, 10), 'Past');
    // Text that JSON must escape, and characters beyond ASCII, survive the log unchanged.
    await setNotes(t.ctx, admin, { id: soon.id, notes: 'Called "twice"\nback\\slash\ttab, Zoë 😀 \u0001' });
    const before = await maxSeq(t.db);

    t.clock.setDay(addDays(TODAY, 20));
    const result = await runSweep(t.ctx);
    expect(result.byTransition).toEqual({ 'Active → Expiring': 1, 'Expiring → Expired': 1 });

    const log = await logSince(t.db, before);
    // Past's queued email is withdrawn as it lapses: it would arrive after the date (SPEC §6).
    expect(log.map((e) => `${e.entity} ${e.op}`)).toEqual([
      'history insert',
      'history insert',
      'record update',
      'record update',
      'outbox insert',
      'outbox update',
    ]);
    const tables: Record<string, string> = { history: 'record_history', record: 'records', outbox: 'outbox' };
    for (const entry of log) await expectLoggedAsStored(t.db, entry, tables[entry.entity] as string);
    const soonLogged = JSON.parse(log.find((e) => e.entity === 'record' && e.entity_id === soon.id)?.data ?? '{}') as RecordRow;
    expect(soonLogged.notes).toBe('Called "twice"\nback\\slash\ttab, Zoë 😀 \u0001');
    expect(soonLogged.status).toBe('Expiring');
    const histories = log.filter((e) => e.entity === 'history').map((e) => JSON.parse(e.data) as HistoryRow);
    const pastHistory = histories.find((h) => h.record_id === past.id);
    expect(pastHistory).toMatchObject({ from_status: 'Expiring', to_status: 'Expired', cycle: past.cycle, on_date: addDays(TODAY, 20) });
  });
});

describe('the office time zone decides what today is', () => {
  it('at 11:00 UTC on March 10 a record valid through March 10 is Expiring in New York and Expired in Kiritimati', async () => {
    t.clock.set('2026-03-10T11:00:00Z');
    await granted('2026-03-10', 'Edge');
    expect(await statuses()).toEqual({ Edge: 'Expiring' });
    expect(todayIn('Pacific/Kiritimati', t.clock.now())).toBe('2026-03-11');

    const result = await setTimeZone(t.ctx, admin, 'Pacific/Kiritimati');
    expect(result).toMatchObject({ today: '2026-03-11', changed: 1, byTransition: { 'Expiring → Expired': 1 } });
    expect(await statuses()).toEqual({ Edge: 'Expired' });
    const last = (await t.db('record_history').orderBy('id', 'desc').first()) as HistoryRow;
    expect(last).toMatchObject({ on_date: '2026-03-11', to_status: 'Expired', actor_name: 'Alex Admin' });

    await expect(setTimeZone(t.ctx, admin, 'Mars/Olympus_Mons')).rejects.toSatisfy((e: unknown) => e instanceof ServiceError && e.code === 'INVALID');
    expect((await readSettings(t.db)).timeZone).toBe('Pacific/Kiritimati');
  });
});

describe('the sweep, many times a day for weeks, across restarts', () => {
  it('queues exactly one "Certification Expiring" email per record and expiration date, never two', async () => {
    const tz = 'Pacific/Kiritimati'; // UTC+14 all year: office midnight is 10:00 UTC the day before
    await setTimeZone(t.ctx, admin, tz);
    const officeTime = (day: CalendarDate, hhmm: string): string => new Date(Date.parse(`${day}T${hhmm}:00Z`) - 14 * 3600_000).toISOString();
    t.clock.set(officeTime(TODAY, '09:00'));

    await granted(addDays(TODAY, 31), 'A31');
    await granted(addDays(TODAY, 35), 'B35');
    await granted(addDays(TODAY, 40), 'C40');
    await granted(addDays(TODAY, 60), 'D60');
    // E: a 10-day certification, Expiring at once; it expires, is renewed and granted again.
    const short = await makeProgram(t.ctx, { components: [], expiration: { kind: 'period', amount: 10, unit: 'days' } });
    const eContact = await makeContact(t.ctx, 'E10');
    const e = await enroll(t.ctx, admin, { contactId: eContact.id, programId: short.program.id, source: 'back-office' });
    expect(await markAllComplete(t.ctx, admin, { id: e.id, reason: 'Done' })).toMatchObject({ status: 'Expiring', expires_on: addDays(TODAY, 10) });
    expect(await statuses()).toEqual({ A31: 'Active', B35: 'Active', C40: 'Active', D60: 'Active', E10: 'Expiring' });
    await t.close();

    const clock = new TestClock(officeTime(TODAY, '09:00'));
    const times = ['00:00', '00:05', '06:30', '12:00', '23:59'];
    const results: SweepResult[] = [];
    for (let d = 0; d <= 45; d++) {
      const day = addDays(TODAY, d);
      clock.set(officeTime(day, times[0] ?? '00:00'));
      // A restart every day: start-up runs the sweep, then four more runs through the day.
      const backend = await startBackend({ dataDir: t.dir, version: 'test', clock });
      try {
        const db = backend.context.services.db;
        for (const time of times.slice(1)) {
          clock.set(officeTime(day, time));
          expect(todayIn(tz, clock.now())).toBe(day);
          const r = await backend.scheduler.sweepNow();
          if (r) results.push(r);
          if (d === 20 && time === '06:30') await setExpiringDays({ db, clock }, admin, 0);
          if (d === 21 && time === '06:30') await setExpiringDays({ db, clock }, admin, 30);
        }
        if (d === 12) {
          expect(await renew({ db, clock }, admin, e.id)).toMatchObject({ status: 'In Progress', cycle: 2 });
          expect(await markAllComplete({ db, clock }, admin, { id: e.id, reason: 'Renewed' })).toMatchObject({
            status: 'Expiring',
            expires_on: addDays(day, 10),
          });
        }
      } finally {
        await backend.close();
      }
    }
    // The start-up run of each day does that day's work; the four later runs find nothing to do.
    expect(results.length).toBe(46 * 4);
    expect(results.filter((r) => r.changed !== 0 || r.emailsQueued !== 0)).toEqual([]);

    const reopened = await openDatabase({ dataDir: t.dir });
    try {
      const emails = (await reopened('outbox as o')
        .join('contacts as c', 'c.email', 'o.to_email')
        .select('c.last_name', 'o.expires_on', 'o.record_id')
        .orderBy('o.id')) as Array<{ last_name: string; expires_on: string }>;
      expect(emails.map((m) => `${m.last_name} ${m.expires_on}`)).toEqual([
        `E10 ${addDays(TODAY, 10)}`,
        `A31 ${addDays(TODAY, 31)}`,
        `B35 ${addDays(TODAY, 35)}`,
        `C40 ${addDays(TODAY, 40)}`,
        `E10 ${addDays(TODAY, 22)}`,
        `D60 ${addDays(TODAY, 60)}`,
      ]);
      const perKey = (await reopened('outbox').select('record_id', 'expires_on').count({ n: '*' }).groupBy('record_id', 'expires_on')) as Array<{
        n: number;
      }>;
      expect(perKey.every((r) => Number(r.n) === 1)).toBe(true);

      const final = (await reopened('records as r').join('contacts as c', 'c.id', 'r.contact_id').select('c.last_name', 'r.status')) as Array<{
        last_name: string;
        status: string;
      }>;
      expect(Object.fromEntries(final.map((r) => [r.last_name, r.status]))).toEqual({
        A31: 'Expired',
        B35: 'Expired',
        C40: 'Expired',
        D60: 'Expiring',
        E10: 'Expired',
      });
      // A31 entered Expiring twice (n switched off and on again) but was emailed once.
      const a31 = (await reopened('record_history as h')
        .join('records as r', 'r.id', 'h.record_id')
        .join('contacts as c', 'c.id', 'r.contact_id')
        .where('c.last_name', 'A31')
        .where('h.to_status', 'Expiring')
        .select('h.on_date', 'h.actor_name')) as Array<{ on_date: string; actor_name: string }>;
      expect(a31.map((h) => h.on_date)).toEqual([addDays(TODAY, 1), addDays(TODAY, 21)]);
      expect(a31.map((h) => h.actor_name)).toEqual(['system', 'Alex Admin']);
      // Expired the day after the expiration date, by the system.
      const expired = (await reopened('record_history as h')
        .join('records as r', 'r.id', 'h.record_id')
        .join('contacts as c', 'c.id', 'r.contact_id')
        .where('h.to_status', 'Expired')
        .select('c.last_name', 'h.on_date', 'h.actor_name')
        .orderBy('h.id')) as Array<{ last_name: string; on_date: string; actor_name: string }>;
      expect(expired.map((h) => `${h.last_name} ${h.on_date} ${h.actor_name}`)).toEqual([
        `E10 ${addDays(TODAY, 11)} system`,
        `E10 ${addDays(TODAY, 23)} system`,
        `A31 ${addDays(TODAY, 32)} system`,
        `B35 ${addDays(TODAY, 36)} system`,
        `C40 ${addDays(TODAY, 41)} system`,
      ]);
    } finally {
      await reopened.destroy();
    }
  });
});

describe('the sweep in passes', () => {
  it('decides each record from its row as it is when its pass comes: staff changes between two passes are never overwritten', async () => {
    const [r1, r2, r3, r4] = [
      await granted(addDays(TODAY, 100), 'R1'),
      await granted(addDays(TODAY, 110), 'R2'),
      await granted(addDays(TODAY, 120), 'R3'),
      await granted(addDays(TODAY, 130), 'R4'),
    ];
    if (!r1 || !r2 || !r3 || !r4) throw new Error('four records');
    expect(await statuses()).toEqual({ R1: 'Active', R2: 'Active', R3: 'Active', R4: 'Active' });
    // 200 days later all four are past their dates; the sweep goes one record per pass.
    const later = addDays(TODAY, 200);
    t.clock.set(`${later}T12:00:00.000Z`);
    const seen: Array<[number, number]> = [];
    const result = await runSweep(
      t.ctx,
      undefined,
      undefined,
      async (done, total) => {
        seen.push([done, total]);
        if (done !== 1) return;
        // Between the first and the second pass: R2 cancelled, R3 extended, R4's notes edited.
        await setStatus(t.ctx, admin, { id: r2.id, to: 'Cancelled', reason: 'Left the profession' });
        await overrideExpiration(t.ctx, admin, { id: r3.id, expiresOn: addDays(TODAY, 400), reason: 'Extension granted' });
        await setNotes(t.ctx, admin, { id: r4.id, notes: 'Called on the phone' });
      },
      1,
    );
    expect(seen).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    expect(await statuses()).toEqual({ R1: 'Expired', R2: 'Cancelled', R3: 'Active', R4: 'Expired' });
    expect(result.changed).toBe(2);
    expect(result.byTransition).toEqual({ 'Active → Expired': 2 });
    const system = (await t
      .db('record_history as h')
      .join('records as r', 'r.id', 'h.record_id')
      .join('contacts as c', 'c.id', 'r.contact_id')
      .where('h.actor_name', 'system')
      .select('c.last_name', 'h.from_status', 'h.to_status', 'h.on_date')
      .orderBy('h.id')) as Array<{ last_name: string; from_status: string; to_status: string; on_date: string }>;
    expect(system.map((h) => `${h.last_name} ${h.from_status} → ${h.to_status} ${h.on_date}`)).toEqual([
      `R1 Active → Expired ${later}`,
      `R4 Active → Expired ${later}`,
    ]);
    // R4 keeps the staff's notes: the pass wrote its status, not the row it might have read before.
    expect(((await t.db('records').where({ id: r4.id }).first()) as RecordRow).notes).toBe('Called on the phone');
    // Each record's last change-log entry is the row as it ends, whoever wrote it last.
    for (const { id } of [r1, r2, r3, r4]) {
      const entry = (await t.db('change_log').where({ entity: 'record', entity_id: id }).orderBy('seq', 'desc').first()) as Parameters<
        typeof expectLoggedAsStored
      >[1];
      await expectLoggedAsStored(t.db, entry, 'records');
    }
  });

  it('after a long absence brings the records entering or leaving Expiring up to date first, then those expiring', async () => {
    // Six certificates that will have lapsed (the lowest ids), one Expiring today that will have lapsed
    // too, and two that will be within n = 30 days.
    for (let i = 1; i <= 6; i++) await granted(addDays(TODAY, 100 + i), `Lapsed${i}`);
    await granted(addDays(TODAY, 10), 'WasExpiring');
    await granted(addDays(TODAY, 210), 'Soon1');
    await granted(addDays(TODAY, 215), 'Soon2');
    t.clock.set(`${addDays(TODAY, 200)}T12:00:00.000Z`);
    const afterFirstPass: Array<Record<string, string>> = [];
    const result = await runSweep(
      t.ctx,
      undefined,
      undefined,
      async (done) => {
        if (done === 3) afterFirstPass.push(await statuses());
      },
      3,
    );
    // After the first pass of three records the Expiring list is final (two in, one out); every other lapsed one is still Active.
    expect(afterFirstPass).toEqual([
      {
        Lapsed1: 'Active',
        Lapsed2: 'Active',
        Lapsed3: 'Active',
        Lapsed4: 'Active',
        Lapsed5: 'Active',
        Lapsed6: 'Active',
        WasExpiring: 'Expired',
        Soon1: 'Expiring',
        Soon2: 'Expiring',
      },
    ]);
    expect(result.byTransition).toEqual({ 'Active → Expiring': 2, 'Expiring → Expired': 1, 'Active → Expired': 6 });
    expect(Object.values(await statuses()).sort()).toEqual([...Array<string>(2).fill('Expiring'), ...Array<string>(7).fill('Expired')].sort());
  });
});

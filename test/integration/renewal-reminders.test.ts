/**
 * Renewal by CE credits and the reminder schedule together (issue 18), on a real SQLite file with a clock
 * the test moves: a reminder is queued once per record and cycle — the sweep many times a day, a change of
 * the office time zone there and back, a renewal that starts the next cycle — the old cycle's reminder is
 * withdrawn when renewal moves the expiration date, and the next cycle gets its own on its day. Feb 29:
 * a cycle that ends on 29 Feb 2028 renews to 28 Feb 2029, and its reminders follow the new date.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newReminder, type Reminder } from '../../main/domain/reminders';
import type { RecordRow } from '../../main/domain/rows';
import type { Actor } from '../../main/services/context';
import { addActivity, addCategory, recordCredits, renewByCredits, setRenewalRequirement } from '../../main/services/credits';
import { setTimeZone } from '../../main/services/office-settings';
import { enroll, markAllComplete, overrideExpiration } from '../../main/services/records';
import { saveReminderSchedule } from '../../main/services/reminder-schedule';
import { runSweep } from '../../main/services/sweep';
import { freshDb, makeContact, makeProgram, makeStaff, type TestDb } from './support';

let t: TestDb;
let staff: Actor;
let programId: number;

const SCHEDULE: Reminder[] = [
  { ...newReminder(90, 'before'), subject: '90 days: {certification} ends {expiration_date}' },
  { ...newReminder(30, 'after'), subject: 'Lapsed: {certification} ended {expiration_date}' },
];

beforeEach(async () => {
  t = await freshDb(); // 2026-03-10 15:00 UTC, New York, n = 30
  staff = await makeStaff(t.ctx, 'ria', 'Ria Staff', 'admin');
  await addCategory(t.ctx, 'Ethics');
  programId = (await makeProgram(t.ctx, { components: [] })).program.id; // one year after completion
  await setRenewalRequirement(t.ctx, {
    programId,
    requirement: { credits: 10, minimums: [{ category: 'Ethics', credits: 2 }], carryOverCap: null, review: false },
  });
  await saveReminderSchedule(t.ctx, programId, SCHEDULE);
});
afterEach(async () => {
  await t.dispose();
});

/** An Active record completed today: its first cycle runs 2026-03-10 – 2027-03-10. */
async function holder(): Promise<RecordRow> {
  const contact = await makeContact(t.ctx);
  const record = await enroll(t.ctx, staff, { contactId: contact.id, programId, source: 'back-office' });
  return markAllComplete(t.ctx, staff, { id: record.id, reason: 'Completed elsewhere' });
}

/** A record's reminder emails as "kind state expires_on cycle", in the order queued. */
async function reminders(recordId: number): Promise<string[]> {
  const rows = (await t.db('outbox').whereNotNull('reminder_offset').where({ record_id: recordId }).orderBy('id')) as Array<{
    kind: string;
    state: string;
    expires_on: string;
    cycle: number;
  }>;
  return rows.map((r) => `${r.kind} ${r.state} ${r.expires_on} c${r.cycle}`);
}

const ethics = (recordId: number, earnedOn: string, credits: number) =>
  addActivity(t.ctx, staff, { recordId, earnedOn, title: 'Ethics seminar', category: 'Ethics', credits, source: 'Chapter meeting' });

describe('renewal by credits and the reminder schedule', () => {
  it('a reminder is queued once per cycle: many sweeps, a time-zone change there and back, then again once in the next cycle', async () => {
    const rec = await holder();
    expect(rec.expires_on).toBe('2027-03-10');
    // The 90-day reminder's day is 2026-12-10. Three sweeps that day, across a time-zone change there and back.
    t.clock.set('2026-12-10T15:00:00Z');
    for (let i = 0; i < 3; i++) await runSweep(t.ctx);
    await setTimeZone(t.ctx, staff, 'Pacific/Kiritimati'); // already 2026-12-11 there: still the same reminder, not a second
    await runSweep(t.ctx);
    await setTimeZone(t.ctx, staff, 'America/New_York');
    await runSweep(t.ctx);
    expect(await reminders(rec.id)).toEqual(['reminder-90-days-before queued 2027-03-10 c1']);

    // The requirement met in time; renewal starts cycle 2 from the previous expiration date.
    await ethics(rec.id, '2026-12-10', 10);
    const renewed = await renewByCredits(t.ctx, staff, { id: rec.id });
    expect(renewed).toMatchObject({ status: 'Active', cycle: 2, cycle_starts_on: '2027-03-11', expires_on: '2028-03-10', credits_needed: 10 });
    // The old cycle's reminder no longer tells the truth (the certificate now runs to 2028): withdrawn, kept, never sent.
    expect(await reminders(rec.id)).toEqual(['reminder-90-days-before withdrawn 2027-03-10 c1']);
    const why = (await t.db('outbox').where({ record_id: rec.id, kind: 'reminder-90-days-before' }).first('withdrawn_reason')) as { withdrawn_reason: string };
    expect(why.withdrawn_reason).toBe('The record is in a new cycle (Active)');

    // Sweeps in between queue nothing; on the next cycle's day (2027-12-11) the reminder comes once, for cycle 2.
    t.clock.set('2027-06-01T15:00:00Z');
    await runSweep(t.ctx);
    expect(await reminders(rec.id)).toHaveLength(1);
    t.clock.set('2027-12-11T15:00:00Z');
    for (let i = 0; i < 3; i++) await runSweep(t.ctx);
    expect(await reminders(rec.id)).toEqual(['reminder-90-days-before withdrawn 2027-03-10 c1', 'reminder-90-days-before queued 2028-03-10 c2']);
  });

  it('a cycle ending on 29 Feb renews to 28 Feb of the next year; activities on either side of the day count in their own cycle', async () => {
    const rec = await holder();
    await overrideExpiration(t.ctx, staff, { id: rec.id, expiresOn: '2028-02-29', reason: 'Aligned to the leap day' });
    t.clock.set('2028-02-29T15:00:00Z');
    await runSweep(t.ctx);
    await ethics(rec.id, '2028-02-29', 10); // the last day of the cycle counts
    expect((await recordCredits(t.ctx, rec.id)).standing?.met).toBe(true);
    const renewed = await renewByCredits(t.ctx, staff, { id: rec.id });
    expect(renewed).toMatchObject({ cycle: 2, cycle_starts_on: '2028-03-01', expires_on: '2029-02-28' });

    t.clock.set('2028-03-01T15:00:00Z');
    await ethics(rec.id, '2028-03-01', 3); // the first day of the new cycle counts there
    await ethics(rec.id, '2028-02-28', 1); // recorded now but dated in the old cycle: kept, does not count
    const credits = await recordCredits(t.ctx, rec.id);
    expect(credits.cycle).toEqual({ startsOn: '2028-03-01', endsOn: '2029-02-28' });
    expect(credits.standing).toMatchObject({ earned: 3, outside: 1, needed: 7 });
    expect(credits.activities.find((a) => a.earnedOn === '2028-02-28')?.notCounted).toMatch(/^Does not count: outside this cycle/);

    // Its reminders follow the new date: 90 days before 2029-02-28 is 2028-11-30.
    t.clock.set('2028-11-29T15:00:00Z');
    await runSweep(t.ctx);
    expect((await reminders(rec.id)).filter((r) => r.endsWith('c2'))).toEqual([]);
    t.clock.set('2028-11-30T15:00:00Z');
    await runSweep(t.ctx);
    expect((await reminders(rec.id)).filter((r) => r.endsWith('c2'))).toEqual(['reminder-90-days-before queued 2029-02-28 c2']);
  });
});

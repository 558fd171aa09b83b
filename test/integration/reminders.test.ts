/**
 * Reminder schedules (issue 18): each reminder of a certification's schedule is queued once per
 * record and cycle, by the sweep on its day and at once when dates change; withdrawn when it is no
 * longer due (date extended, cancelled, renewed); queued again in a new cycle; unaffected by n;
 * right across a change of the office time zone; handed to the central system in the sync batches.
 * A real database file, the real services and a clock the test moves.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newReminder, type Reminder } from '../../main/domain/reminders';
import type { Actor } from '../../main/services/context';
import { previewExpiringDays, setExpiringDays, setTimeZone } from '../../main/services/office-settings';
import { saveReminderSchedule } from '../../main/services/reminder-schedule';
import { enroll, markAllComplete, overrideExpiration, setStatus } from '../../main/services/records';
import { runSweep } from '../../main/services/sweep';
import { exportChanges } from '../../main/sync/export';
import { readBatch } from '../../main/sync/verify';
import { batchNames } from './sync/helpers';
import { freshDb, makeContact, makeProgram, makeStaff, removeDir, renew, snapshot, tempDir, type TestDb } from './support';

let t: TestDb;
let staff: Actor;
let folder: string;
let programId: number;

const SCHEDULE: Reminder[] = [
  { ...newReminder(90, 'before'), subject: '90 days: {certification} ends {expiration_date}' },
  { ...newReminder(30, 'before'), subject: '30 days: {certification} ends {expiration_date}' },
  { ...newReminder(30, 'after'), subject: 'Lapsed: {certification} ended {expiration_date}', body: 'Dear {contact_name}, renew now.' },
];

beforeEach(async () => {
  t = await freshDb(); // 2026-03-10 in New York, n = 30
  staff = await makeStaff(t.ctx, 'ria', 'Ria Staff', 'admin');
  folder = tempDir('certdesk-reminders-');
  const { program } = await makeProgram(t.ctx, { name: 'Certified Planner', components: [], expiration: { kind: 'never' } });
  programId = program.id;
  await saveReminderSchedule(t.ctx, programId, SCHEDULE);
});
afterEach(async () => {
  await t.dispose();
  removeDir(folder);
});

async function holder(label: string, expiresOn: string): Promise<number> {
  const contact = await makeContact(t.ctx, label);
  const record = await enroll(t.ctx, staff, { contactId: contact.id, programId, source: 'back-office' });
  await markAllComplete(t.ctx, staff, { id: record.id, reason: 'Completed elsewhere' });
  await overrideExpiration(t.ctx, staff, { id: record.id, expiresOn, reason: 'Set for the test', confirmExpired: true });
  return record.id;
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

describe('reminder schedule', () => {
  it('queues each reminder once on its day, withdraws it when the date is extended, and leaves n alone', async () => {
    const rec = await holder('Ames', '2026-05-20'); // 71 days away: the 90-day reminder is due at once
    expect(await reminders(rec)).toEqual(['reminder-90-days-before queued 2026-05-20 c1']);
    const email = (await t.db('outbox').where({ record_id: rec, kind: 'reminder-90-days-before' }).first()) as { subject: string; to_email: string };
    expect(email.subject).toBe('90 days: Certified Planner ends 2026-05-20');

    // The sweep, five times on the same day: nothing twice. Only n decides Expiring (71 days > 30): no Expiring email.
    for (let i = 0; i < 5; i++) await runSweep(t.ctx);
    expect(await reminders(rec)).toEqual(['reminder-90-days-before queued 2026-05-20 c1']);
    expect(await t.db('outbox').where({ record_id: rec, kind: 'certification-expiring' }).count({ n: '*' })).toEqual([{ n: 0 }]);

    // Handed to the central system with the sync export.
    await exportChanges({ db: t.db, dataDir: t.dir, folder });
    expect(await reminders(rec)).toEqual(['reminder-90-days-before exported 2026-05-20 c1']);

    // 30 days before: the sweep makes it Expiring (n = 30), queues the Expiring email and the 30-day reminder.
    t.clock.setDay('2026-04-20');
    const swept = await runSweep(t.ctx);
    expect(swept).toMatchObject({ changed: 1, emailsQueued: 1, remindersQueued: 1 });
    await runSweep(t.ctx);
    expect(await reminders(rec)).toEqual(['reminder-90-days-before exported 2026-05-20 c1', 'reminder-30-days-before queued 2026-05-20 c1']);

    // n 30 → 10 takes the record out of Expiring but leaves the reminders: n decides only Expiring and its email.
    await setExpiringDays(t.ctx, staff, 10);
    expect(await reminders(rec)).toEqual(['reminder-90-days-before exported 2026-05-20 c1', 'reminder-30-days-before queued 2026-05-20 c1']);

    // The date extended: both withdrawn (the exported one as its own change), nothing due for the new date yet.
    await overrideExpiration(t.ctx, staff, { id: rec, expiresOn: '2026-12-31', reason: 'Extended by the board' });
    expect(await reminders(rec)).toEqual(['reminder-90-days-before withdrawn 2026-05-20 c1', 'reminder-30-days-before withdrawn 2026-05-20 c1']);
    const why = (await t.db('outbox').where({ record_id: rec, kind: 'reminder-30-days-before' }).first('withdrawn_reason')) as { withdrawn_reason: string };
    expect(why.withdrawn_reason).toBe('The expiration date is now 2026-12-31');

    await exportChanges({ db: t.db, dataDir: t.dir, folder });
    const atReceiver = new Map<string, string>();
    for (const name of batchNames(folder)) {
      for (const c of (await readBatch(path.join(folder, name))).changes) {
        if (c.entity === 'outbox' && c.data.record_id === rec) atReceiver.set(String(c.data.kind), String(c.data.state));
      }
    }
    // The Expiring email was withdrawn by n = 10 (the record left Expiring); the reminders by the new date.
    expect(Object.fromEntries(atReceiver)).toEqual({
      'certification-expiring': 'withdrawn',
      'reminder-90-days-before': 'withdrawn',
      'reminder-30-days-before': 'withdrawn',
    });
  });

  it('queues the after-expiration reminder, withdraws it on renewal, and queues again in the new cycle', async () => {
    const rec = await holder('Bell', '2026-03-05'); // already Expired: the after reminder is due from 2026-04-04
    expect(await reminders(rec)).toEqual([]);
    t.clock.setDay('2026-04-04');
    await runSweep(t.ctx);
    expect(await reminders(rec)).toEqual(['reminder-30-days-after queued 2026-03-05 c1']);

    await renew(t.ctx, staff, rec); // a new cycle: the lapse notice is no longer true
    expect(await reminders(rec)).toEqual(['reminder-30-days-after withdrawn 2026-03-05 c1']);
    await markAllComplete(t.ctx, staff, { id: rec, reason: 'Renewed' });
    await overrideExpiration(t.ctx, staff, { id: rec, expiresOn: '2026-06-30', reason: 'New cycle' }); // 87 days away
    await runSweep(t.ctx);
    expect(await reminders(rec)).toEqual(['reminder-30-days-after withdrawn 2026-03-05 c1', 'reminder-90-days-before queued 2026-06-30 c2']);

    // Cancelled: withdrawn.
    await setStatus(t.ctx, staff, { id: rec, to: 'Cancelled', reason: 'Left' });
    expect((await reminders(rec))[1]).toBe('reminder-90-days-before withdrawn 2026-06-30 c2');
  });

  it('queues only the latest reminder whose day has come, never a burst of stale ones', async () => {
    const rec = await holder('Cole', '2026-03-25'); // 15 days away: the 90- and 30-day reminders' days have both passed
    expect(await reminders(rec)).toEqual(['reminder-30-days-before queued 2026-03-25 c1']);
    const old = await holder('Dunn', '2025-11-01'); // Expired 129 days ago: its 30-after reminder is long stale
    await runSweep(t.ctx);
    expect(await reminders(old)).toEqual([]);
  });

  it('follows the office time zone: a change that brings the day queues the reminder once, changing back queues nothing more', async () => {
    // 15:00 UTC is 2026-03-10 in New York and 2026-03-11 in Kiritimati (UTC+14); the 90-day day is 2026-03-11.
    const rec = await holder('Diaz', '2026-06-09');
    expect(await reminders(rec)).toEqual([]);
    const result = await setTimeZone(t.ctx, staff, 'Pacific/Kiritimati');
    expect(result.remindersQueued).toBe(1);
    expect(await reminders(rec)).toEqual(['reminder-90-days-before queued 2026-06-09 c1']);
    await setTimeZone(t.ctx, staff, 'America/New_York');
    await runSweep(t.ctx);
    await setTimeZone(t.ctx, staff, 'Pacific/Kiritimati');
    t.clock.set('2026-03-11T15:00:00Z');
    await runSweep(t.ctx);
    expect(await reminders(rec)).toEqual(['reminder-90-days-before queued 2026-06-09 c1']);
  });

  it('the preview of an n change counts the reminders saving queues and withdraws, and saving does exactly that', async () => {
    const held = await holder('Ames', '2026-05-20'); // its 90-day reminder is queued at once
    const lapsing = await holder('Bell', '2026-04-01'); // 22 days away: its 30-day reminder is queued at once
    const lapsed = await holder('Cole', '2026-03-15'); // 5 days away: likewise
    expect([...(await reminders(held)), ...(await reminders(lapsing)), ...(await reminders(lapsed))]).toEqual([
      'reminder-90-days-before queued 2026-05-20 c1',
      'reminder-30-days-before queued 2026-04-01 c1',
      'reminder-30-days-before queued 2026-03-15 c1',
    ]);
    // Away for six weeks: no sweep has run when the admin changes n. Saving brings every status up to date first:
    // Ames's 30-day reminder is due; Bell and Cole lapse (their queued 30-day reminders withdrawn); Cole's 30-after is due.
    t.clock.setDay('2026-04-20');
    const before = await snapshot(t.db);
    const preview = await previewExpiringDays(t.ctx, staff, 45);
    expect(await snapshot(t.db), 'the preview writes nothing').toBe(before);
    expect(preview).toMatchObject({ remindersQueued: 2, remindersWithdrawn: 2 });

    const saved = await setExpiringDays(t.ctx, staff, 45);
    expect(saved).toEqual(preview);
    expect(await reminders(held)).toEqual(['reminder-90-days-before queued 2026-05-20 c1', 'reminder-30-days-before queued 2026-05-20 c1']);
    expect(await reminders(lapsing)).toEqual(['reminder-30-days-before withdrawn 2026-04-01 c1']);
    expect(await reminders(lapsed)).toEqual(['reminder-30-days-before withdrawn 2026-03-15 c1', 'reminder-30-days-after queued 2026-03-15 c1']);
    // Once saved, the same n again changes nothing, and its preview says so.
    expect(await previewExpiringDays(t.ctx, staff, 45)).toMatchObject({ changed: 0, remindersQueued: 0, remindersWithdrawn: 0 });
  });

  it('refuses a schedule with a two-line subject or two reminders on the same day', async () => {
    await expect(saveReminderSchedule(t.ctx, programId, [{ ...newReminder(30), subject: 'Hi\nBcc: x@example.org' }])).rejects.toThrow(/Subject contains/);
    await expect(saveReminderSchedule(t.ctx, programId, [newReminder(30), newReminder(30)])).rejects.toThrow(/Two reminders 30 days before expiration/);
  });
});

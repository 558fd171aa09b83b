/**
 * Reminder emails of a certification's schedule (issue 18, SPEC §6): queued once per record,
 * cycle and reminder, withdrawn like the "Certification Expiring" email when no longer due.
 * Called by the record writer for every changed record (a date, a status, a renewal) and by
 * the sweep for records whose reminder day came without any change (in its passes).
 * The global n plays no part here: it alone decides Expiring and its email.
 */
import { displayName } from '../domain/contact';
import { parseSchedule, renderReminder, type Reminder } from '../domain/reminders';
import type { CalendarDate } from '../rules/calendar';
import { reminderKind, reminderOffset, reminderWindows } from '../rules/reminders';
import { TIMED_STATUSES, type Status } from '../rules/statuses';
import { bulkInsert } from '../db/bulk-insert';
import { logStoredRows } from './changelog';
import type { Executor } from './context';

const CHUNK = 400;

export interface ReminderCandidate {
  record_id: number;
  cycle: number;
  expires_on: CalendarDate;
  first_name: string;
  last_name: string;
  email: string;
  program_name: string;
  /** A withdrawn email of this reminder and date, queued again rather than written twice. */
  outbox_id: number | null;
  reminder: Reminder;
}

/** The certifications that have a schedule (a handful: read whole). */
type Scheduled = Array<{ id: number; name: string; schedule: Reminder[] }>;

async function schedules(trx: Executor): Promise<Scheduled> {
  const rows: Array<{ id: number; name: string; reminder_schedule: string }> = await trx('programs')
    .whereNot('reminder_schedule', '[]')
    .select('id', 'name', 'reminder_schedule');
  return rows.map((p) => ({ id: p.id, name: p.name, schedule: parseSchedule(p.reminder_schedule) })).filter((p) => p.schedule.length > 0);
}

/**
 * The reminders due today and not yet queued (or withdrawn and due again), optionally only for
 * some records. One index range scan per certification and reminder on (program_id, expires_on)
 * (migration 003), never a read of every record.
 *
 * `settled`: as they will be once the time rules have brought every status up to date (the preview
 * of an n change). Then a held or lapsed status follows from the expiration date alone, and every
 * reminder window lies on one side of today (a "before" window from today on, an "after" window
 * before today), so any timed status in a window is the one the window asks for.
 */
export async function dueReminders(
  trx: Executor,
  today: CalendarDate,
  onlyIds?: readonly number[],
  scheduled?: Scheduled,
  settled = false,
): Promise<ReminderCandidate[]> {
  const found: ReminderCandidate[] = [];
  for (const program of scheduled ?? (await schedules(trx))) {
    for (const w of reminderWindows(program.schedule, today)) {
      const statuses: readonly Status[] = settled ? TIMED_STATUSES : w.statuses;
      const q = trx('records as r')
        .join('contacts as c', 'c.id', 'r.contact_id')
        .leftJoin('outbox as o', (j) => {
          j.on('o.record_id', 'r.id').andOn('o.expires_on', 'r.expires_on').andOnVal('o.kind', reminderKind(w.reminder));
        })
        .where('r.program_id', program.id)
        .whereIn('r.status', [...statuses])
        .whereRaw('(r.expires_on is null) = 0')
        .whereBetween('r.expires_on', [w.expiresFrom, w.expiresTo])
        .where((q) => void q.whereNull('o.id').orWhere('o.state', 'withdrawn'))
        .select('r.id as record_id', 'r.cycle', 'r.expires_on', 'c.first_name', 'c.last_name', 'c.email', 'o.id as outbox_id');
      if (onlyIds) void q.whereRaw('r.id IN (SELECT value FROM json_each(?))', [JSON.stringify(onlyIds)]);
      const rows = (await q) as Array<Omit<ReminderCandidate, 'reminder' | 'program_name'>>;
      for (const row of rows) found.push({ ...row, program_name: program.name, reminder: w.reminder });
    }
  }
  return found.sort((a, b) => a.record_id - b.record_id);
}

/** Queues the reminders due today (for `onlyIds`, or every record); answers how many were queued. Logged in the caller's transaction. */
export async function queueDueReminders(trx: Executor, today: CalendarDate, at: string, onlyIds?: readonly number[]): Promise<number> {
  const scheduled = await schedules(trx);
  if (scheduled.length === 0) return 0;
  let queued = 0;
  const ids = onlyIds ?? null;
  for (let i = 0; i < (ids ? ids.length : 1); i += CHUNK) {
    const due = await dueReminders(trx, today, ids ? ids.slice(i, i + CHUNK) : undefined, scheduled);
    queued += await queueCandidates(trx, due, at);
  }
  return queued;
}

/** Writes the emails of these due reminders: new rows, or withdrawn rows of the same reminder and date queued again. */
export async function queueCandidates(trx: Executor, due: readonly ReminderCandidate[], at: string): Promise<number> {
  const fresh = due.filter((d) => d.outbox_id === null);
  const again = due.flatMap((d) => (d.outbox_id === null ? [] : [d.outbox_id]));
  const rows = fresh.map((d) => {
    const name = displayName(d);
    const email = renderReminder(d.reminder, { contactName: name, certification: d.program_name, expirationDate: d.expires_on });
    return {
      kind: reminderKind(d.reminder),
      record_id: d.record_id,
      expires_on: d.expires_on,
      to_email: d.email,
      to_name: name,
      subject: email.subject,
      body: email.body,
      state: 'queued',
      created_at: at,
      cycle: d.cycle,
      reminder_offset: reminderOffset(d.reminder),
    };
  });
  const inserted = await bulkInsert(trx, 'outbox', rows, { returning: 'id' });
  const requeued: number[] = [];
  for (let i = 0; i < again.length; i += CHUNK) {
    const back = await trx.raw<Array<{ id: number }>>(
      `UPDATE outbox SET state = 'queued', withdrawn_at = NULL, withdrawn_reason = NULL,
         cycle = (SELECT r.cycle FROM records r WHERE r.id = outbox.record_id)
       WHERE id IN (SELECT value FROM json_each(?)) AND state = 'withdrawn' RETURNING id`,
      [JSON.stringify(again.slice(i, i + CHUNK))],
    );
    requeued.push(...back.map((r) => r.id));
  }
  await logStoredRows(trx, 'outbox', 'outbox', 'insert', inserted, at);
  await logStoredRows(
    trx,
    'outbox',
    'outbox',
    'update',
    requeued.sort((a, b) => a - b),
    at,
  );
  return inserted.length + requeued.length;
}

/**
 * Withdraws the reminders of these records that are no longer true: a new cycle (renewed), another
 * expiration date, or a status the reminder is not for (cancelled; a "before" reminder of a record
 * no longer held, an "after" reminder of a record no longer Expired). As with the Expiring email, one
 * already handed over stays when its record simply lapsed on that date; otherwise the withdrawal
 * travels as its own change. Answers the ids withdrawn (logged here).
 */
/**
 * SQL: the reminder email `outbox` no longer tells the truth about its record `r` whose status is
 * `status` (an SQL expression: the stored status, or the one an n change's preview plans).
 */
const untrue = (status: string): string => `(r.cycle IS NOT outbox.cycle OR r.expires_on IS NOT outbox.expires_on
    OR (outbox.reminder_offset < 0 AND ${status} NOT IN ('Active', 'Expiring'))
    OR (outbox.reminder_offset > 0 AND ${status} <> 'Expired'))
  AND (outbox.state = 'queued' OR NOT (outbox.reminder_offset < 0 AND ${status} = 'Expired'
                                       AND r.cycle IS outbox.cycle AND r.expires_on IS outbox.expires_on))`;

export async function withdrawUntrueReminders(trx: Executor, recordIds: readonly number[], at: string): Promise<number[]> {
  const withdrawn: number[] = [];
  for (let i = 0; i < recordIds.length; i += CHUNK) {
    const rows = await trx.raw<Array<{ id: number }>>(
      `UPDATE outbox SET state = 'withdrawn', withdrawn_at = ?,
         withdrawn_reason = (SELECT CASE WHEN r.cycle IS NOT outbox.cycle THEN 'The record is in a new cycle (' || r.status || ')'
                                         WHEN r.expires_on IS NOT outbox.expires_on THEN 'The expiration date is now ' || coalesce(r.expires_on, 'none')
                                         ELSE 'The record is ' || r.status || ' now' END
                             FROM records r WHERE r.id = outbox.record_id)
       WHERE reminder_offset IS NOT NULL AND record_id IN (SELECT value FROM json_each(?)) AND state IN ('queued', 'exported')
         AND EXISTS (SELECT 1 FROM records r WHERE r.id = outbox.record_id AND ${untrue('r.status')})
       RETURNING id`,
      [at, JSON.stringify(recordIds.slice(i, i + CHUNK))],
    );
    withdrawn.push(...rows.map((r) => r.id));
  }
  withdrawn.sort((a, b) => a - b);
  await logStoredRows(trx, 'outbox', 'outbox', 'update', withdrawn, at);
  return withdrawn;
}

/** How many reminder emails `withdrawUntrueReminders` would withdraw once these records had these statuses (nothing written). */
export async function countUntrueReminders(trx: Executor, next: ReadonlyArray<{ id: number; status: Status }>): Promise<number> {
  let count = 0;
  for (let i = 0; i < next.length; i += CHUNK) {
    const rows = await trx.raw<Array<{ n: number }>>(
      `SELECT count(*) AS n FROM json_each(?) s
         JOIN outbox ON outbox.record_id = json_extract(s.value, '$[0]') AND outbox.reminder_offset IS NOT NULL AND outbox.state IN ('queued', 'exported')
         JOIN records r ON r.id = outbox.record_id
       WHERE ${untrue("json_extract(s.value, '$[1]')")}`,
      [JSON.stringify(next.slice(i, i + CHUNK).map((r) => [r.id, r.status]))],
    );
    count += Number(rows[0]?.n ?? 0);
  }
  return count;
}

/** How many reminder emails are due today once the time rules have brought every status up to date (nothing written). */
export async function countSettledDueReminders(trx: Executor, today: CalendarDate): Promise<number> {
  return (await dueReminders(trx, today, undefined, undefined, true)).length;
}

/** After records changed: their untrue reminders withdrawn, those due now queued. Answers how many of each. */
export async function settleReminders(
  trx: Executor,
  recordIds: readonly number[],
  today: CalendarDate,
  at: string,
): Promise<{ queued: number; withdrawn: number }> {
  if (recordIds.length === 0) return { queued: 0, withdrawn: 0 };
  const withdrawn = (await withdrawUntrueReminders(trx, recordIds, at)).length;
  return { queued: await queueDueReminders(trx, today, at, recordIds), withdrawn };
}

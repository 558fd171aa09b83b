/** An admin reads and saves a certification's reminder schedule (issue 18); saving queues what is due today at once. */
import { parseSchedule, reminderScheduleSchema, sortedSchedule, type Reminder } from '../domain/reminders';
import { reminderKind } from '../rules/reminders';
import { logStoredRows } from './changelog';
import { officeToday, ServiceError, stamp, type ServiceContext, type Executor } from './context';
import { getProgram } from './programs';
import { queueDueReminders } from './reminders';
import { readSettings } from './settings';

export async function getReminderSchedule(db: Executor, programId: number): Promise<Reminder[]> {
  return parseSchedule((await getProgram(db, programId)).reminder_schedule);
}

export interface ScheduleSaved {
  reminders: Reminder[];
  /** Emails due today under the new schedule, queued now. */
  queued: number;
  /** Queued emails of reminders taken off the schedule, withdrawn. */
  withdrawn: number;
}

/**
 * Saves the schedule (logged as a change of the program, so the central system has it too),
 * withdraws queued emails of reminders taken off it (one already handed over stays: it was true
 * when sent), and queues the reminders due today, in one transaction.
 */
export async function saveReminderSchedule(ctx: ServiceContext, programId: number, input: readonly Reminder[]): Promise<ScheduleSaved> {
  const parsed = reminderScheduleSchema.safeParse(input);
  if (!parsed.success) throw new ServiceError('INVALID', parsed.error.issues[0]?.message ?? 'The reminder schedule is not valid.', 'reminders');
  const reminders = sortedSchedule(parsed.data);
  return ctx.db.transaction(async (trx) => {
    await getProgram(trx, programId);
    const at = stamp(ctx);
    await trx('programs')
      .where({ id: programId })
      .update({ reminder_schedule: JSON.stringify(reminders), updated_at: at });
    await logStoredRows(trx, 'programs', 'program', 'update', [programId], at);
    const kept = reminders.map(reminderKind);
    const removed = await trx.raw<Array<{ id: number }>>(
      `UPDATE outbox SET state = 'withdrawn', withdrawn_at = ?, withdrawn_reason = 'The reminder was taken off the certification''s schedule'
       WHERE reminder_offset IS NOT NULL AND state = 'queued' AND kind NOT IN (SELECT value FROM json_each(?))
         AND record_id IN (SELECT id FROM records WHERE program_id = ?)
       RETURNING id`,
      [at, JSON.stringify(kept), programId],
    );
    const withdrawn = removed.map((r) => r.id).sort((a, b) => a - b);
    await logStoredRows(trx, 'outbox', 'outbox', 'update', withdrawn, at);
    const settings = await readSettings(trx);
    const queued = await queueDueReminders(trx, officeToday(ctx, settings.timeZone), at);
    return { reminders, queued, withdrawn: withdrawn.length };
  });
}

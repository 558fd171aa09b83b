/**
 * The time sweep: re-derives Active / Expiring / Expired for every record whose
 * status no longer matches its expiration date, n and today. Set-based: SQL
 * finds the records that must move, the engine says why, the writer records it.
 */
import type { Knex } from 'knex';
import { whereInJson } from '../db/where-in-json';
import { addDays, type CalendarDate } from '../rules/calendar';
import { timeStatus } from '../rules/engine';
import { TIMED_STATUSES, type Status } from '../rules/statuses';
import { officeToday, stamp, SYSTEM, type Actor, type Executor, type ServiceContext } from './context';
import { applyDecisions, type RecordChange, type WriteContext } from './record-writer';
import type { RecordRow } from '../domain/rows';
import { readSettings } from './settings';
import { type Settings } from '../domain/settings';
import { countSettledDueReminders, countUntrueReminders, dueReminders, queueCandidates, queueDueReminders } from './reminders';

/** What the decision and the writer need of a record: the writer logs the full rows itself. */
type SweptRecord = Pick<RecordRow, 'id' | 'status' | 'cycle' | 'expires_on'>;

export interface SweepResult {
  today: CalendarDate;
  changed: number;
  byTransition: Record<string, number>;
  emailsQueued: number;
  /** Reminder emails of the certifications' schedules queued (issue 18). */
  remindersQueued: number;
  /** Reminder emails withdrawn: no longer true of their record's new status. */
  remindersWithdrawn: number;
}

/**
 * Records per pass: read, decided and written together in one transaction, one bulk
 * statement per table per pass (BULK_ROWS). A pass holds the writer (other writes wait
 * behind it; the list reads on its own connection), but each pass rewrites most pages of
 * the per-status sort indexes, so smaller passes cost more: at 300,000 records a year's
 * 54,000 changes in passes of 2,000 wrote 1.9× the WAL pages of passes of 5,000 and took
 * about 30 % more CPU; at a million, 5,000 and 4,000 measured alike and 20,000 was 20 % slower.
 */
export const PASS_SIZE = 5_000;

/**
 * The order a catch-up brings records up to date: first those entering or leaving Expiring (the list
 * staff act on, and its "Certification Expiring" emails), then those back to Active, last those expiring. After
 * a year away at a million records the whole sweep takes about a minute of background work (SQLite's
 * upkeep of the per-status sort indexes: docs/sweep-index-upkeep.md); the Expiring list is right after
 * its first passes.
 */
const DUE_ORDER: readonly Status[] = ['Expiring', 'Active', 'Expired'];

/**
 * The records in a timed status that disagree with the time rules, each with the rank of the move it
 * is due (DUE_ORDER; any move out of Expiring ranks first too). Four disjoint index range scans on (status, expires_on IS NULL, expires_on)
 * (migration 003), read from the index alone (the id is its rowid): never a read of every record, so
 * the settings window's live preview of n stays live at a million records.
 */
function mismatchedIds(trx: Executor, today: CalendarDate, n: number): Knex.QueryBuilder {
  const horizon = addDays(today, n);
  const inStatus = (inStatuses: Status[], to: Status) =>
    trx('records')
      .select('id', trx.raw("case when status = 'Expiring' then 0 else ? end as rank", [DUE_ORDER.indexOf(to)]))
      .whereIn('status', inStatuses);
  const dated = (inStatuses: Status[], to: Status) => inStatus(inStatuses, to).whereRaw('(expires_on is null) = 0');
  // Active or Expiring past the expiration date: Expired.
  const q = dated(['Active', 'Expiring'], 'Expired').where('expires_on', '<', today);
  // Expiring or Expired with no date, or a date beyond the window: Active.
  void q.unionAll(inStatus(['Expiring', 'Expired'], 'Active').whereRaw('(expires_on is null) = 1'));
  void q.unionAll(
    n > 0
      ? dated(['Expiring', 'Expired'], 'Active').where('expires_on', '>', horizon)
      : dated(['Expiring', 'Expired'], 'Active').where('expires_on', '>=', today),
  );
  // Active or Expired within the window: Expiring.
  if (n > 0) void q.unionAll(dated(['Active', 'Expired'], 'Expiring').whereBetween('expires_on', [today, horizon]));
  return q;
}

/**
 * The ids of every record due to move, in DUE_ORDER and then id order, read once per sweep: a compact
 * array of numbers (180,000 records a year later: 1.4 MB), never the records. Passes go through it
 * instead of searching the indexes again each pass. The ids cross as one JSON array: one row
 * object per id would be built on the main thread (54,000 ids: 170–300 ms against 20–100 ms).
 */
async function dueIds(trx: Executor, today: CalendarDate, n: number): Promise<Float64Array> {
  const row = (await trx
    .from(mismatchedIds(trx, today, n).as('m'))
    .select(trx.raw('json_group_array(id order by rank, id) as ids'))
    .first()) as { ids: string } | undefined;
  return Float64Array.from(JSON.parse(row?.ids ?? '[]') as number[]);
}

/**
 * One pass's records as they are now, read in the pass's transaction: a record staff changed since
 * the ids were read is decided from its row as it is (one in a manual status is left alone, one
 * already right is not written).
 */
async function passRecords(trx: Executor, ids: Float64Array): Promise<SweptRecord[]> {
  const q = trx('records').select('id', 'status', 'cycle', 'expires_on').whereIn('status', TIMED_STATUSES);
  return (await whereInJson(q, 'id', Array.from(ids)).orderBy('id')) as SweptRecord[];
}

/** Records looked at so far, of how many (the start-up screen shows it); the sweep waits for it between passes. */
export type SweepProgress = (done: number, total: number) => void | Promise<void>;

/** Plans (and, unless `dryRun`, applies) the sweep inside the caller's transaction (an n change, its preview). */
export async function sweepWithin(trx: Executor, w: WriteContext, dryRun = false, onProgress?: SweepProgress): Promise<SweepResult> {
  const result: SweepResult = { today: w.today, changed: 0, byTransition: {}, emailsQueued: 0, remindersQueued: 0, remindersWithdrawn: 0 };
  const ids = await dueIds(trx, w.today, w.settings.expiringDays);
  await onProgress?.(0, ids.length);
  for (let i = 0; i < ids.length; i += PASS_SIZE) {
    const rows = await passRecords(trx, ids.subarray(i, i + PASS_SIZE));
    await decideAndWrite(trx, rows, w, dryRun, result);
    await onProgress?.(Math.min(i + PASS_SIZE, ids.length), ids.length);
  }
  // Another day (a time-zone change) may bring reminder days with no status change. A dry run counts every reminder
  // due once the statuses are up to date: those of the changed records and the rest alike, as saving queues them.
  if (dryRun) result.remindersQueued = await countSettledDueReminders(trx, w.today);
  else result.remindersQueued += await queueDueReminders(trx, w.today, w.at);
  return result;
}

/** Decides each record by the time rules and writes (or, dry, counts) the changes of one pass into `result`. */
async function decideAndWrite(trx: Executor, rows: readonly SweptRecord[], w: WriteContext, dryRun: boolean, result: SweepResult): Promise<void> {
  const changes: Array<RecordChange<SweptRecord>> = [];
  for (const record of rows) {
    const { status, rule } = timeStatus(record.expires_on, w.settings, w.today);
    if (status === record.status) continue;
    const key = `${record.status} → ${status}`;
    result.byTransition[key] = (result.byTransition[key] ?? 0) + 1;
    changes.push({
      record,
      kind: 'status',
      decision: { status: status, rule, changes: {}, queueExpiringEmail: status === 'Expiring', startsNewCycle: false },
    });
  }
  result.changed += changes.length;
  if (dryRun) {
    result.emailsQueued += await countNewEmails(trx, changes);
    result.remindersWithdrawn += await countUntrueReminders(
      trx,
      changes.map((c) => ({ id: c.record.id, status: c.decision.status })),
    );
  } else {
    const applied = await applyDecisions(trx, changes, w);
    result.emailsQueued += applied.emailsQueued;
    result.remindersQueued += applied.remindersQueued;
    result.remindersWithdrawn += applied.remindersWithdrawn;
  }
}

/** Emails a sweep would queue: entries into Expiring not already sent for that expiration date. */
async function countNewEmails(trx: Executor, changes: ReadonlyArray<RecordChange<SweptRecord>>): Promise<number> {
  const due = changes.filter((c) => c.decision.queueExpiringEmail);
  let count = 0;
  for (let i = 0; i < due.length; i += 400) {
    const slice = due.slice(i, i + 400);
    const sent: Array<{ record_id: number; expires_on: string }> = await trx('outbox')
      .where('kind', 'certification-expiring')
      // A withdrawn email is queued again when its record is Expiring on that date again.
      .whereNot('state', 'withdrawn')
      .whereIn(
        'record_id',
        slice.map((c) => c.record.id),
      )
      .select('record_id', 'expires_on');
    const already = new Set(sent.map((s) => `${s.record_id}|${s.expires_on}`));
    count += slice.filter((c) => !already.has(`${c.record.id}|${c.record.expires_on}`)).length;
  }
  return count;
}

/**
 * Runs the sweep (start-up, after midnight, on demand) in passes of PASS_SIZE records, each pass its own
 * transaction (SPEC §6): calls are answered between passes, every status change is whole (record,
 * history, change log, outbox together), and a sweep cut short is finished by the next one.
 */
export async function runSweep(
  ctx: ServiceContext,
  actor: Actor = SYSTEM,
  settingsOverride?: Partial<Settings>,
  onProgress?: SweepProgress,
  passSize = PASS_SIZE,
): Promise<SweepResult> {
  const first = { ...(await readSettings(ctx.db)), ...settingsOverride };
  const today = officeToday(ctx, first.timeZone);
  const result: SweepResult = { today, changed: 0, byTransition: {}, emailsQueued: 0, remindersQueued: 0, remindersWithdrawn: 0 };
  // The ids are read once; each pass reads its records again inside its transaction.
  const ids = await dueIds(ctx.db, today, first.expiringDays);
  await onProgress?.(0, ids.length);
  for (let i = 0; i < ids.length; i += passSize) {
    await ctx.db.transaction(async (trx) => {
      // Read inside the pass: staff may have changed a record, or n, since the sweep began.
      const settings = { ...(await readSettings(trx)), ...settingsOverride };
      const rows = await passRecords(trx, ids.subarray(i, i + passSize));
      await decideAndWrite(trx, rows, { actor, settings, today, at: stamp(ctx) }, false, result);
    });
    await onProgress?.(Math.min(i + passSize, ids.length), ids.length);
  }
  await reminderPasses(ctx, today, ids.length, result, onProgress);
  return result;
}

/**
 * The reminders whose day came with no change of their record (most of them: 90 days before
 * expiration a record is simply Active), in passes of PASS_SIZE records, each its own transaction;
 * each pass reads again which are still due, so a record changed meanwhile is judged as it is now.
 */
async function reminderPasses(ctx: ServiceContext, today: CalendarDate, before: number, result: SweepResult, onProgress?: SweepProgress): Promise<void> {
  const ids = [...new Set((await dueReminders(ctx.db, today)).map((d) => d.record_id))];
  for (let i = 0; i < ids.length; i += PASS_SIZE) {
    const slice = ids.slice(i, i + PASS_SIZE);
    result.remindersQueued += await ctx.db.transaction(async (trx) => queueCandidates(trx, await dueReminders(trx, today, slice), stamp(ctx)));
    await onProgress?.(before + Math.min(i + PASS_SIZE, ids.length), before + ids.length);
  }
}

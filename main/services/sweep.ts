/**
 * The time sweep: re-derives Active / Expiring / Expired for every record whose
 * status no longer matches its expiration date, n and today. Set-based: SQL
 * finds the records that must move, the engine says why, the writer records it.
 */
import { addDays, type CalendarDate } from '../rules/calendar';
import { timeStatus } from '../rules/engine';
import type { Status } from '../rules/statuses';
import { officeToday, stamp, SYSTEM, type Actor, type Executor, type ServiceContext } from './context';
import { applyDecisions, type RecordChange, type WriteContext } from './record-writer';
import type { RecordRow } from '../domain/rows';
import { readSettings } from './settings';
import { type Settings } from '../domain/settings';

/** What the decision and the writer need of a record: the writer logs the full rows itself. */
type SweptRecord = Pick<RecordRow, 'id' | 'status' | 'cycle' | 'expires_on'>;

export interface SweepResult {
  today: CalendarDate;
  changed: number;
  byTransition: Record<string, number>;
  emailsQueued: number;
}

/**
 * Records per pass: decided and written together, one bulk statement per
 * table per pass (BULK_ROWS). 5,000 and 4,000 measured alike at a million records;
 * 20,000 was 20 % slower.
 */
const CHUNK = 5_000;

/**
 * The records in a timed status that disagrees with the time rules, in id order.
 * Four disjoint index range scans on (status, expires_on IS NULL, expires_on) (migration 003)
 * and a read of only the records they find, never of every record: the settings window's
 * live preview of n stays live at a million records.
 */
async function mismatched(trx: Executor, today: CalendarDate, n: number): Promise<SweptRecord[]> {
  const horizon = addDays(today, n);
  const inStatus = (inStatuses: Status[]) => trx('records').select('id', 'status', 'cycle', 'expires_on').whereIn('status', inStatuses);
  const dated = (inStatuses: Status[]) => inStatus(inStatuses).whereRaw('(expires_on is null) = 0');
  // Active or Expiring past the expiration date: Expired.
  const q = dated(['Active', 'Expiring']).where('expires_on', '<', today);
  // Expiring or Expired with no date, or a date beyond the window: Active.
  void q.unionAll(inStatus(['Expiring', 'Expired']).whereRaw('(expires_on is null) = 1'));
  void q.unionAll(n > 0 ? dated(['Expiring', 'Expired']).where('expires_on', '>', horizon) : dated(['Expiring', 'Expired']).where('expires_on', '>=', today));
  // Active or Expired within the window: Expiring.
  if (n > 0) void q.unionAll(dated(['Active', 'Expired']).whereBetween('expires_on', [today, horizon]));
  const rows = (await q) as SweptRecord[];
  return rows.sort((a, b) => a.id - b.id);
}

/** Records looked at so far, of how many (the start-up screen shows it). */
export type SweepProgress = (done: number, total: number) => void;

/** Plans (and, unless `dryRun`, applies) the sweep inside the caller's transaction. */
export async function sweepWithin(trx: Executor, w: WriteContext, dryRun = false, onProgress?: SweepProgress): Promise<SweepResult> {
  const result: SweepResult = { today: w.today, changed: 0, byTransition: {}, emailsQueued: 0 };
  const all = await mismatched(trx, w.today, w.settings.expiringDays);
  onProgress?.(0, all.length);
  for (let i = 0; i < all.length; i += CHUNK) {
    const rows = all.slice(i, i + CHUNK);
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
    } else {
      result.emailsQueued += (await applyDecisions(trx, changes, w)).emailsQueued;
    }
    onProgress?.(Math.min(i + CHUNK, all.length), all.length);
  }
  return result;
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

/** Runs the sweep as its own transaction (start-up, after midnight, on demand). */
export async function runSweep(
  ctx: ServiceContext,
  actor: Actor = SYSTEM,
  settingsOverride?: Partial<Settings>,
  onProgress?: SweepProgress,
): Promise<SweepResult> {
  return ctx.db.transaction(async (trx) => {
    const settings = { ...(await readSettings(trx)), ...settingsOverride };
    return sweepWithin(trx, { actor, settings, today: officeToday(ctx, settings.timeZone), at: stamp(ctx) }, false, onProgress);
  });
}

/**
 * The time sweep: re-derives Active / Expiring / Expired for every record whose
 * status no longer matches its expiration date, n and today. Set-based: SQL
 * finds the records that must move, the engine says why, the writer records it.
 */
import { addDays, type CalendarDate } from '../rules/calendar';
import { timeStatus } from '../rules/engine';
import { officeToday, stamp, SYSTEM, type Actor, type Executor, type ServiceContext } from './context';
import { applyDecisions, type RecordChange, type WriteContext } from './record-writer';
import type { RecordRow } from './rows';
import { readSettings, type Settings } from './settings';

export interface SweepResult {
  today: CalendarDate;
  changed: number;
  byTransition: Record<string, number>;
  emailsQueued: number;
}

/** Ids per pass: the sweep walks the records in fixed id windows, each read once. */
const WINDOW = 20_000;

/** Records with ids in (afterId, upTo] in a timed status that disagrees with the time rules, in id order. */
function mismatched(trx: Executor, today: CalendarDate, n: number, afterId: number, upTo: number) {
  const horizon = addDays(today, n);
  return trx('records')
    .where('id', '>', afterId)
    .where('id', '<=', upTo)
    .where((q) => {
      void q
        .where((x) => void x.whereIn('status', ['Active', 'Expiring']).where('expires_on', '<', today))
        .orWhere((x) => {
          void x.whereIn('status', ['Expiring', 'Expired']);
          if (n > 0) void x.where((y) => void y.whereNull('expires_on').orWhere('expires_on', '>', horizon));
          else void x.where((y) => void y.whereNull('expires_on').orWhere('expires_on', '>=', today));
        });
      if (n > 0) void q.orWhere((x) => void x.whereIn('status', ['Active', 'Expired']).whereBetween('expires_on', [today, horizon]));
    })
    .orderBy('id') as Promise<RecordRow[]>;
}

/** Plans (and, unless `dryRun`, applies) the sweep inside the caller's transaction. */
export async function sweepWithin(trx: Executor, w: WriteContext, dryRun = false): Promise<SweepResult> {
  const result: SweepResult = { today: w.today, changed: 0, byTransition: {}, emailsQueued: 0 };
  const last = Number(((await trx('records').max({ m: 'id' }).first()) as { m: number | null } | undefined)?.m ?? 0);
  for (let afterId = 0; afterId < last; afterId += WINDOW) {
    const rows = await mismatched(trx, w.today, w.settings.expiringDays, afterId, afterId + WINDOW);
    if (rows.length === 0) continue;
    const changes: RecordChange[] = [];
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
  }
  return result;
}

/** Emails a sweep would queue: entries into Expiring not already sent for that expiration date. */
async function countNewEmails(trx: Executor, changes: readonly RecordChange[]): Promise<number> {
  const due = changes.filter((c) => c.decision.queueExpiringEmail);
  let count = 0;
  for (let i = 0; i < due.length; i += 400) {
    const slice = due.slice(i, i + 400);
    const sent: Array<{ record_id: number; expires_on: string }> = await trx('outbox')
      .where('kind', 'certification-expiring')
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
export async function runSweep(ctx: ServiceContext, actor: Actor = SYSTEM, settingsOverride?: Partial<Settings>): Promise<SweepResult> {
  return ctx.db.transaction(async (trx) => {
    const settings = { ...(await readSettings(trx)), ...settingsOverride };
    return sweepWithin(trx, { actor, settings, today: officeToday(ctx, settings.timeZone), at: stamp(ctx) });
  });
}

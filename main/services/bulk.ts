/**
 * Bulk status change on a selection: every record the rules allow changes, in
 * one transaction; every refused one is listed with its reason. Nothing half-done.
 */
import { planManualMove, type Decision, type Progress } from '../rules/engine';
import type { Status } from '../rules/statuses';
import { officeToday, ServiceError, stamp, type Actor, type ServiceContext } from './context';
import { displayName } from '../domain/contact';
import { rulesOf } from '../domain/program';
import { pendingRenewalExpiresOn } from '../domain/renewal';
import { applyDecisions, type RecordChange } from './record-writer';
import { progressOfMany, stateOf } from './records';
import type { RecordRow } from '../domain/rows';
import type { ContactRow, ProgramRow } from '../domain/rows';
import { readSettings } from './settings';

export const BULK_LIMIT = 100_000;
/** Records decided and written together: each chunk holds the main thread for its planning and writing, so a few hundred. */
const CHUNK = 250;

export interface BulkRefusal {
  id: number;
  contactName: string;
  certification: string;
  status: Status;
  reason: string;
}

export interface BulkResult {
  changed: number;
  refused: BulkRefusal[];
  emailsQueued: number;
}

export async function bulkSetStatus(ctx: ServiceContext, actor: Actor, input: { ids: readonly number[]; to: Status; reason?: string }): Promise<BulkResult> {
  const ids = [...new Set(input.ids)];
  if (ids.length === 0) throw new ServiceError('INVALID', 'Select at least one record.', 'ids');
  if (ids.length > BULK_LIMIT) throw new ServiceError('INVALID', `A bulk change takes at most ${BULK_LIMIT.toLocaleString('en')} records.`, 'ids');
  return ctx.db.transaction(async (trx) => {
    const settings = await readSettings(trx);
    const w = { actor, settings, today: officeToday(ctx, settings.timeZone), at: stamp(ctx) };
    const result: BulkResult = { changed: 0, refused: [], emailsQueued: 0 };
    const programs = new Map<number, ProgramRow>(((await trx('programs').select('*')) as ProgramRow[]).map((p) => [p.id, p]));
    for (let i = 0; i < ids.length; i += CHUNK) {
      const slice = ids.slice(i, i + CHUNK);
      const rows: Array<RecordRow & Pick<ContactRow, 'first_name' | 'last_name'>> = await trx('records as r')
        .join('contacts as c', 'c.id', 'r.contact_id')
        .whereIn('r.id', slice)
        .select('r.*', 'c.first_name', 'c.last_name');
      const present = new Set(rows.map((r) => r.id));
      const missing = slice.filter((id) => !present.has(id));
      if (missing.length > 0) throw new ServiceError('NOT_FOUND', `Certification record ${missing[0]} does not exist.`, 'ids');
      const progress = await progressOfMany(trx, rows);
      const changes: RecordChange[] = [];
      for (const row of rows) {
        const { first_name, last_name, ...record } = row;
        const program = programs.get(record.program_id) as ProgramRow;
        const plan = planManualMove({
          record: stateOf(record),
          to: input.to,
          reason: input.reason ?? null,
          program: rulesOf(program),
          progress: progress.get(record.id) as Progress,
          settings,
          today: w.today,
          renewalExpiresOn: pendingRenewalExpiresOn(record),
        });
        if (!plan.allowed) {
          result.refused.push({
            id: record.id,
            contactName: displayName({ first_name, last_name }),
            certification: program.name,
            status: record.status,
            reason: plan.reason,
          });
          continue;
        }
        const decision: Decision = plan;
        changes.push({ record, decision, kind: 'status', reason: input.reason ?? '', detail: 'Bulk status change' });
      }
      const applied = await applyDecisions(trx, changes, w);
      result.changed += applied.changed;
      result.emailsQueued += applied.emailsQueued;
    }
    return result;
  });
}

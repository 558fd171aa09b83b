/**
 * Import from the central system's export: batches in the sync format
 * (docs/sync-batch-format.md), the other direction. Contacts, certification
 * programs and their components are upserted, keyed by the central system's
 * ids; other entities in the batches (records, history, …) are counted and
 * left alone. Same contract as the CSV imports: a preview, then the apply of
 * exactly what the preview counted, in one transaction. Admin only.
 *
 * - Every batch is verified against its manifest first (sizes, SHA-256, the
 *   manifest's own checksum, lines, seq ranges, no gaps between batches). Any
 *   problem refuses the whole import: nothing of any batch is applied.
 * - Per central device, the last seq imported is kept (settings row
 *   `centralImportSeqs`). Batches already imported are skipped, so the same
 *   folder can be imported again and again: only new batches count. A batch
 *   that would leave a gap after the last one imported is refused.
 * - A batch written by this desktop itself is refused.
 * - Each change's `id` is the central system's id, stored as `central_id`
 *   (a string). Per row, the last change in the batches wins; `data` fields
 *   that are absent leave the stored value; present ones are stored exactly
 *   as given.
 * - A contact is matched by central id, else by member number when that
 *   contact has no central id yet (it is then linked). A program likewise by
 *   central id, else by code. A component by the central id recorded when it
 *   was first imported (settings row `centralComponentIds`, central id →
 *   desktop id), under the program whose central id is its `program_id`.
 * - A row whose member number (contacts) or code (programs) belongs to another
 *   row here is rejected, as is a component whose program is neither here nor
 *   in the import; the rest is applied.
 */
import type { Db } from '../db/database';
import { whereInJson } from '../db/where-in-json';
import { ServiceError, stamp, systemClock, type Actor, type Executor, type ServiceContext } from '../services/context';
import { writeContext } from '../services/records';
import { settingsAndToday } from '../services/settings';
import { resortRecords } from '../services/contacts';
import type { JobProgress } from '../domain/progress';
import type { ComponentRow, ContactRow, ProgramRow } from '../domain/rows';
import { basisOf, collect, COMPONENT_IDS_KEY, IMPORT_SEQS_KEY, readMap, writeMap, type BatchImportBatch, type Collected } from './batch-folder';
import { planContacts } from './batch-contacts';
import { NOTHING_PENDING, planApplicationEvents, planCompletionEvents, writeApplications, writeCompletions, type EventDay } from './batch-events';
import { BatchPlanning, type BatchChangeAt, type BatchRejectedAt, type CountedKind, type Op } from './batch-plan';
import { planComponents, planPrograms } from './batch-programs';
import type { ChangeSample, ImportCounts, RejectedRow } from './result';
import { inTransaction, insertLogged, progressReporter, requireAdmin, updateLogged } from './write';

export { COMPONENT_IDS_KEY, IMPORT_SEQS_KEY, IMPORTED_ENTITIES, type BatchImportBatch } from './batch-folder';

export type BatchRejected = RejectedRow & BatchRejectedAt;
export type BatchChangeSample = ChangeSample & BatchChangeAt;

export interface BatchImportResult {
  folder: string;
  batches: BatchImportBatch[];
  /** Distinct rows (the last change of each), per entity and in total. */
  contacts: ImportCounts;
  programs: ImportCounts;
  components: ImportCounts;
  /** Application and completion events (batch-events.ts). */
  applications: ImportCounts;
  completions: ImportCounts;
  /** Completion events that name a CE category instead of a component: CE activities. */
  activities: ImportCounts;
  rows: ImportCounts;
  /** Changes of entities this import does not take, by entity (e.g. { record: 12 }). */
  ignored: Record<string, number>;
  /** The first 200 rejected rows. */
  rejected: BatchRejected[];
  /** The first 50 new or changed rows. */
  changes: BatchChangeSample[];
  /** What makes the whole import impossible; when any, counts are 0 and apply commits nothing. */
  problems: string[];
  /** Worth knowing, not wrong. */
  warnings: string[];
}

interface Plan {
  result: BatchImportResult;
  planning: BatchPlanning;
  ops: Op[];
  seqs: Record<string, number>;
  componentIds: Record<string, number>;
}

/**
 * Plans every entity's changes, parents first; each planner is one module.
 * A preview (`day` given) plans the events too, against what is stored, the
 * contacts and certifications of this import pending; apply plans the events
 * after writing those (applyEvents).
 */
async function plan(db: Executor, collected: Collected, folder: string, day?: EventDay): Promise<Plan> {
  const componentIds = await readMap(db, COMPONENT_IDS_KEY);
  const p = new BatchPlanning();
  if (collected.problems.length === 0) {
    await planContacts(db, collected.changes, p);
    const programs = await planPrograms(db, collected.changes, p);
    await planComponents(db, collected.changes, programs, componentIds, p);
    if (day) {
      const pending = {
        contacts: new Set(p.ops.flatMap((op) => (op.entity === 'contact' && op.kind === 'insert' ? [String(op.row.central_id)] : []))),
        programs: new Set(p.ops.flatMap((op) => (op.entity === 'program' && op.kind === 'insert' ? [String(op.row.central_id)] : []))),
      };
      const { enrolling } = await planApplicationEvents(db, collected.changes, p, day, pending);
      await planCompletionEvents(db, collected.changes, p, day, pending, enrolling);
    }
  }
  const failed = collected.problems.length > 0;
  return { result: resultOf(p, collected, folder), planning: p, ops: p.ops, seqs: failed ? {} : collected.seqs, componentIds };
}

function resultOf(p: BatchPlanning, collected: Collected, folder: string): BatchImportResult {
  const failed = collected.problems.length > 0;
  const counts = (entity: CountedKind): ImportCounts => p.tallies[entity].rows;
  return {
    folder,
    batches: failed ? [] : collected.batches,
    contacts: counts('contact'),
    programs: counts('program'),
    components: counts('component'),
    applications: counts('application'),
    completions: counts('completion'),
    activities: counts('activity'),
    rows: p.total.rows,
    ignored: failed ? {} : collected.ignored,
    rejected: p.total.rejected,
    changes: p.total.changes,
    problems: collected.problems,
    warnings: collected.warnings,
  };
}

/** The office's day and settings the events are decided against. */
const eventDay = (ctx: ServiceContext, db: Executor): Promise<EventDay> => settingsAndToday(ctx, db);

/** Apply's events, after the contacts, programs and components are written: applications, then the completions (which may follow them). */
async function applyEvents(ctx: ServiceContext, trx: Executor, actor: Actor, collected: Collected, p: BatchPlanning, at: string): Promise<void> {
  const day = await eventDay(ctx, trx);
  const w = { ...(await writeContext(ctx, trx, actor)), at };
  const { plan: applications } = await planApplicationEvents(trx, collected.changes, p, day, NOTHING_PENDING);
  await writeApplications(trx, applications, w);
  await writeCompletions(trx, await planCompletionEvents(trx, collected.changes, p, day, NOTHING_PENDING, new Set()), w);
}

// ---------------------------------------------------------------------------

/** What importing the batches in `folder` would do; writes nothing. `ctx` gives the office's day (events dated in the future are refused). */
export async function previewBatchImport(db: Db, folder: string, ctx: ServiceContext = { db, clock: systemClock }): Promise<BatchImportResult> {
  return (await plan(db, await collect(db, folder), folder, await eventDay(ctx, db))).result;
}

/**
 * Imports the batches in `folder` in one transaction (admin only): exactly
 * the rows the preview counts as new or changed, each logged for the sync
 * export; renamed contacts' records re-sorted; the last seq imported per
 * device and the component id map saved. A folder that fails verification
 * (or holds a gap, or this desktop's own batches) throws ServiceError INVALID
 * naming every problem, and commits nothing.
 */
export async function applyBatchImport(ctx: ServiceContext, actor: Actor, folder: string, job?: JobProgress): Promise<BatchImportResult> {
  requireAdmin(actor, 'import from the central system');
  job?.progress(0, null, 'Verifying the batches');
  // Reading and verifying the files happens before the transaction, so the database is not held meanwhile.
  const collected = await collect(ctx.db, folder);
  if (collected.problems.length > 0) {
    const shown = collected.problems.slice(0, 5).join(' ');
    throw new ServiceError(
      'INVALID',
      `Nothing was imported: ${shown}${collected.problems.length > 5 ? ` (and ${collected.problems.length - 5} more problems)` : ''}`,
    );
  }
  return inTransaction(ctx.db, async (trx) => {
    if ((await basisOf(trx)) !== collected.basis)
      throw new ServiceError('CONFLICT', 'Another import from the central system finished meanwhile. Preview the folder again.');
    const planned = await plan(trx, collected, folder);
    const { ops } = planned;
    const at = stamp(ctx);
    const tick = progressReporter(job, ops.length, (done) => `Importing from the central system: ${done} of ${ops.length}`);

    // Updates first, in plan order; then inserts. Inserts never free a member number or
    // code, so this order meets the unique constraints exactly as the plan checked them.
    const renamed: ContactRow[] = [];
    for (const op of ops) {
      if (op.entity === 'contact' && op.kind === 'update') {
        const row = await updateLogged<ContactRow>(trx, 'contacts', 'contact', op.id, { ...op.patch, updated_at: at }, at);
        if (op.patch.name_key !== undefined) renamed.push(row);
        tick(1);
      }
    }
    const contactInserts = ops.flatMap((op) => (op.entity === 'contact' && op.kind === 'insert' ? [{ ...op.row, created_at: at, updated_at: at }] : []));
    await insertLogged(trx, 'contacts', 'contact', contactInserts, at, tick);
    await resortRecords(trx, renamed, at);

    for (const op of ops) {
      if (op.entity === 'program' && op.kind === 'update') {
        await updateLogged<ProgramRow>(trx, 'programs', 'program', op.id, { ...op.patch, updated_at: at }, at);
        tick(1);
      }
    }
    const programInserts = ops.flatMap((op) => (op.entity === 'program' && op.kind === 'insert' ? [op] : []));
    const insertedProgramIds = await insertLogged(
      trx,
      'programs',
      'program',
      programInserts.map((op) => ({ ...op.row, created_at: at, updated_at: at })),
      at,
      tick,
    );
    // Codes are unique: map the planned programs to their ids by code.
    const insertedPrograms: Array<Pick<ProgramRow, 'id' | 'code'>> = await whereInJson(trx('programs'), 'id', insertedProgramIds).select('id', 'code');
    const programIdByCode = new Map(insertedPrograms.map((p) => [p.code, p.id]));
    const programIdOfRef = new Map(programInserts.map((op) => [op.ref, programIdByCode.get(op.row.code as string)]));
    const programId = (refOrId: number): number => {
      if (refOrId > 0) return refOrId;
      const id = programIdOfRef.get(-refOrId);
      if (id === undefined) throw new Error(`Planned certification ${-refOrId} was not inserted.`);
      return id;
    };

    const componentIds = { ...planned.componentIds };
    for (const op of ops) {
      if (op.entity !== 'component') continue;
      if (op.kind === 'update') {
        const patch = op.programRef !== null ? { ...op.patch, program_id: programId(op.programRef) } : op.patch;
        await updateLogged<ComponentRow>(trx, 'components', 'component', op.id, patch, at);
      } else {
        const [id] = await insertLogged(trx, 'components', 'component', [{ ...op.row, program_id: programId(op.programRef) }], at);
        if (id === undefined) throw new Error('insert returned no row');
        componentIds[op.centralId] = id;
      }
      tick(1);
    }
    await writeMap(trx, COMPONENT_IDS_KEY, componentIds);
    await applyEvents(ctx, trx, actor, collected, planned.planning, at);
    const seqs = await readMap(trx, IMPORT_SEQS_KEY);
    await writeMap(trx, IMPORT_SEQS_KEY, { ...seqs, ...planned.seqs });
    return resultOf(planned.planning, collected, folder);
  });
}

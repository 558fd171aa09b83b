/**
 * Component completions: the one way a completion is recorded — a click in the
 * record drawer, a line of the completions CSV, a completion event from the
 * central system — and the way staff remove one entered by mistake. Recording
 * writes the completion, asks the rules engine, and writes the record through
 * the record writer (history, change log, emails), in the caller's transaction.
 */
import { groupBy } from '../domain/group-by';
import { bulkInsert } from '../db/bulk-insert';
import type { Knex } from 'knex';
import type { ComponentRow, ProgramRow, RecordRow } from '../domain/rows';
import { rulesOf } from '../domain/program';
import { isCalendarDate, type CalendarDate } from '../rules/calendar';
import { planCompletionRemoval } from '../rules/completion-removal';
import { evaluate } from '../rules/engine';
import { logStoredRows } from './changelog';
import { ServiceError, type Actor, type Executor, type ServiceContext } from './context';
import { getProgram } from './programs';
import { applyDecisions, applyOne, type RecordChange, type WriteContext } from './record-writer';
import { askBeforeExpiring, getRecordRow, progressOf, progressOfMany, RECORDING_STATUSES, stateOf, writeContext } from './records';

/** What recording a completion needs of its record: an import keeps only this per line between preview and apply. */
export type CompletedRecord = Pick<RecordRow, 'id' | 'program_id' | 'status' | 'cycle' | 'completed_on' | 'approved_on' | 'expires_on'>;

/** One completion to record on a record whose status takes completions (RECORDING_STATUSES). */
export interface NewCompletion {
  record: CompletedRecord;
  component: Pick<ComponentRow, 'id' | 'name' | 'credits'>;
  completedOn: CalendarDate;
  /** Credits or hours earned; null: the component's. */
  credits: number | null;
  note: string;
  /** Where it came from: a learning system, an event, "central system"; '' when staff entered it. */
  source: string;
}

/**
 * Records completions (already checked by the caller) and answers, per record,
 * the engine's decision as a record change for the record writer. Completions
 * of one record become one change, so one history entry lists them.
 * `detail` says how they arrived ("imported from completions.csv, line 4").
 */
export async function addCompletions(
  trx: Executor,
  items: readonly NewCompletion[],
  programs: ReadonlyMap<number, ProgramRow>,
  w: WriteContext,
  detail: (item: NewCompletion) => string = () => '',
): Promise<RecordChange<CompletedRecord>[]> {
  if (items.length === 0) return [];
  const ids = await bulkInsert(
    trx,
    'component_progress',
    items.map((i) => ({
      record_id: i.record.id,
      component_id: i.component.id,
      cycle: i.record.cycle,
      completed_on: i.completedOn,
      credits: i.credits ?? i.component.credits,
      note: i.note,
      source: i.source,
      recorded_by: w.actor.id,
      recorded_at: w.at,
    })),
    { returning: 'id' },
  );
  await logStoredRows(trx, 'component_progress', 'progress', 'insert', ids, w.at);
  const byRecord = groupBy<NewCompletion, number>(items, (item) => item.record.id);
  const records = [...byRecord.values()].map((list) => (list[0] as NewCompletion).record);
  const progress = await progressOfMany(trx, records);
  return records.map((record) => {
    const list = byRecord.get(record.id) ?? [];
    const program = programs.get(record.program_id);
    if (!program) throw new Error(`Certification ${record.program_id} of record ${record.id} was not loaded.`);
    const p = progress.get(record.id) ?? { requiredTotal: 0, requiredDone: 0 };
    const decision = evaluate({ record: stateOf(record), program: rulesOf(program), progress: p, settings: w.settings, today: w.today });
    const notes = [...new Set(list.map((i) => i.note.trim()).filter((n) => n !== ''))];
    return {
      record,
      decision,
      kind: 'component',
      detail: list.map((i) => `${i.component.name} completed on ${i.completedOn}${detail(i)}`).join('; '),
      reason: notes.join('\n'),
      extra: { required_total: p.requiredTotal, required_done: p.requiredDone },
    };
  });
}

/**
 * Records many completions (an import) in steps of about `step`, a record's
 * completions always in one step so its history entry lists them all;
 * `onStep` is told how many were done (progress).
 */
export async function recordCompletionsInSteps<T extends NewCompletion>(
  trx: Executor,
  items: readonly T[],
  programs: ReadonlyMap<number, ProgramRow>,
  w: WriteContext,
  detail: (item: T) => string,
  onStep?: (n: number) => void,
  step = 2000,
): Promise<void> {
  const groups = groupBy(items, (item) => item.record.id);
  let part: T[] = [];
  const flush = async (): Promise<void> => {
    if (part.length === 0) return;
    await applyDecisions(trx, await addCompletions(trx, part, programs, w, detail as (item: NewCompletion) => string), w);
    onStep?.(part.length);
    part = [];
  };
  for (const list of groups.values()) {
    part.push(...list);
    if (part.length >= step) await flush();
  }
  await flush();
}

export interface CompleteComponentInput {
  recordId: number;
  componentId: number;
  completedOn: CalendarDate;
  credits?: number | null;
  note?: string;
  /** Staff confirmed that this completion makes the record Expired at once. */
  confirmExpired?: boolean;
}

/** Staff record one component completion in the record drawer; completing the last required one may complete the certification. */
export async function completeComponent(ctx: ServiceContext, actor: Actor, input: CompleteComponentInput): Promise<RecordRow> {
  return ctx.db.transaction(async (trx) => {
    const record = await getRecordRow(trx, input.recordId);
    const program = await getProgram(trx, record.program_id);
    const w = await writeContext(ctx, trx, actor);
    if (!RECORDING_STATUSES.includes(record.status)) {
      throw new ServiceError('REFUSED', `Completions are recorded while a certification is being worked on; this record is ${record.status}.`);
    }
    if (!isCalendarDate(input.completedOn)) throw new ServiceError('INVALID', 'Completion date must be a date (YYYY-MM-DD).', 'completedOn');
    if (input.completedOn > w.today) throw new ServiceError('INVALID', `Completion date ${input.completedOn} is in the future.`, 'completedOn');
    const component = (await trx('components').where({ id: input.componentId, program_id: record.program_id }).first()) as ComponentRow | undefined;
    if (!component) throw new ServiceError('NOT_FOUND', `Component ${input.componentId} is not part of this certification.`, 'componentId');
    const already = (await counted(trx).where({ record_id: record.id, component_id: component.id, cycle: record.cycle }).first()) as
      { completed_on: string } | undefined;
    if (already) throw new ServiceError('CONFLICT', `${component.name} was already completed on ${already.completed_on}.`, 'componentId');
    const item: NewCompletion = { record, component, completedOn: input.completedOn, credits: input.credits ?? null, note: input.note ?? '', source: '' };
    const [change] = await addCompletions(trx, [item], new Map([[program.id, program]]), w);
    if (!change) throw new Error('A completion made no record change.');
    askBeforeExpiring(record, change.decision, input.confirmExpired, 'completedOn', `With ${component.name} completed on ${input.completedOn}`);
    return applyOne(trx, change, w);
  });
}

/** Completions that count: not removed. */
export function counted(db: Executor): Knex.QueryBuilder {
  return db<object>('component_progress').whereNull('removed_at');
}

export interface RemoveCompletionInput {
  recordId: number;
  componentId: number;
  reason: string;
}

/**
 * Staff remove a completion entered by mistake, with a reason. The completion
 * is kept, marked removed (history keeps both it and its removal); the engine
 * re-decides under the rule of rules/completion-removal.ts, or the removal is
 * refused with the reason and nothing is written.
 */
export async function removeCompletion(ctx: ServiceContext, actor: Actor, input: RemoveCompletionInput): Promise<RecordRow> {
  return ctx.db.transaction(async (trx) => {
    if (input.reason.trim() === '') throw new ServiceError('INVALID', 'Say why the completion is removed.', 'reason');
    const record = await getRecordRow(trx, input.recordId);
    const program = await getProgram(trx, record.program_id);
    const component = (await trx('components').where({ id: input.componentId, program_id: record.program_id }).first()) as ComponentRow | undefined;
    if (!component) throw new ServiceError('NOT_FOUND', `Component ${input.componentId} is not part of this certification.`, 'componentId');
    // The current cycle's completion; else the latest earlier one, which the rule refuses with its reason.
    const done = (await counted(trx)
      .where({ record_id: record.id, component_id: component.id })
      .where('cycle', '<=', record.cycle)
      .orderBy('cycle', 'desc')
      .first()) as { id: number; cycle: number; completed_on: string } | undefined;
    if (!done) throw new ServiceError('NOT_FOUND', `${component.name} has no completion to remove.`, 'componentId');
    const w = await writeContext(ctx, trx, actor);
    const before = await progressOf(trx, record);
    const required = component.required === 1 && component.archived_at === null;
    const after = done.cycle === record.cycle && required ? { ...before, requiredDone: before.requiredDone - 1 } : before;
    const plan = planCompletionRemoval({
      record: { ...stateOf(record), cycle: record.cycle, expirationOverridden: record.expiration_overridden === 1 },
      completion: { componentName: component.name, required, cycle: done.cycle, completedOn: done.completed_on },
      program: rulesOf(program),
      before,
      after,
      settings: w.settings,
      today: w.today,
    });
    if ('allowed' in plan) throw new ServiceError('REFUSED', plan.reason);
    await trx('component_progress').where({ id: done.id }).update({ removed_at: w.at, removed_reason: input.reason.trim(), removed_by: actor.id });
    await logStoredRows(trx, 'component_progress', 'progress', 'update', [done.id], w.at);
    const counters = await progressOf(trx, record);
    return applyOne(
      trx,
      {
        record,
        decision: plan,
        kind: 'component',
        detail: `${component.name} completion of ${done.completed_on} removed`,
        reason: input.reason,
        extra: { required_total: counters.requiredTotal, required_done: counters.requiredDone },
      },
      w,
    );
  });
}

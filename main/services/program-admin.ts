/**
 * Admin changes to certification programs: edit with a preview of the effect
 * on existing records, apply to existing records or only to new ones, archive.
 * A program with records is never deleted.
 */
import { evaluate, timeStatus, type ProgramRules, type Progress } from '../rules/engine';
import { computeExpiration, describeExpiration } from '../rules/expiration';
import { type ExpirationRule } from '../rules/expiration';
import { changesFor, logChanges } from './changelog';
import { officeToday, ServiceError, stamp, type Actor, type Executor, type ServiceContext } from './context';
import { getProgram, programComponents, type NewComponent, type NewProgram } from './programs';
import { expirationOf, rulesOf } from '../domain/program';
import { applyDecisions, type RecordChange, type WriteContext } from './record-writer';
import { progressOfMany, RECORDING_STATUSES, stateOf } from './records';
import { TIMED_STATUSES } from '../rules/statuses';
import type { ComponentRow, RecordRow } from '../domain/rows';
import type { ProgramRow } from '../domain/rows';
import { readSettings } from './settings';

export interface ProgramEdit extends Omit<NewProgram, 'components'> {
  components: Array<NewComponent & { id?: number }>;
}

export interface ProgramChangeEffect {
  /** What changed, in words, for the confirmation and each record's history. */
  changes: string[];
  /** Granted records whose expiration date would be recomputed. */
  expirationRecomputed: number;
  /** Records still being worked on whose required components change. */
  progressRecounted: number;
  /** Status moves the change causes, e.g. { "Active → Expired": 3 }. */
  statusMoves: Record<string, number>;
}

function sameExpiration(a: ExpirationRule, b: ExpirationRule): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function describeChanges(before: ProgramRow, components: ComponentRow[], edit: ProgramEdit): string[] {
  const out: string[] = [];
  const oldExp = expirationOf(before);
  if (!sameExpiration(oldExp, edit.expiration)) out.push(`Expiration: ${describeExpiration(oldExp)} → ${describeExpiration(edit.expiration)}`);
  if ((before.require_completion_approval === 1) !== edit.requireCompletionApproval) {
    out.push(`Admin approval for completion: ${edit.requireCompletionApproval ? 'now required' : 'no longer required'}`);
  }
  if ((before.require_approval === 1) !== edit.requireApproval) out.push(`Require Approval: ${edit.requireApproval ? 'on' : 'off'}`);
  const oldRequired = components
    .filter((c) => c.required === 1)
    .map((c) => c.name)
    .sort()
    .join(', ');
  const newRequired = edit.components
    .filter((c) => c.required)
    .map((c) => c.name.trim())
    .sort()
    .join(', ');
  if (oldRequired !== newRequired) out.push(`Required components: ${oldRequired || 'none'} → ${newRequired || 'none'}`);
  return out;
}

/**
 * Each record's progress under the edited list of required components, counted
 * the way the saved program will count it: by component id. A kept component
 * (renamed or not) keeps its completions, a removed one stops counting, a new
 * one starts undone even when it reuses a removed one's name.
 */
async function progressUnderEdit(trx: Executor, programId: number, edit: ProgramEdit): Promise<(record: RecordRow) => Progress> {
  // The same test updateProgram uses to keep a component rather than add a new one.
  const existing = new Set((await programComponents(trx, programId)).map((c) => c.id));
  const required = edit.components.filter((c) => c.required);
  const keptRequired = new Set(required.flatMap((c) => (c.id !== undefined && existing.has(c.id) ? [c.id] : [])));
  const done: Array<{ record_id: number; cycle: number; component_id: number; completed_on: string | null }> = await trx('component_progress as cp')
    .join('records as r', 'r.id', 'cp.record_id')
    .where('r.program_id', programId)
    .whereNull('cp.removed_at')
    .select('cp.record_id', 'cp.cycle', 'cp.component_id', 'cp.completed_on');
  const byRecord = new Map<string, Progress>();
  for (const d of done) {
    if (!keptRequired.has(d.component_id)) continue;
    const key = `${d.record_id}|${d.cycle}`;
    const p = byRecord.get(key) ?? { requiredTotal: required.length, requiredDone: 0, lastCompletedOn: null };
    p.requiredDone++;
    if (d.completed_on && (!p.lastCompletedOn || d.completed_on > p.lastCompletedOn)) p.lastCompletedOn = d.completed_on;
    byRecord.set(key, p);
  }
  return (record) => byRecord.get(`${record.id}|${record.cycle}`) ?? { requiredTotal: required.length, requiredDone: 0, lastCompletedOn: null };
}

/** Plans the effect on existing records (used by the preview and by the apply). */
async function planExisting(
  trx: Executor,
  program: ProgramRow,
  edit: ProgramEdit,
  w: WriteContext,
  detail: string,
): Promise<{ changes: Array<RecordChange<RecordRow>>; effect: Omit<ProgramChangeEffect, 'changes'>; rules: ProgramRules }> {
  const records = (await trx('records').where({ program_id: program.id })) as RecordRow[];
  const expirationChanged = !sameExpiration(expirationOf(program), edit.expiration);
  const progressUnder = await progressUnderEdit(trx, program.id, edit);
  const changes: Array<RecordChange<RecordRow>> = [];
  const effect = { expirationRecomputed: 0, progressRecounted: 0, statusMoves: {} as Record<string, number> };
  const rules = {
    ...rulesOf(program),
    requireApproval: edit.requireApproval,
    requireCompletionApproval: edit.requireCompletionApproval,
    expiration: edit.expiration,
  };
  for (const record of records) {
    let change: RecordChange<RecordRow> | null = null;
    const granted = TIMED_STATUSES.includes(record.status) && record.expiration_overridden === 0;
    if (expirationChanged && granted) {
      const from = record.approved_on ?? record.completed_on;
      const expiresOn = from ? computeExpiration(edit.expiration, from) : null;
      if (expiresOn !== record.expires_on) {
        const t = timeStatus(expiresOn, w.settings, w.today);
        effect.expirationRecomputed++;
        change = {
          record,
          kind: 'expiration',
          detail: `${detail}; expiration date ${record.expires_on ?? 'none'} → ${expiresOn ?? 'none'}`,
          extra: { expires_on: expiresOn },
          decision: {
            status: t.status,
            rule: t.rule,
            changes: {},
            queueExpiringEmail: t.status === 'Expiring' && record.status !== 'Expiring',
            startsNewCycle: false,
          },
        };
      }
    }
    if (RECORDING_STATUSES.includes(record.status)) {
      const progress = progressUnder(record);
      const { requiredTotal, requiredDone } = progress;
      if (requiredTotal !== record.required_total || requiredDone !== record.required_done) {
        effect.progressRecounted++;
        change = {
          record,
          kind: 'component',
          detail: `${detail}; progress ${record.required_done}/${record.required_total} → ${requiredDone}/${requiredTotal}`,
          extra: { required_total: requiredTotal, required_done: requiredDone },
          decision: evaluate({ record: stateOf(record), program: rules, progress, settings: w.settings, today: w.today }),
        };
      }
    }
    if (change) {
      if (change.decision.status !== record.status) {
        const key = `${record.status} → ${change.decision.status}`;
        effect.statusMoves[key] = (effect.statusMoves[key] ?? 0) + 1;
      }
      changes.push(change);
    }
  }
  return { changes, effect, rules };
}

async function writeContextFor(ctx: ServiceContext, trx: Executor, actor: Actor): Promise<WriteContext> {
  const settings = await readSettings(trx);
  return { actor, settings, today: officeToday(ctx, settings.timeZone), at: stamp(ctx) };
}

export async function previewProgramEdit(ctx: ServiceContext, actor: Actor, id: number, edit: ProgramEdit): Promise<ProgramChangeEffect> {
  const program = await getProgram(ctx.db, id);
  const components = await programComponents(ctx.db, id);
  const w = await writeContextFor(ctx, ctx.db, actor);
  const changes = describeChanges(program, components, edit);
  const { effect } = await planExisting(ctx.db, program, edit, w, '');
  return { changes, ...effect };
}

/**
 * Saves a program edit in one transaction. With `applyToExisting`, existing
 * records follow the new rules (each gets a history entry); otherwise they
 * keep their expiration dates and only new completions use the new rules.
 */
export async function updateProgram(
  ctx: ServiceContext,
  actor: Actor,
  id: number,
  edit: ProgramEdit,
  applyToExisting: boolean,
): Promise<{ program: ProgramRow; effect: ProgramChangeEffect }> {
  return ctx.db.transaction(async (trx) => {
    const before = await getProgram(trx, id);
    const oldComponents = await programComponents(trx, id);
    const clash = (await trx('programs').where({ code: edit.code.trim() }).whereNot({ id }).first()) as ProgramRow | undefined;
    if (clash) throw new ServiceError('CONFLICT', `The code ${edit.code} is already used by ${clash.name}.`, 'code');
    const w = await writeContextFor(ctx, trx, actor);
    const changes = describeChanges(before, oldComponents, edit);
    const detail = `Certification rules changed by ${actor.name}: ${changes.join('; ') || 'details only'}`;
    const planned = applyToExisting ? await planExisting(trx, before, edit, w, detail) : null;

    const [program] = (await trx('programs')
      .where({ id })
      .update({
        code: edit.code.trim(),
        name: edit.name.trim(),
        version: edit.version ?? before.version,
        category: edit.category ?? '',
        description: edit.description ?? '',
        require_approval: edit.requireApproval,
        require_completion_approval: edit.requireCompletionApproval,
        expiration_kind: edit.expiration.kind,
        expiration_amount: edit.expiration.kind === 'period' ? edit.expiration.amount : null,
        expiration_unit: edit.expiration.kind === 'period' ? edit.expiration.unit : null,
        expiration_fixed_on: edit.expiration.kind === 'fixed' ? edit.expiration.date : null,
        updated_at: w.at,
      })
      .returning('*')) as ProgramRow[];
    if (!program) throw new Error('update returned no row');

    // Components: edit in place, add new, archive removed ones (progress refers to them).
    const touched: ComponentRow[] = [];
    const keep = new Set<number>();
    for (const [position, c] of edit.components.entries()) {
      const row = { name: c.name.trim(), kind: c.kind, credits: c.credits, credit_unit: c.creditUnit, required: c.required, position, archived_at: null };
      if (c.id !== undefined && oldComponents.some((o) => o.id === c.id)) {
        keep.add(c.id);
        touched.push(...((await trx('components').where({ id: c.id }).update(row).returning('*')) as ComponentRow[]));
      } else {
        touched.push(
          ...((await trx('components')
            .insert({ ...row, program_id: id })
            .returning('*')) as ComponentRow[]),
        );
      }
    }
    for (const old of oldComponents.filter((o) => !keep.has(o.id))) {
      touched.push(...((await trx('components').where({ id: old.id }).update({ archived_at: w.at }).returning('*')) as ComponentRow[]));
    }
    await logChanges(trx, [...changesFor('program', 'update', [program]), ...changesFor('component', 'update', touched)], w.at);

    if (planned) {
      // Components now have their final ids: recount against them and let the engine decide again from
      // that count, so what is written is what the saved program says (the preview counted the same way).
      const recount = await progressOfMany(
        trx,
        planned.changes.filter((c) => c.kind === 'component').map((c) => c.record),
      );
      const fixed = planned.changes.map((change): RecordChange => {
        const progress = recount.get(change.record.id);
        if (!progress || change.kind !== 'component') return change;
        const decision = evaluate({ record: stateOf(change.record), program: planned.rules, progress, settings: w.settings, today: w.today });
        return { ...change, decision, extra: { required_total: progress.requiredTotal, required_done: progress.requiredDone } };
      });
      await applyDecisions(trx, fixed, w);
    }
    return { program, effect: { changes, ...(planned?.effect ?? { expirationRecomputed: 0, progressRecounted: 0, statusMoves: {} }) } };
  });
}

export async function setProgramArchived(ctx: ServiceContext, id: number, archived: boolean): Promise<ProgramRow> {
  return ctx.db.transaction(async (trx) => {
    await getProgram(trx, id);
    const at = stamp(ctx);
    const [program] = (await trx('programs')
      .where({ id })
      .update({ archived_at: archived ? at : null, updated_at: at })
      .returning('*')) as ProgramRow[];
    if (!program) throw new Error('update returned no row');
    await logChanges(trx, changesFor('program', 'update', [program]), at);
    return program;
  });
}

export interface ProgramWithComponents extends ProgramRow {
  components: ComponentRow[];
  records: number;
}

export async function programsForAdmin(db: Executor): Promise<ProgramWithComponents[]> {
  const programs = (await db('programs').orderBy('name')) as ProgramRow[];
  const components = (await db('components').whereNull('archived_at').orderBy(['program_id', 'position'])) as ComponentRow[];
  const counts: Array<{ program_id: number; n: number }> = await db('records').select('program_id').count({ n: '*' }).groupBy('program_id');
  return programs.map((p) => ({
    ...p,
    components: components.filter((c) => c.program_id === p.id),
    records: Number(counts.find((c) => c.program_id === p.id)?.n ?? 0),
  }));
}

/**
 * Renewal by CE credits (SPEC §6): the category list, a program's renewal requirement, CE activities
 * recorded against a certification record (added, removed with a reason), what the record screen shows
 * of them, and renewal into the next cycle when the requirement is met. Each change is one transaction
 * with its history entry and change-log entries; the record's kept credit columns follow in it.
 */
import { groupBy } from '../domain/group-by';
import { addDays, compareDates, type CalendarDate } from '../rules/calendar';
import { timeStatus } from '../rules/engine';
import { carryOver, isOnTrack, nextCycle, onTrackUntil, type CreditStanding, type Cycle } from '../rules/credits';
import { TIMED_STATUSES } from '../rules/statuses';
import { expirationOf } from '../domain/program';
import { renewalColumns, requirementOf, type CreditActivityInput, type RenewalRequirementInput } from '../domain/renewal';
import type { ProgramRow, RecordRow } from '../domain/rows';
import { whereInJson } from '../db/where-in-json';
import { changesFor, logChanges, logStoredRows } from './changelog';
import { officeToday, ServiceError, stamp, type Actor, type Executor, type ServiceContext } from './context';
import { refreshCredits, standingOf, type ActivityRow } from './credit-standing';
import { getProgram } from './programs';
import { applyDecisions, applyOne, type RecordChange, type WriteContext } from './record-writer';
import { bulkInsert } from '../db/bulk-insert';
import { getRecordRow, writeContext } from './records';
import { readSettings } from './settings';

// ---------------------------------------------------------------------------
// Categories

export interface CreditCategory {
  id: number;
  name: string;
}

export async function listCategories(db: Executor): Promise<CreditCategory[]> {
  return (await db('credit_categories').select('id', 'name').orderBy(['position', 'id'])) as CreditCategory[];
}

export async function addCategory(ctx: ServiceContext, name: string): Promise<CreditCategory[]> {
  const trimmed = name.trim();
  return ctx.db.transaction(async (trx) => {
    const same = (await trx('credit_categories').whereRaw('name = ? COLLATE NOCASE', [trimmed]).first()) as CreditCategory | undefined;
    if (same) throw new ServiceError('CONFLICT', `The category ${same.name} is already on the list.`, 'name');
    const last = (await trx('credit_categories').max({ p: 'position' }).first()) as { p: number | null } | undefined;
    await trx('credit_categories').insert({ name: trimmed, position: (last?.p ?? 0) + 1, created_at: stamp(ctx) });
    return listCategories(trx);
  });
}

/** Takes a category off the list; activities keep the name they were recorded with. Refused while a requirement names it. */
export async function removeCategory(ctx: ServiceContext, id: number): Promise<CreditCategory[]> {
  return ctx.db.transaction(async (trx) => {
    const category = (await trx('credit_categories').where({ id }).first()) as CreditCategory | undefined;
    if (!category) throw new ServiceError('NOT_FOUND', `Credit category ${id} does not exist.`);
    const programs: Array<Pick<ProgramRow, 'name' | 'renewal_minimums'>> = await trx('programs')
      .whereNotNull('renewal_credits')
      .select('name', 'renewal_minimums');
    const users = programs.filter((p) => (JSON.parse(p.renewal_minimums) as Array<{ category: string }>).some((m) => sameName(m.category, category.name)));
    if (users.length > 0) {
      throw new ServiceError('REFUSED', `${category.name} has a minimum in ${users.map((p) => p.name).join(', ')}; remove the minimum there first.`);
    }
    await trx('credit_categories').where({ id }).delete();
    return listCategories(trx);
  });
}

const sameName = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

// ---------------------------------------------------------------------------
// A program's requirement

/**
 * Sets (or, with null, removes) a program's renewal requirement; every record of the program has its
 * kept credit columns recomputed, and those that changed are logged, in the same transaction.
 */
export async function setRenewalRequirement(
  ctx: ServiceContext,
  input: { programId: number; requirement: RenewalRequirementInput | null },
): Promise<ProgramRow> {
  return ctx.db.transaction(async (trx) => {
    await getProgram(trx, input.programId);
    if (input.requirement) {
      const known = await listCategories(trx);
      for (const m of input.requirement.minimums) {
        if (!known.some((c) => sameName(c.name, m.category))) {
          throw new ServiceError('INVALID', `${m.category} is not on the list of credit categories (Settings › Credit categories).`, 'minimums');
        }
      }
    }
    const at = stamp(ctx);
    const [program] = (await trx('programs')
      .where({ id: input.programId })
      .update({ ...renewalColumns(input.requirement), updated_at: at })
      .returning('*')) as ProgramRow[];
    if (!program) throw new Error('update returned no row');
    await logChanges(trx, changesFor('program', 'update', [program]), at);
    const ids = (await trx('records').where({ program_id: input.programId }).pluck('id')) as number[];
    const changed = await refreshCredits(trx, ids);
    await logStoredRows(trx, 'records', 'record', 'update', changed, at);
    return program;
  });
}

// ---------------------------------------------------------------------------
// What the record screen shows

export interface ActivityView {
  id: number;
  cycle: number;
  kind: 'activity' | 'carry-over';
  earnedOn: CalendarDate;
  title: string;
  category: string | null;
  credits: number;
  source: string;
  recordedAt: string;
  removedAt: string | null;
  removedReason: string | null;
  /** Why it does not count, or null when it counts towards the current cycle. */
  notCounted: string | null;
}

export interface RecordCredits {
  requirement: ReturnType<typeof requirementOf>;
  /** The current cycle (first and last day), or null when none applies. */
  cycle: Cycle | null;
  standing: CreditStanding | null;
  onTrack: boolean | null;
  onTrackUntil: CalendarDate | null;
  /** Staff may add activities (the program has a requirement). */
  canAdd: boolean;
  /** The requirement is met and the record can renew now; otherwise why not. */
  renewal: { allowed: true; next: Cycle; carryOver: number; to: 'Active' | 'Admin Review' } | { allowed: false; reason: string };
  currentCycleNumber: number;
  /** Every activity, newest cycle first, newest first within it. */
  activities: ActivityView[];
}

function describeOutside(cycle: Cycle | null, a: ActivityRow, currentCycleNumber: number): string | null {
  if (a.removed_at !== null) return 'Removed';
  if (a.cycle !== currentCycleNumber) return `Counted in cycle ${a.cycle} (a previous cycle)`;
  if (a.kind === 'carry-over') return cycle === null ? whyNotCounted(cycle, a.earned_on) : null;
  return whyNotCounted(cycle, a.earned_on);
}

/** Why an activity dated `earnedOn` does not count in the record's running cycle (null: none runs), or null when it counts. */
export function whyNotCounted(cycle: Cycle | null, earnedOn: CalendarDate): string | null {
  if (cycle === null) return 'Does not count: no cycle is running (the certification is not held)';
  if (compareDates(earnedOn, cycle.startsOn) < 0 || compareDates(earnedOn, cycle.endsOn) > 0) {
    return `Does not count: outside this cycle (${cycle.startsOn} – ${cycle.endsOn})`;
  }
  return null;
}

export async function recordCredits(ctx: ServiceContext, recordId: number): Promise<RecordCredits> {
  const record = await getRecordRow(ctx.db, recordId);
  const program = await getProgram(ctx.db, record.program_id);
  const settings = await readSettings(ctx.db);
  const today = officeToday(ctx, settings.timeZone);
  const all = (await ctx
    .db('ce_activities')
    .where({ record_id: recordId })
    .orderBy([
      { column: 'cycle', order: 'desc' },
      { column: 'earned_on', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])) as ActivityRow[];
  const requirement = requirementOf(program);
  const s = standingOf({ ...record, ...program, id: record.id }, all);
  return {
    requirement,
    cycle: s?.cycle ?? null,
    standing: s?.standing ?? null,
    onTrack: s ? isOnTrack(s.cycle, s.standing, today) : null,
    onTrackUntil: s ? onTrackUntil(s.cycle, s.standing) : null,
    canAdd: requirement !== null,
    renewal: renewalPlan(record, program, s),
    currentCycleNumber: record.cycle,
    activities: all.map((a) => ({
      id: a.id,
      cycle: a.cycle,
      kind: a.kind,
      earnedOn: a.earned_on,
      title: a.title,
      category: a.category,
      credits: a.credits,
      source: a.source,
      recordedAt: a.recorded_at,
      removedAt: a.removed_at,
      removedReason: a.removed_reason,
      notCounted: describeOutside(s?.cycle ?? null, a, record.cycle),
    })),
  };
}

function renewalPlan(record: RecordRow, program: ProgramRow, s: ReturnType<typeof standingOf>): RecordCredits['renewal'] {
  const requirement = requirementOf(program);
  if (requirement === null) return { allowed: false, reason: 'This certification has no renewal requirement.' };
  if (!TIMED_STATUSES.includes(record.status))
    return { allowed: false, reason: `Only an Active, Expiring or Expired certification renews; this one is ${record.status}.` };
  if (!s) return { allowed: false, reason: 'The certification has no cycle to renew (no completion or expiration date).' };
  if (!s.standing.met) return { allowed: false, reason: `${s.standing.needed} more credits are needed before it can renew.` };
  const next = nextCycle(expirationOf(program), s.cycle);
  if (!next.ok) return { allowed: false, reason: next.reason };
  return { allowed: true, next: next.cycle, carryOver: carryOver(requirement, s.standing), to: requirement.review ? 'Admin Review' : 'Active' };
}

// ---------------------------------------------------------------------------
// Activities

const fmt = (n: number): string => String(Math.round(n * 100) / 100);

async function writeCreditChange(trx: Executor, ctx: ServiceContext, actor: Actor, record: RecordRow, detail: string, reason?: string): Promise<RecordRow> {
  const w = await writeContext(ctx, trx, actor);
  return applyOne(trx, creditChange(record, STAFF_RULE, detail, reason), w);
}

const STAFF_RULE = 'CE credits recorded by staff';

/** A record change that only records credits: the status stays; the writer keeps the credit columns, history and change log. */
function creditChange(record: RecordRow, rule: string, detail: string, reason?: string): RecordChange {
  const decision = { status: record.status, rule, changes: {}, queueExpiringEmail: false, startsNewCycle: false };
  return { record, decision, kind: 'credit', detail, reason };
}

/** The category on the list with this name (any case), or undefined. */
export function findCategory(categories: readonly CreditCategory[], name: string): CreditCategory | undefined {
  return categories.find((c) => sameName(c.name, name));
}

/** One CE activity to record (already checked): against the record's current cycle. */
export interface NewActivity {
  record: RecordRow;
  earnedOn: CalendarDate;
  title: string;
  /** As on the list of categories. */
  category: string;
  credits: number;
  source: string;
  /** The id it has where it came from (a learning system's), which makes an import idempotent; null: none. */
  externalId: string | null;
}

/** "CE activity added: 3 Ethics credits, "Title" on 2026-03-01, source X": the history's words for one activity. */
export function activityWords(a: Pick<NewActivity, 'credits' | 'category' | 'title' | 'earnedOn' | 'source'>): string {
  const source = a.source.trim() ? `, source ${a.source.trim()}` : '';
  return `CE activity added: ${fmt(a.credits)} ${a.category} credits, "${a.title.trim()}" on ${a.earnedOn}${source}`;
}

/**
 * Records CE activities in the caller's transaction: the rows (logged), then per record one history
 * entry listing them, through the record writer (which keeps the record's credit columns). The one path
 * of an activity: the record drawer and the completions import. `detail` says how each arrived.
 */
export async function addActivities(
  trx: Executor,
  items: readonly NewActivity[],
  w: WriteContext,
  rule: string = STAFF_RULE,
  detail: (item: NewActivity) => string = () => '',
): Promise<void> {
  if (items.length === 0) return;
  const ids = await bulkInsert(
    trx,
    'ce_activities',
    items.map((a) => ({
      record_id: a.record.id,
      cycle: a.record.cycle,
      kind: 'activity',
      earned_on: a.earnedOn,
      title: a.title.trim(),
      category: a.category,
      credits: a.credits,
      source: a.source.trim(),
      external_id: a.externalId,
      recorded_by: w.actor.id,
      recorded_at: w.at,
    })),
    { returning: 'id' },
  );
  await logStoredRows(trx, 'ce_activities', 'activity', 'insert', ids, w.at);
  const byRecord = groupBy(items, (a) => a.record.id);
  const changes = [...byRecord.values()].map((list) =>
    creditChange((list[0] as NewActivity).record, rule, list.map((a) => `${activityWords(a)}${detail(a)}`).join('; ')),
  );
  await applyDecisions(trx, changes, w);
}

/**
 * Records imported CE activities in steps of `step` (progress between), each step's records read as they
 * are now: a completion written earlier in the same transaction may have started the cycle they count in.
 * The completions CSV and the central batches' events record their activities by this.
 */
export async function addActivitiesInSteps<T extends NewActivity>(
  trx: Executor,
  items: readonly T[],
  w: WriteContext,
  rule: string,
  detail: (item: T) => string,
  onStep?: (n: number) => void,
  step = 5000,
): Promise<void> {
  for (let i = 0; i < items.length; i += step) {
    const part = items.slice(i, i + step);
    const ids = [...new Set(part.map((a) => a.record.id))];
    const now = new Map(((await whereInJson(trx('records'), 'id', ids).select('*')) as RecordRow[]).map((r) => [r.id, r]));
    await addActivities(
      trx,
      part.map((a) => ({ ...a, record: now.get(a.record.id) ?? a.record })),
      w,
      rule,
      (a) => detail(a as T),
    );
    onStep?.(part.length);
  }
}

export async function addActivity(ctx: ServiceContext, actor: Actor, input: CreditActivityInput): Promise<RecordRow> {
  return ctx.db.transaction(async (trx) => {
    const record = await getRecordRow(trx, input.recordId);
    const program = await getProgram(trx, record.program_id);
    if (requirementOf(program) === null) {
      throw new ServiceError('REFUSED', `${program.name} has no renewal requirement; set one in Settings › Certification programs first.`);
    }
    const w = await writeContext(ctx, trx, actor);
    if (compareDates(input.earnedOn, w.today) > 0)
      throw new ServiceError('INVALID', `The activity date ${input.earnedOn} is in the future (today is ${w.today}).`, 'earnedOn');
    const category = findCategory(await listCategories(trx), input.category);
    if (!category) throw new ServiceError('INVALID', `${input.category} is not on the list of credit categories.`, 'category');
    const item: NewActivity = {
      record,
      earnedOn: input.earnedOn,
      title: input.title,
      category: category.name,
      credits: input.credits,
      source: input.source,
      externalId: null,
    };
    await addActivities(trx, [item], w);
    return getRecordRow(trx, record.id);
  });
}

export async function removeActivity(ctx: ServiceContext, actor: Actor, input: { id: number; reason: string }): Promise<RecordRow> {
  return ctx.db.transaction(async (trx) => {
    const activity = (await trx('ce_activities').where({ id: input.id }).first()) as ActivityRow | undefined;
    if (!activity) throw new ServiceError('NOT_FOUND', `CE activity ${input.id} does not exist.`);
    if (activity.removed_at !== null) throw new ServiceError('REFUSED', `This activity was already removed (${activity.removed_reason ?? ''}).`);
    const record = await getRecordRow(trx, activity.record_id);
    const at = stamp(ctx);
    await trx('ce_activities').where({ id: input.id }).update({ removed_at: at, removed_by: actor.id, removed_reason: input.reason.trim() });
    await logStoredRows(trx, 'ce_activities', 'activity', 'update', [input.id], at);
    const what = activity.kind === 'carry-over' ? 'carried-over' : (activity.category ?? '');
    return writeCreditChange(
      trx,
      ctx,
      actor,
      record,
      `CE activity removed: ${fmt(activity.credits)} ${what} credits, "${activity.title}" on ${activity.earned_on}`,
      input.reason,
    );
  });
}

// ---------------------------------------------------------------------------
// Renewal

/**
 * Renews a certification whose requirement is met: the next cycle runs from the day after the previous
 * expiration date to the program's period counted from that date (not from today), status Active —
 * or Admin Review when the program says so — re-derived by the time rules; the old cycle's activities
 * stay with their cycle; at most the cap of excess credits moves into the new cycle as one carry-over entry.
 */
export async function renewByCredits(ctx: ServiceContext, actor: Actor, input: { id: number }): Promise<RecordRow> {
  return ctx.db.transaction(async (trx) => {
    const record = await getRecordRow(trx, input.id);
    const program = await getProgram(trx, record.program_id);
    const activities = (await trx('ce_activities').where({ record_id: record.id }).whereNull('removed_at')) as ActivityRow[];
    const plan = renewalPlan(record, program, standingOf({ ...record, ...program, id: record.id }, activities));
    if (!plan.allowed) throw new ServiceError('REFUSED', plan.reason);
    const w = await writeContext(ctx, trx, actor);
    const status = plan.to === 'Admin Review' ? 'Admin Review' : timeStatus(plan.next.endsOn, w.settings, w.today).status;
    const carried = plan.carryOver > 0 ? `; ${fmt(plan.carryOver)} credits carried over` : '';
    const rule =
      plan.to === 'Admin Review'
        ? 'Renewal requirement met; the certification requires admin approval for renewal'
        : `Renewal requirement met; ${timeStatus(plan.next.endsOn, w.settings, w.today).rule.toLowerCase()}`;
    const change: RecordChange = {
      record,
      decision: { status, rule, changes: { expiresOn: plan.next.endsOn }, queueExpiringEmail: status === 'Expiring', startsNewCycle: false },
      kind: 'status',
      detail: `Renewed by CE credits: cycle ${record.cycle + 1} runs ${plan.next.startsOn} – ${plan.next.endsOn} (from the previous expiration date ${addDays(plan.next.startsOn, -1)})${carried}`,
      extra: { cycle: record.cycle + 1, cycle_starts_on: plan.next.startsOn, approved_on: plan.to === 'Active' ? w.today : record.approved_on },
    };
    if (plan.carryOver > 0) {
      const [row]: Array<{ id: number }> = await trx('ce_activities')
        .insert({
          record_id: record.id,
          cycle: record.cycle + 1,
          kind: 'carry-over',
          earned_on: plan.next.startsOn,
          title: `Carried over from cycle ${record.cycle}`,
          category: null,
          credits: plan.carryOver,
          source: 'carry-over',
          recorded_by: actor.id,
          recorded_at: w.at,
        })
        .returning('id');
      if (row) await logStoredRows(trx, 'ce_activities', 'activity', 'insert', [row.id], w.at);
    }
    return applyOne(trx, change, w);
  });
}

/** Records of `ids` (for tests and tools): their kept credit columns as stored. */
export async function keptCredits(db: Executor, ids: readonly number[]): Promise<Array<Pick<RecordRow, 'id' | 'credits_needed' | 'credits_on_track_until'>>> {
  return (await whereInJson(db('records'), 'id', ids).select('id', 'credits_needed', 'credits_on_track_until').orderBy('id')) as Array<
    Pick<RecordRow, 'id' | 'credits_needed' | 'credits_on_track_until'>
  >;
}

/**
 * The record checker (issue 18): finds records that contradict the rules — as a crash, an old
 * import or a hand-edited file can leave them — says which rule each breaks, and fixes them through
 * the rules engine and the record writer (history and change log in the same transaction).
 * Every rule is one SQL condition served by an index (migrations 003, 006 and 018), counted and paged
 * in SQL: no rule reads every record into memory, so it runs at a million records.
 */
import type { Knex } from 'knex';
import type { JobProgress } from '../domain/progress';
import { displayName } from '../domain/contact';
import { rulesOf } from '../domain/program';
import type { ProgramRow, RecordRow } from '../domain/rows';
import { whereInJson } from '../db/where-in-json';
import type { CalendarDate } from '../rules/calendar';
import { evaluate, timeStatus, type Decision } from '../rules/engine';
import type { Status } from '../rules/statuses';
import { officeToday, ServiceError, stamp, type Actor, type Executor, type ServiceContext } from './context';
import { applyDecisions, type RecordChange, type WriteContext } from './record-writer';
import { progressOfMany, stateOf } from './records';
import { readSettings } from './settings';

export const CHECK_RULE_IDS = [
  'completed-without-date',
  'expired-before-date',
  'valid-after-date',
  'in-progress-all-done',
  'email-untrue',
  'cycle-without-start',
] as const;
export type CheckRuleId = (typeof CHECK_RULE_IDS)[number];

/** Statuses a record reaches only by completing its certification. */
const COMPLETED: readonly Status[] = ['Admin Review', 'Active', 'Expiring', 'Expired'];
/** Statuses of a cycle that has begun (Applied, Declined and Cancelled may never have started). */
const STARTED: readonly Status[] = ['In Progress', 'Inactive', 'Not Completed', 'Admin Review', 'Active', 'Expiring', 'Expired'];

interface RuleSpec {
  title: string;
  /** The rule that is broken, in words. */
  rule: string;
  /** What one click does. */
  fix: string;
  /**
   * The index that finds the rule's records (null: found by id from the outbox). Named, because with
   * ORDER BY id the planner prefers walking a status index in id order, reading every record of the
   * status from the table (test/integration/checker-plans.test.ts).
   */
  index: string | null;
  where: (q: Knex.QueryBuilder, today: CalendarDate) => Knex.QueryBuilder;
}

const RULES: Record<CheckRuleId, RuleSpec> = {
  'completed-without-date': {
    title: 'Completed status without a completion date',
    rule: 'Admin Review, Active, Expiring and Expired follow completion, so the record must say when it was completed.',
    fix: 'Sets the completion date from the record (approval date, else the day its history shows it completed, else its start) and re-derives the status from the expiration date.',
    index: 'records_status_completed_order',
    where: (q) => q.whereIn('r.status', [...COMPLETED]).whereRaw('(r.completed_on is null) = 1'),
  },
  'expired-before-date': {
    title: 'Expired with an expiration date not yet passed',
    rule: 'A certification is valid through its expiration date and Expired only from the next day; one with no expiration date never expires.',
    fix: 'Re-derives Active or Expiring from the expiration date and n.',
    index: 'records_status_expires_cover',
    // Two branches, each whole on the index's columns (the status in both): SQLite searches the index once per branch
    // (MULTI-INDEX OR) instead of reading every Expired record.
    where: (q, today) =>
      q.where(
        (w) =>
          void w
            .where((a) => void a.where('r.status', 'Expired').whereRaw('(r.expires_on is null) = 1'))
            .orWhere((b) => void b.where('r.status', 'Expired').whereRaw('(r.expires_on is null) = 0').where('r.expires_on', '>=', today)),
      ),
  },
  'valid-after-date': {
    title: 'Active or Expiring after the expiration date',
    rule: 'A certification is Expired from the day after its expiration date.',
    fix: 'Sets Expired, as the after-midnight sweep would.',
    index: 'records_status_expires_cover',
    where: (q, today) => q.whereIn('r.status', ['Active', 'Expiring']).whereRaw('(r.expires_on is null) = 0').where('r.expires_on', '<', today),
  },
  'in-progress-all-done': {
    title: 'In Progress with every required component done',
    rule: 'When every required component is completed, the record moves to Active (or Admin Review when the certification requires approval of completion).',
    fix: 'Recounts the components of the current cycle and applies the completion rule (or corrects the count).',
    // Word for word the condition of migration 018's partial index (SQLite uses it only for the same terms, constants included).
    index: 'records_in_progress_all_done',
    where: (q) => q.whereRaw("r.status = 'In Progress' AND r.required_total > 0 AND r.required_done >= r.required_total"),
  },
  'email-untrue': {
    title: 'Email queued for a record it no longer fits',
    rule: 'A queued "Certification Expiring" email is for a record Expiring on that date; a queued reminder for a record in that cycle, on that date, still holding (or, after expiration, still Expired).',
    fix: 'Withdraws the email (kept, marked withdrawn, never sent).',
    index: null,
    where: (q) =>
      q.whereRaw(
        `r.id IN (SELECT o.record_id FROM outbox o JOIN records x ON x.id = o.record_id
                  WHERE o.state = 'queued' AND (
                    (o.kind = 'certification-expiring' AND (x.status <> 'Expiring' OR x.expires_on IS NOT o.expires_on))
                    OR (o.reminder_offset IS NOT NULL AND (x.cycle IS NOT o.cycle OR x.expires_on IS NOT o.expires_on
                        OR (o.reminder_offset < 0 AND x.status NOT IN ('Active', 'Expiring')) OR (o.reminder_offset > 0 AND x.status <> 'Expired')))))`,
      ),
  },
  'cycle-without-start': {
    title: 'A cycle with no start date',
    rule: 'A record that is being worked on, or was completed, has a cycle that started on a day.',
    fix: 'Sets the start date from the application date, else the first day of this cycle in its history, else the day the record was created.',
    index: 'records_status_started_order',
    where: (q) => q.whereIn('r.status', [...STARTED]).whereRaw('(r.started_on is null) = 1'),
  },
};

export interface CheckFinding {
  recordId: number;
  contact: string;
  certification: string;
  status: Status;
  cycle: number;
  startedOn: string | null;
  completedOn: string | null;
  expiresOn: string | null;
}

export interface CheckRuleResult {
  id: CheckRuleId;
  title: string;
  rule: string;
  fix: string;
  count: number;
  /** The first records breaking it, by id. */
  findings: CheckFinding[];
}

export interface CheckResult {
  today: CalendarDate;
  records: number;
  rules: CheckRuleResult[];
}

/** Findings listed per rule; the rest are counted and fixed in bulk. */
export const FINDINGS_SHOWN = 50;
const FIX_CHUNK = 1000;

/** The records breaking a rule, found through the rule's index (`byId`: records named by id are looked up by id instead). */
function matching(db: Executor, id: CheckRuleId, today: CalendarDate, byId = false): Knex.QueryBuilder {
  const { index, where } = RULES[id];
  const records = index === null || byId ? db('records as r') : db.from(db.raw('?? as r indexed by ??', ['records', index]));
  return where(records, today);
}

async function findingsOf(db: Executor, id: CheckRuleId, today: CalendarDate): Promise<CheckFinding[]> {
  const rows: Array<{
    id: number;
    status: Status;
    cycle: number;
    started_on: string | null;
    completed_on: string | null;
    expires_on: string | null;
    first_name: string;
    last_name: string;
    program: string;
  }> = await matching(db, id, today)
    .join('contacts as c', 'c.id', 'r.contact_id')
    .join('programs as p', 'p.id', 'r.program_id')
    .orderBy('r.id')
    .limit(FINDINGS_SHOWN)
    .select('r.id', 'r.status', 'r.cycle', 'r.started_on', 'r.completed_on', 'r.expires_on', 'c.first_name', 'c.last_name', 'p.name as program');
  return rows.map((r) => ({
    recordId: r.id,
    contact: displayName(r),
    certification: r.program,
    status: r.status,
    cycle: r.cycle,
    startedOn: r.started_on,
    completedOn: r.completed_on,
    expiresOn: r.expires_on,
  }));
}

/** Runs every rule: a count and the first findings each (a job: progress per rule). */
export async function checkRecords(ctx: ServiceContext, job?: JobProgress): Promise<CheckResult> {
  const settings = await readSettings(ctx.db);
  const today = officeToday(ctx, settings.timeZone);
  const total = (await ctx.db('records').count({ n: '*' }).first()) as { n: number } | undefined;
  const rules: CheckRuleResult[] = [];
  job?.progress(0, CHECK_RULE_IDS.length, 'Checking records');
  for (const [i, id] of CHECK_RULE_IDS.entries()) {
    const spec = RULES[id];
    job?.progress(i, CHECK_RULE_IDS.length, `Checking: ${spec.title}`);
    const counted = (await matching(ctx.db, id, today).count({ n: '*' }).first()) as { n: number } | undefined;
    const count = Number(counted?.n ?? 0);
    rules.push({ id, title: spec.title, rule: spec.rule, fix: spec.fix, count, findings: count ? await findingsOf(ctx.db, id, today) : [] });
  }
  job?.progress(CHECK_RULE_IDS.length, CHECK_RULE_IDS.length, 'Checked');
  return { today, records: Number(total?.n ?? 0), rules };
}

/** The earliest day of each record's current cycle in its history that moved it into one of `to` (any entry when `to` is empty). */
async function firstHistoryDay(trx: Executor, records: readonly RecordRow[], to: readonly Status[]): Promise<Map<number, string>> {
  const q = whereInJson(
    trx('record_history as h').join('records as r', (j) => void j.on('r.id', 'h.record_id').andOn('r.cycle', 'h.cycle')),
    'h.record_id',
    records.map((r) => r.id),
  )
    .groupBy('h.record_id')
    .select('h.record_id')
    .min({ day: 'h.on_date' });
  if (to.length) void q.whereIn('h.to_status', [...to]);
  const rows = (await q) as Array<{ record_id: number; day: string }>;
  return new Map(rows.map((r) => [r.record_id, r.day]));
}

/** Status re-derived from the expiration date for a record holding (or having held) its certification. */
function retimed(record: RecordRow, w: WriteContext, why: string, changes: Decision['changes'] = {}): Decision {
  const expiresOn = changes.expiresOn !== undefined ? changes.expiresOn : record.expires_on;
  const { status, rule } = timeStatus(expiresOn, w.settings, w.today);
  return { status, rule: `${why}; ${rule}`, changes, queueExpiringEmail: status === 'Expiring' && record.status !== 'Expiring', startsNewCycle: false };
}

const kept = (record: RecordRow, rule: string, changes: Decision['changes'] = {}): Decision => ({
  status: record.status,
  rule,
  changes,
  queueExpiringEmail: false,
  startsNewCycle: false,
});

/** The engine's decision that resolves each record's contradiction. */
async function decide(trx: Executor, id: CheckRuleId, records: RecordRow[], w: WriteContext): Promise<RecordChange[]> {
  const detail = `Record checker: ${RULES[id].title}`;
  const change = (record: RecordRow, decision: Decision, extra?: Partial<RecordRow>): RecordChange => ({
    record,
    decision,
    kind: 'check',
    detail,
    reason: 'Fixed by the record checker',
    extra,
  });
  switch (id) {
    case 'completed-without-date': {
      const days = await firstHistoryDay(trx, records, COMPLETED);
      return records.map((r) => {
        const on = r.approved_on ?? days.get(r.id) ?? r.started_on ?? w.today;
        const why = `Completion date set to ${on}`;
        return change(r, r.status === 'Admin Review' ? kept(r, why, { completedOn: on }) : retimed(r, w, why, { completedOn: on }));
      });
    }
    case 'expired-before-date':
    case 'valid-after-date':
      return records.map((r) => change(r, retimed(r, w, 'Status re-derived from the expiration date')));
    case 'in-progress-all-done': {
      const progress = await progressOfMany(trx, records);
      const programs = new Map(((await trx('programs').whereIn('id', [...new Set(records.map((r) => r.program_id))])) as ProgramRow[]).map((p) => [p.id, p]));
      return records.map((r) => {
        const p = progress.get(r.id) ?? { requiredTotal: 0, requiredDone: 0 };
        const program = programs.get(r.program_id) as ProgramRow;
        const decision = evaluate({ record: stateOf(r), program: rulesOf(program), progress: p, settings: w.settings, today: w.today });
        return change(r, decision, { required_total: p.requiredTotal, required_done: p.requiredDone });
      });
    }
    case 'email-untrue':
      // The writer withdraws every email of a changed record that is no longer true.
      return records.map((r) => change(r, kept(r, 'Emails that no longer fit the record withdrawn')));
    case 'cycle-without-start': {
      const days = await firstHistoryDay(trx, records, []);
      return records.map((r) => {
        const on = r.applied_on ?? days.get(r.id) ?? r.created_at.slice(0, 10);
        return change(r, kept(r, `Start date set to ${on}`, { startedOn: on }));
      });
    }
  }
}

/** Fixes these records if they still break the rule (read again in the transaction); answers how many were fixed. */
async function fixWithin(ctx: ServiceContext, actor: Actor, id: CheckRuleId, ids: readonly number[]): Promise<number> {
  return ctx.db.transaction(async (trx) => {
    const settings = await readSettings(trx);
    const w: WriteContext = { actor, settings, today: officeToday(ctx, settings.timeZone), at: stamp(ctx) };
    const records = (await whereInJson(matching(trx, id, w.today, true), 'r.id', ids)
      .select('r.*')
      .orderBy('r.id')) as RecordRow[];
    const changes = await decide(trx, id, records, w);
    return (await applyDecisions(trx, changes, w)).changed;
  });
}

/** One click: fixes the records named (each still breaking the rule). */
export async function fixRecords(ctx: ServiceContext, actor: Actor, id: CheckRuleId, ids: readonly number[]): Promise<{ fixed: number }> {
  if (ids.length === 0) throw new ServiceError('INVALID', 'Name the records to fix.', 'recordIds');
  return { fixed: await fixWithin(ctx, actor, id, ids) };
}

/** Fixes every record breaking the rule, in passes of FIX_CHUNK, each its own transaction (a job with progress). */
export async function fixAll(ctx: ServiceContext, actor: Actor, id: CheckRuleId, job?: JobProgress): Promise<{ fixed: number }> {
  const settings = await readSettings(ctx.db);
  const today = officeToday(ctx, settings.timeZone);
  const counted = (await matching(ctx.db, id, today).count({ n: '*' }).first()) as { n: number } | undefined;
  const total = Number(counted?.n ?? 0);
  let fixed = 0;
  let last = 0;
  job?.progress(0, total, RULES[id].title);
  for (;;) {
    const ids = (await matching(ctx.db, id, today).where('r.id', '>', last).orderBy('r.id').limit(FIX_CHUNK).pluck('r.id')) as number[];
    if (ids.length === 0) break;
    last = ids[ids.length - 1] as number;
    fixed += await fixWithin(ctx, actor, id, ids);
    job?.progress(Math.min(fixed, total), total, RULES[id].title);
  }
  return { fixed };
}

/**
 * What staff do to certification records. Each function is one transaction that
 * asks the rules engine, then writes through the record writer.
 */
import { calendarDateProblem, isCalendarDate, type CalendarDate } from '../rules/calendar';
import {
  evaluate,
  markAllComplete as planMarkAllComplete,
  planManualMove,
  statusOnEnrollment,
  type EnrollmentSource,
  type Progress,
  type ProgramRules,
  type RecordState,
} from '../rules/engine';
import { TIMED_STATUSES, type Status } from '../rules/statuses';
import { logStoredRows } from './changelog';
import { officeToday, ServiceError, stamp, type Actor, type Executor, type ServiceContext } from './context';
import { getContact } from './contacts';
import { displayName } from '../domain/contact';
import { getProgram, programComponents } from './programs';
import { rulesOf } from '../domain/program';
import { applyOne, insertHistory, type RecordChange, type WriteContext } from './record-writer';
import type { ContactRow, RecordRow } from '../domain/rows';
import type { ProgramRow } from '../domain/rows';
import { readSettings } from './settings';
import type { Db } from '../db/database';
import { pendingRenewalExpiresOn } from '../domain/renewal';
import type { ApplicationChannel } from '../domain/application';
import { bulkInsert } from '../db/bulk-insert';
import { whereInJson } from '../db/where-in-json';

interface Loaded {
  record: RecordRow;
  program: ProgramRow;
  rules: ProgramRules;
  progress: Progress;
}

export async function getRecordRow(db: Db, id: number): Promise<RecordRow> {
  const record = (await db('records').where({ id }).first()) as RecordRow | undefined;
  if (!record) throw new ServiceError('NOT_FOUND', `Certification record ${id} does not exist.`);
  return record;
}

/**
 * Required components of each record's program and how many the record has
 * completed in its current cycle, in two queries however many records.
 */
export async function progressOfMany(db: Db, records: ReadonlyArray<Pick<RecordRow, 'id' | 'program_id' | 'cycle'>>): Promise<Map<number, Progress>> {
  const required: Array<{ id: number; program_id: number }> = await db('components')
    .whereIn('program_id', [...new Set(records.map((r) => r.program_id))])
    .where({ required: true })
    .whereNull('archived_at')
    .select('id', 'program_id');
  const requiredPerProgram = new Map<number, number>();
  for (const c of required) requiredPerProgram.set(c.program_id, (requiredPerProgram.get(c.program_id) ?? 0) + 1);
  // The ids as one bound JSON value each: an import asks for thousands of records at once.
  const done: Array<{ record_id: number; cycle: number; n: number; last: string | null }> = await whereInJson(
    whereInJson(
      db('component_progress'),
      'record_id',
      records.map((r) => r.id),
    ),
    'component_id',
    required.map((c) => c.id),
  )
    .whereNull('removed_at')
    .groupBy('record_id', 'cycle')
    .select('record_id', 'cycle')
    .count({ n: '*' })
    .max({ last: 'completed_on' });
  const doneOf = new Map(done.map((d) => [`${d.record_id}|${d.cycle}`, d]));
  return new Map(
    records.map((r) => {
      const d = doneOf.get(`${r.id}|${r.cycle}`);
      return [r.id, { requiredTotal: requiredPerProgram.get(r.program_id) ?? 0, requiredDone: Number(d?.n ?? 0), lastCompletedOn: d?.last ?? null }];
    }),
  );
}

export async function progressOf(db: Db, record: RecordRow): Promise<Progress> {
  return (await progressOfMany(db, [record])).get(record.id) as Progress;
}

async function load(db: Db, id: number): Promise<Loaded> {
  const record = await getRecordRow(db, id);
  const program = await getProgram(db, record.program_id);
  return { record, program, rules: rulesOf(program), progress: await progressOf(db, record) };
}

export async function writeContext(ctx: ServiceContext, trx: Executor, actor: Actor): Promise<WriteContext> {
  const settings = await readSettings(trx);
  return { actor, settings, today: officeToday(ctx, settings.timeZone), at: stamp(ctx) };
}

/** What the rules engine needs to know of a record row. */
export function stateOf(record: Pick<RecordRow, 'status' | 'completed_on' | 'approved_on' | 'expires_on'>): RecordState {
  return { status: record.status, completedOn: record.completed_on, approvedOn: record.approved_on, expiresOn: record.expires_on };
}

function counters(progress: Progress): Pick<RecordRow, 'required_total' | 'required_done'> {
  return { required_total: progress.requiredTotal, required_done: progress.requiredDone };
}

// ---------------------------------------------------------------------------

export interface EnrollInput {
  contactId: number;
  programId: number;
  source: EnrollmentSource;
}

/** One new record, decided by the engine: what enroll, Record application and the imports write. */
export interface NewEnrollment {
  contact: Pick<ContactRow, 'id' | 'name_key'>;
  program: Pick<
    ProgramRow,
    'id' | 'name' | 'require_approval' | 'require_completion_approval' | 'expiration_kind' | 'expiration_amount' | 'expiration_unit' | 'expiration_fixed_on'
  >;
  source: EnrollmentSource;
  /** The day it happened: the application day (applied on, and started on when no approval is needed). */
  day: CalendarDate;
  detail: string;
  reason?: string;
}

/**
 * Why this contact cannot be enrolled in this program now, in words, or null.
 * An archived program takes no one new; one record per contact and program.
 */
export function enrollmentRefusal(
  contact: Pick<ContactRow, 'first_name' | 'last_name'>,
  program: Pick<ProgramRow, 'name' | 'archived_at'>,
  existing: Pick<RecordRow, 'status'> | undefined,
): ServiceError | null {
  if (program.archived_at !== null) return new ServiceError('REFUSED', `${program.name} is archived; it takes no new enrollments.`, 'programId');
  if (existing)
    return new ServiceError(
      'CONFLICT',
      `${displayName(contact)} is already enrolled in ${program.name} (${existing.status}); open that record instead.`,
      'programId',
    );
  return null;
}

/**
 * Writes new records as the rules engine decides them (Require Approval →
 * Applied, else In Progress), each with its history entry, all logged, in
 * the caller's transaction; a few statements however many. Answers the ids.
 */
export async function insertEnrollments(trx: Executor, items: readonly NewEnrollment[], w: WriteContext): Promise<number[]> {
  if (items.length === 0) return [];
  const requiredOf = new Map<number, number>();
  for (const programId of new Set(items.map((i) => i.program.id))) {
    requiredOf.set(programId, (await programComponents(trx, programId)).filter((c) => c.required === 1).length);
  }
  const decided = items.map((item) => ({ item, decision: statusOnEnrollment(item.source, rulesOf(item.program as ProgramRow), item.day) }));
  const rows = decided.map(({ item, decision }) => ({
    contact_id: item.contact.id,
    program_id: item.program.id,
    status: decision.status,
    sort_name: item.contact.name_key,
    cycle: 1,
    applied_on: item.source === 'application' ? item.day : null,
    started_on: decision.changes.startedOn ?? null,
    required_total: requiredOf.get(item.program.id) ?? 0,
    required_done: 0,
    created_at: w.at,
    updated_at: w.at,
  }));
  const ids = await bulkInsert(trx, 'records', rows, { returning: 'id' });
  await logStoredRows(trx, 'records', 'record', 'insert', ids, w.at);
  await insertHistory(
    trx,
    decided.map(({ item, decision }, i) => ({
      record: { id: ids[i] as number, cycle: 1 },
      from: null,
      to: decision.status,
      kind: 'enrollment' as const,
      rule: decision.rule,
      detail: item.detail,
      reason: item.reason,
    })),
    w,
  );
  return ids;
}

async function enrollOne(
  ctx: ServiceContext,
  actor: Actor,
  input: EnrollInput,
  make: (w: WriteContext, program: ProgramRow) => Pick<NewEnrollment, 'day' | 'detail' | 'reason'>,
): Promise<RecordRow> {
  return ctx.db.transaction(async (trx) => {
    const contact = await getContact(trx, input.contactId);
    const program = await getProgram(trx, input.programId);
    const existing = (await trx('records').where({ contact_id: contact.id, program_id: program.id }).first()) as RecordRow | undefined;
    const refusal = enrollmentRefusal(contact, program, existing);
    if (refusal) throw refusal;
    const w = await writeContext(ctx, trx, actor);
    const [id] = await insertEnrollments(trx, [{ contact, program, source: input.source, ...make(w, program) }], w);
    return getRecordRow(trx, id as number);
  });
}

/** A contact applies, or staff add them to a certification from the back office. */
export async function enroll(ctx: ServiceContext, actor: Actor, input: EnrollInput): Promise<RecordRow> {
  return enrollOne(ctx, actor, input, (w, program) => ({ day: w.today, detail: `Enrolled in ${program.name}` }));
}

export interface ApplicationInput {
  contactId: number;
  programId: number;
  appliedOn: CalendarDate;
  channel: ApplicationChannel;
  note?: string;
}

/**
 * Staff record an application received by mail, email, phone or the portal
 * (SPEC.md §6): the engine decides Applied or In Progress, dated the day the
 * application was made; the history says how it arrived.
 */
export async function recordApplication(ctx: ServiceContext, actor: Actor, input: ApplicationInput): Promise<RecordRow> {
  const today = officeToday(ctx, (await readSettings(ctx.db)).timeZone);
  const problem = applicationDateProblem(input.appliedOn, today);
  if (problem) throw new ServiceError('INVALID', problem, 'appliedOn');
  return enrollOne(ctx, actor, { contactId: input.contactId, programId: input.programId, source: 'application' }, () => ({
    day: input.appliedOn,
    detail: `Application received by ${input.channel}`,
    reason: input.note,
  }));
}

/** An application date must be a calendar date, not after today; the refusal says why, as the records import does. */
export function applicationDateProblem(day: string, today: CalendarDate): string | null {
  const notADate = calendarDateProblem(String(day));
  if (notADate) return `Application date: ${notADate}`;
  if (day > today) return `Application date ${day} is in the future (today is ${today}).`;
  return null;
}

export interface SetStatusInput {
  id: number;
  to: Status;
  reason?: string | null;
}

/** A manual status change from the staff table; a refused move writes nothing. */
export async function setStatus(ctx: ServiceContext, actor: Actor, input: SetStatusInput): Promise<RecordRow> {
  return ctx.db.transaction(async (trx) => {
    const { record, rules, progress } = await load(trx, input.id);
    const w = await writeContext(ctx, trx, actor);
    const plan = planManualMove({
      record: stateOf(record),
      to: input.to,
      reason: input.reason ?? null,
      program: rules,
      progress,
      settings: w.settings,
      today: w.today,
      renewalExpiresOn: pendingRenewalExpiresOn(record),
    });
    if (!plan.allowed) throw new ServiceError('REFUSED', plan.reason, 'to');
    const extra = plan.startsNewCycle ? {} : counters(progress);
    return applyOne(trx, { record, decision: plan, kind: 'status', reason: input.reason ?? '', extra }, w);
  });
}

/** Statuses in which completed work is recorded (credits before approval count once approved). */
export const RECORDING_STATUSES: readonly Status[] = ['Applied', 'In Progress', 'Inactive'];

// Recording a completion (the record drawer, the completions CSV, central events): services/completions.ts.

/** "Mark all complete" for work completed elsewhere; a reason is required. */
export async function markAllComplete(ctx: ServiceContext, actor: Actor, input: { id: number; reason: string; confirmExpired?: boolean }): Promise<RecordRow> {
  return ctx.db.transaction(async (trx) => {
    const { record, rules, progress } = await load(trx, input.id);
    if (input.reason.trim() === '') throw new ServiceError('INVALID', 'Say why every component is marked complete.', 'reason');
    const w = await writeContext(ctx, trx, actor);
    const plan = planMarkAllComplete(stateOf(record), rules, w.settings, w.today);
    if ('allowed' in plan) throw new ServiceError('REFUSED', plan.reason);
    askBeforeExpiring(record, plan, input.confirmExpired, 'reason', 'Marked complete today');
    return applyOne(
      trx,
      { record, decision: plan, kind: 'component', detail: 'All components marked complete', reason: input.reason, extra: counters(progress) },
      w,
    );
  });
}

/**
 * A change that would make a record Expired at once is often a typo in a date:
 * staff confirm it (SPEC §6), or it is refused with the reason and the way on.
 */
export function askBeforeExpiring(
  record: RecordRow,
  decision: { status: Status; changes: { expiresOn?: CalendarDate | null } },
  confirmed: boolean | undefined,
  field: string,
  what: string,
): void {
  if (decision.status !== 'Expired' || record.status === 'Expired' || confirmed === true) return;
  const expiresOn = decision.changes.expiresOn;
  throw new ServiceError(
    'CONFIRM',
    `${what}, this certification becomes Expired at once${expiresOn ? ` (it expires on ${expiresOn})` : ''}. Check the date; if it is right, confirm.`,
    field,
  );
}

/** A granted certification (Active, Expiring or Expired) has an expiration date staff may change. */
export function canOverrideExpiration(record: RecordRow): boolean {
  return record.completed_on !== null && TIMED_STATUSES.includes(record.status);
}

/** Staff set one record's expiration date; the time rules follow at once. */
export async function overrideExpiration(
  ctx: ServiceContext,
  actor: Actor,
  input: { id: number; expiresOn: CalendarDate | null; reason: string; confirmExpired?: boolean },
): Promise<RecordRow> {
  return ctx.db.transaction(async (trx) => {
    const { record, rules, progress } = await load(trx, input.id);
    if (input.reason.trim() === '') throw new ServiceError('INVALID', 'Say why the expiration date changes.', 'reason');
    if (input.expiresOn !== null && !isCalendarDate(input.expiresOn)) {
      throw new ServiceError('INVALID', 'Expiration date must be a date (YYYY-MM-DD).', 'expiresOn');
    }
    if (!canOverrideExpiration(record)) {
      throw new ServiceError('REFUSED', `Only a completed certification has an expiration date; this record is ${record.status}.`);
    }
    // Before the completion is always in the past, so Expired: the same confirmation, in its own words.
    if (input.expiresOn !== null && record.completed_on !== null && input.expiresOn < record.completed_on && input.confirmExpired !== true) {
      throw new ServiceError(
        'CONFIRM',
        `The expiration date ${input.expiresOn} is before the completion date ${record.completed_on}, so this certification becomes Expired at once. Check the date; if it is right, confirm.`,
        'expiresOn',
      );
    }
    const w = await writeContext(ctx, trx, actor);
    const decision = evaluate({
      record: { ...stateOf(record), expiresOn: input.expiresOn },
      program: rules,
      progress,
      settings: w.settings,
      today: w.today,
    });
    // One email per record and expiration date: a new date inside the window is due its own.
    if (decision.status === 'Expiring' && input.expiresOn !== record.expires_on) decision.queueExpiringEmail = true;
    askBeforeExpiring(record, decision, input.confirmExpired, 'expiresOn', `With the expiration date ${input.expiresOn ?? ''}`);
    return applyOne(
      trx,
      {
        record,
        decision,
        kind: 'expiration',
        detail: `Expiration date changed from ${record.expires_on ?? 'none'} to ${input.expiresOn ?? 'none'}`,
        reason: input.reason,
        extra: { expires_on: input.expiresOn, expiration_overridden: 1 },
      },
      w,
    );
  });
}

/** Notes on a record; the change is in its history like any other. */
export async function setNotes(ctx: ServiceContext, actor: Actor, input: { id: number; notes: string }): Promise<RecordRow> {
  return ctx.db.transaction(async (trx) => {
    const record = await getRecordRow(trx, input.id);
    if (record.notes === input.notes) return record;
    const w = await writeContext(ctx, trx, actor);
    const decision = { status: record.status, rule: 'Notes edited by staff', changes: {}, queueExpiringEmail: false, startsNewCycle: false };
    const change: RecordChange = { record, decision, kind: 'note', detail: 'Notes changed', extra: { notes: input.notes } };
    return applyOne(trx, change, w);
  });
}

/**
 * Application and completion events from the central system's batches (SPEC.md
 * §6; shapes in docs/sync-batch-format.md, "Events from the central system").
 * Each event is applied once, by its central event id (`central_events`): a
 * second delivery, in this import or a later one, changes nothing. Applications
 * go through the rules engine as "Record application" does (Require Approval →
 * Applied, else In Progress, dated the application day); completions through
 * the completions service, as a click in the record drawer; a completion event
 * that names a CE category instead of a component is a CE activity, recorded as
 * the completions CSV records one (ce-activities-csv.ts, services/credits
 * addActivities). Events are applied
 * after the contacts, programs and components of the same import, applications
 * before completions, so one import can bring a contact, enroll them and
 * complete their work.
 */
import { z } from 'zod';
import { APPLICATION_CHANNELS } from '../domain/application';
import { displayName } from '../domain/contact';
import type { ProgramRow, RecordRow } from '../domain/rows';
import type { Settings } from '../domain/settings';
import { isCalendarDate, type CalendarDate } from '../rules/calendar';
import { statusOnEnrollment } from '../rules/engine';
import { rulesOf } from '../domain/program';
import { recordCompletionsInSteps, type NewCompletion } from '../services/completions';
import type { Executor } from '../services/context';
import { addActivitiesInSteps } from '../services/credits';
import type { WriteContext } from '../services/record-writer';
import { applicationDateProblem, enrollmentRefusal, insertEnrollments, RECORDING_STATUSES } from '../services/records';
import { COMPONENT_IDS_KEY, readMap, type Located } from './batch-folder';
import { zodReason, type BatchPlanning } from './batch-plan';
import { ActivityPlanner, activityFields, type PlannedActivity } from './ce-activities-csv';
import { ComponentFinder, loadRecords } from './completions-csv';
import { contactLabel, ContactDirectory, type ContactKeys, type KeyedContact } from './keys';
import { chunk } from './write';
import { pairKey, type PairKey } from './pair-key';

const centralRef = z.union([z.string().min(1).max(200), z.number().int()]).transform(String);

/** Who and which certification: the contact by central id or member number, the certification by central id or code. */
const Target = z.object({
  contact_id: centralRef.optional(),
  member_number: z.string().min(1).max(64).optional(),
  program_id: centralRef.optional(),
  program_code: z.string().min(1).max(64).optional(),
});

const ApplicationData = Target.extend({
  applied_on: z.string(),
  channel: z.enum(APPLICATION_CHANNELS).default('portal'),
  note: z.string().max(2000).optional(),
});

const CompletionData = Target.extend({
  component_id: centralRef.optional(),
  component_name: z.string().min(1).max(1000).optional(),
  completed_on: z.string(),
  credits: z.number().min(0).max(10_000).nullable().optional(),
  source: z.string().max(300).optional(),
  // A CE activity: a category of the list instead of a component.
  category: z.string().min(1).max(200).optional(),
  title: z.string().max(1000).optional(),
  activity_id: centralRef.optional(),
});

/** A completion event that names a CE category is a CE activity, counted apart. */
const kindOf = (data: Record<string, unknown>): 'completion' | 'activity' => (data.category !== undefined ? 'activity' : 'completion');

export interface EventDay {
  today: string;
  settings: Settings;
}

interface PlannedApplication {
  centralId: string;
  contact: KeyedContact;
  program: ProgramRow;
  appliedOn: string;
  channel: (typeof APPLICATION_CHANNELS)[number];
  note?: string;
}

interface PlannedCompletion extends NewCompletion {
  centralId: string;
}

interface PlannedEventActivity extends PlannedActivity {
  centralId: string;
}

/** The events to write, and the ids of those found already done (recorded so a redelivery is known at once). */
export interface EventPlan {
  applications: PlannedApplication[];
  completions: PlannedCompletion[];
  activities: PlannedEventActivity[];
  unchanged: Array<{ entity: 'application' | 'completion'; centralId: string; recordId: number | null }>;
  programs: Map<number, ProgramRow>;
}

function latestEvents(changes: readonly Located[], entity: 'application' | 'completion'): Located[] {
  const byId = new Map<number, Located>();
  for (const c of changes) if (c.change.entity === entity) byId.set(c.change.id, c);
  return [...byId.values()].sort((a, b) => a.change.seq - b.change.seq);
}

/** The stored rows events name, read once per import. */
class Lookup {
  private constructor(
    readonly contacts: ContactDirectory,
    readonly programsByCentral: Map<string, ProgramRow>,
    readonly programsByCode: Map<string, ProgramRow>,
    readonly components: ComponentFinder,
    readonly records: Map<PairKey, RecordRow>,
    readonly done: Map<PairKey, string>,
    readonly applied: Set<string>,
  ) {}

  static async load(db: Executor, events: readonly Located[]): Promise<Lookup> {
    const keys = events.map(({ change }) => keysOf(change.data));
    const contacts = await ContactDirectory.load(db, keys);
    const programs = (await db('programs').select('*')) as ProgramRow[];
    const components = new ComponentFinder(await db('components').select('*'), await readMap(db, COMPONENT_IDS_KEY));
    const ids = keys.flatMap((k) => {
      const c = contacts.find(k);
      return typeof c === 'string' ? [] : [c.id];
    });
    const { records, done } = await loadRecords(db, [...new Set(ids)]);
    const applied = new Set<string>();
    for (const part of chunk(
      events.map((e) => [e.change.entity, String(e.change.id)]),
      5000,
    )) {
      const rows: Array<{ entity: string; central_id: string }> = await db('central_events')
        .whereRaw('(entity, central_id) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))', [JSON.stringify(part)])
        .select('entity', 'central_id');
      for (const r of rows) applied.add(`${r.entity}|${r.central_id}`);
    }
    return new Lookup(
      contacts,
      new Map(programs.flatMap((p) => (p.central_id !== null ? [[p.central_id, p] as const] : []))),
      new Map(programs.map((p) => [p.code, p])),
      components,
      records,
      done,
      applied,
    );
  }

  /** The contact and certification an event names, or why not. */
  target(d: z.infer<typeof Target>): { contact: KeyedContact; program: ProgramRow } | string {
    if (d.contact_id === undefined && d.member_number === undefined) return 'the event names no contact: give contact_id (central) or member_number.';
    const contact = this.contacts.find(keysOf(d));
    if (typeof contact === 'string') return contact;
    let program: ProgramRow | undefined;
    if (d.program_id !== undefined) program = this.programsByCentral.get(d.program_id);
    else if (d.program_code !== undefined) program = this.programsByCode.get(d.program_code);
    else return 'the event names no certification: give program_id (central) or program_code.';
    if (!program)
      return d.program_id !== undefined ? `no certification has central ID ${d.program_id}.` : `no certification has the code ${d.program_code ?? ''}.`;
    return { contact, program };
  }
}

function keysOf(data: Record<string, unknown>): ContactKeys {
  const id = data.contact_id;
  if (typeof id === 'string' || typeof id === 'number') return { centralId: String(id) };
  if (typeof data.member_number === 'string') return { memberNumber: data.member_number };
  return {};
}

/** Contacts and certifications this import brings before its events (central ids). */
export interface Pending {
  contacts: ReadonlySet<string>;
  programs: ReadonlySet<string>;
}

export const NOTHING_PENDING: Pending = { contacts: new Set(), programs: new Set() };

function pendingTest(pending: Pending): (d: z.infer<typeof Target>) => boolean {
  return (d) => (d.contact_id !== undefined && pending.contacts.has(d.contact_id)) || (d.program_id !== undefined && pending.programs.has(d.program_id));
}

/**
 * Plans the application events of an import. `pending`: in a preview, the
 * contacts and certifications of the same import are not stored yet, so their
 * events are counted new and checked when applied. Answers also the records
 * they will create ("contact|program"), which completions after them find.
 */
export async function planApplicationEvents(
  db: Executor,
  changes: readonly Located[],
  p: BatchPlanning,
  day: EventDay,
  pending: Pending,
): Promise<{ plan: EventPlan; enrolling: Set<PairKey> }> {
  const applications = latestEvents(changes, 'application');
  const plan: EventPlan = { applications: [], completions: [], activities: [], unchanged: [], programs: new Map() };
  const enrolling = new Map<PairKey, Pick<RecordRow, 'status'>>();
  if (applications.length === 0) return { plan, enrolling: new Set() };
  const look = await Lookup.load(db, applications);
  const isPending = pendingTest(pending);
  for (const at of applications) {
    const centralId = String(at.change.id);
    if (look.applied.has(`application|${centralId}`)) {
      p.count('application', 'unchanged', at, `application ${centralId} (already applied)`, []);
      continue;
    }
    const parsed = ApplicationData.safeParse(at.change.data);
    if (!parsed.success) {
      p.reject('application', at, zodReason(parsed.error));
      continue;
    }
    const d = parsed.data;
    const dateProblem = applicationDateProblem(d.applied_on, day.today);
    if (dateProblem) {
      p.reject('application', at, dateProblem);
      continue;
    }
    const target = look.target(d);
    if (typeof target === 'string') {
      if (isPending(d)) p.count('application', 'new', at, `application ${centralId} (its contact or certification comes in this import)`, []);
      else p.reject('application', at, target);
      continue;
    }
    const { contact, program } = target;
    const label = `${contactLabel(contact)} → ${program.code}`;
    const key = pairKey(contact.id, program.id);
    const stored = look.records.get(key);
    if (stored && stored.applied_on === d.applied_on) {
      plan.unchanged.push({ entity: 'application', centralId, recordId: stored.id });
      p.count('application', 'unchanged', at, label, []);
      continue;
    }
    const refusal = enrollmentRefusal(contact, program, stored ?? enrolling.get(key));
    if (refusal) {
      p.reject('application', at, refusal.message);
      continue;
    }
    const status = statusOnEnrollment('application', rulesOf(program), d.applied_on).status;
    enrolling.set(key, { status });
    plan.applications.push({ centralId, contact, program, appliedOn: d.applied_on, channel: d.channel, note: d.note });
    p.count('application', 'new', at, label, [
      { field: 'Application date', from: '', to: d.applied_on },
      { field: 'Status', from: '', to: status },
    ]);
  }

  return { plan, enrolling: new Set(enrolling.keys()) };
}

/** Plans the completion events of an import; `enrolling`: records this import's applications create (a preview's). */
export async function planCompletionEvents(
  db: Executor,
  changes: readonly Located[],
  p: BatchPlanning,
  day: EventDay,
  pending: Pending,
  enrolling: ReadonlySet<PairKey>,
): Promise<EventPlan> {
  const completions = latestEvents(changes, 'completion');
  const plan: EventPlan = { applications: [], completions: [], activities: [], unchanged: [], programs: new Map() };
  if (completions.length === 0) return plan;
  const look = await Lookup.load(db, completions);
  const activityPlanner = completions.some((at) => kindOf(at.change.data) === 'activity')
    ? await ActivityPlanner.load(db, [...new Set([...look.records.values()].map((r) => r.id))])
    : null;
  const isPending = pendingTest(pending);
  const seen = new Map<PairKey, string>();
  for (const at of completions) {
    const centralId = String(at.change.id);
    const kind = kindOf(at.change.data);
    if (look.applied.has(`completion|${centralId}`)) {
      p.count(kind, 'unchanged', at, `${kind === 'activity' ? 'CE activity' : 'completion'} ${centralId} (already applied)`, []);
      continue;
    }
    const parsed = CompletionData.safeParse(at.change.data);
    if (!parsed.success) {
      p.reject(kind, at, zodReason(parsed.error));
      continue;
    }
    const d = parsed.data;
    if (!isCalendarDate(d.completed_on)) {
      p.reject(kind, at, `completed_on "${String(d.completed_on)}" is not a date (YYYY-MM-DD).`);
      continue;
    }
    if (d.completed_on > day.today) {
      p.reject(kind, at, `completed_on ${d.completed_on} is in the future (today is ${day.today}).`);
      continue;
    }
    const target = look.target(d);
    if (typeof target === 'string') {
      if (isPending(d))
        p.count(kind, 'new', at, `${kind === 'activity' ? 'CE activity' : 'completion'} ${centralId} (its contact or certification comes in this import)`, []);
      else p.reject(kind, at, target);
      continue;
    }
    const { contact, program } = target;
    if (d.category !== undefined && activityPlanner) {
      planActivityEvent(p, plan, at, { ...d, category: d.category, completed_on: d.completed_on }, contact, program, look, activityPlanner, enrolling);
      continue;
    }
    const given = d.component_id ?? d.component_name;
    const component = given === undefined ? undefined : look.components.find(program.id, given);
    if (given === undefined) {
      p.reject('completion', at, 'the event names no component: give component_id (central) or component_name.');
      continue;
    }
    if (!component || component.archived_at !== null) {
      p.reject('completion', at, `${program.code} has no ${component ? 'current ' : ''}component "${given}".`);
      continue;
    }
    const label = `${contactLabel(contact)} → ${program.code}: ${component.name}`;
    const record = look.records.get(pairKey(contact.id, program.id));
    if (!record) {
      if (enrolling.has(pairKey(contact.id, program.id))) p.count('completion', 'new', at, `${label} (after the application in this import)`, []);
      else p.reject('completion', at, `${displayName(contact)} is not enrolled in ${program.code} — enroll first or import the enrollment.`);
      continue;
    }
    const key = pairKey(record.id, component.id);
    const earlier = look.done.get(key) ?? seen.get(key);
    if (earlier !== undefined) {
      if (earlier === d.completed_on) {
        plan.unchanged.push({ entity: 'completion', centralId, recordId: record.id });
        p.count('completion', 'unchanged', at, label, []);
      } else p.reject('completion', at, `${label} is already completed on ${earlier}, not ${d.completed_on}.`);
      continue;
    }
    if (!RECORDING_STATUSES.includes(record.status)) {
      p.reject('completion', at, `${label}: the record is ${record.status}; completions are recorded while a certification is being worked on.`);
      continue;
    }
    seen.set(key, d.completed_on);
    plan.programs.set(program.id, program);
    plan.completions.push({
      centralId,
      record,
      component,
      completedOn: d.completed_on,
      credits: d.credits ?? null,
      note: '',
      source: d.source ?? 'central system',
    });
    p.count('completion', 'new', at, label, [{ field: 'Completed on', from: '', to: d.completed_on }]);
  }
  return plan;
}

/** One completion event that names a CE category: the activity to record, unchanged (recorded already), or rejected in words. */
function planActivityEvent(
  p: BatchPlanning,
  plan: EventPlan,
  at: Located,
  d: z.infer<typeof CompletionData> & { category: string; completed_on: CalendarDate },
  contact: KeyedContact,
  program: ProgramRow,
  look: Lookup,
  planner: ActivityPlanner,
  enrolling: ReadonlySet<PairKey>,
): void {
  const centralId = String(at.change.id);
  if (d.component_id !== undefined || d.component_name !== undefined) {
    p.reject('activity', at, 'the event names both a component and a CE category: a completion names a component, a CE activity a category, not both.');
    return;
  }
  const label = `${contactLabel(contact)} → ${program.code}: CE activity "${d.title ?? ''}"`;
  const record = look.records.get(pairKey(contact.id, program.id));
  if (!record) {
    if (enrolling.has(pairKey(contact.id, program.id))) p.count('activity', 'new', at, `${label} (after the application in this import)`, []);
    else p.reject('activity', at, `${displayName(contact)} is not enrolled in ${program.code} — enroll first or import the enrollment.`);
    return;
  }
  const cells = {
    category: d.category,
    title: d.title?.trim() === '' ? undefined : d.title,
    credits: d.credits === undefined || d.credits === null ? undefined : String(d.credits),
    earnedOn: d.completed_on,
    source: d.source ?? 'central system',
    externalId: d.activity_id,
  };
  const planned = planner.plan(at.line, cells, record, program, label, 'credits');
  if (typeof planned === 'string') p.reject('activity', at, planned);
  else if ('unchanged' in planned) {
    plan.unchanged.push({ entity: 'completion', centralId, recordId: record.id });
    p.count('activity', 'unchanged', at, label, []);
  } else {
    plan.activities.push({ ...planned, centralId });
    p.count('activity', 'new', at, label, activityFields(planned, record).fields);
  }
}

async function remember(trx: Executor, rows: ReadonlyArray<{ entity: string; centralId: string; recordId: number | null }>, at: string): Promise<void> {
  for (const part of chunk(rows, 200)) {
    await trx('central_events')
      .insert(part.map((r) => ({ entity: r.entity, central_id: r.centralId, record_id: r.recordId, applied_at: at })))
      .onConflict(['entity', 'central_id'])
      .ignore();
  }
}

/** Writes the planned applications, through the engine as Record application does, and remembers them. */
export async function writeApplications(trx: Executor, plan: EventPlan, w: WriteContext): Promise<void> {
  const ids = await insertEnrollments(
    trx,
    plan.applications.map((a) => ({
      contact: a.contact,
      program: a.program,
      source: 'application' as const,
      day: a.appliedOn,
      detail: `Application received by ${a.channel} (central event ${a.centralId})`,
      reason: a.note,
    })),
    w,
  );
  await remember(
    trx,
    [
      ...plan.applications.map((a, i) => ({ entity: 'application', centralId: a.centralId, recordId: ids[i] ?? null })),
      ...plan.unchanged.filter((u) => u.entity === 'application'),
    ],
    w.at,
  );
}

/**
 * Writes the planned completions through the completions service, then the CE activities through the
 * credits service (after them: a completion may start the cycle an activity counts in), and remembers them.
 */
export async function writeCompletions(trx: Executor, plan: EventPlan, w: WriteContext): Promise<void> {
  const detail = (c: { centralId: string }): string => ` (central event ${c.centralId})`;
  await recordCompletionsInSteps(trx, plan.completions, plan.programs, w, detail);
  await addActivitiesInSteps(trx, plan.activities, w, 'CE credits from the central system', detail);
  await remember(
    trx,
    [
      ...plan.completions.map((c) => ({ entity: 'completion', centralId: c.centralId, recordId: c.record.id })),
      ...plan.activities.map((a) => ({ entity: 'completion', centralId: a.centralId, recordId: a.record.id })),
      ...plan.unchanged.filter((u) => u.entity === 'completion'),
    ],
    w.at,
  );
}

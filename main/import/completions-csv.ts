/**
 * Component completions from CSV (SPEC.md §6, work done elsewhere): one row per
 * completion — the contact (member number, central ID or email), the
 * certification code, the component (its name, or the central ID it was
 * imported with), the day it was completed, optionally the credits or hours
 * earned and where it was done. Each accepted row goes through the same
 * service as "Record completion" in the record drawer (services/completions),
 * so the last required component moves the record to Active or Admin Review
 * with its history, change log and emails. Preview, then apply in one
 * transaction. The same completion twice (in the file, or already recorded)
 * counts once: unchanged, not an error.
 *
 * A row that names a credit category instead of a component is a CE activity
 * for the certification's renewal (ce-activities-csv.ts, issue #18).
 *
 * 100,000 rows (issue #15): the stored rows the file names are read once, by
 * indexed keys; planning runs in slices so the list keeps answering; each
 * record is decided once after all its completions; apply writes in steps of
 * thousands of rows, one statement per kind of write.
 */
import { displayName } from '../domain/contact';
import type { JobProgress } from '../domain/progress';
import { rulesOf } from '../domain/program';
import type { ComponentRow, ProgramRow, RecordRow } from '../domain/rows';
import { whereInJson } from '../db/where-in-json';
import { calendarDateProblem, isCalendarDate } from '../rules/calendar';
import { evaluate } from '../rules/engine';
import { counted, recordCompletionsInSteps, type CompletedRecord, type NewCompletion } from '../services/completions';
import { stamp, type Actor, type Executor, type ServiceContext } from '../services/context';
import { addActivitiesInSteps } from '../services/credits';
import { RECORDING_STATUSES, stateOf, writeContext } from '../services/records';
import { settingsAndToday } from '../services/settings';
import type { Settings } from '../domain/settings';
import { COMPONENT_IDS_KEY, readMap } from './batch-folder';
import { ActivityPlanner, activityFields, type PlannedActivity, type RecordAfter } from './ce-activities-csv';
import { failedResult, plannedResult, prepareCsv, readSourceForApply, type CsvImportInput, type CsvImportResult, type PreparedCsv } from './csv-import';
import { Interner } from './interner';
import { planAndKeep, planForApply, planKey } from './kept-plan';
import { rowValues } from './row-values';
import { contactLabel, ContactDirectory, KEYED_LABELS, KEYED_LIMITS, keyedCsvSpec, programsByCode, type ContactKeys } from './keys';
import { ImportFileError, Tally, type FieldChange, type ImportCounts } from './result';
import { Slices } from './slices';
import { checkText } from './text';
import { chunk, inTransaction, progressReporter } from './write';
import { pairKey, type PairKey } from './pair-key';

export const COMPLETION_FIELDS = [
  'memberNumber',
  'centralId',
  'email',
  'certification',
  'component',
  'completedOn',
  'credits',
  'source',
  'category',
  'title',
  'activityId',
] as const;
export type CompletionField = (typeof COMPLETION_FIELDS)[number];
export type CompletionsCsvInput = CsvImportInput<CompletionField>;
export type CompletionsCsvResult = CsvImportResult<CompletionField>;

const LABELS: Record<CompletionField, string> = {
  ...KEYED_LABELS,
  component: 'Component',
  completedOn: 'Completed on',
  credits: 'Credits or hours',
  source: 'Source',
  category: 'CE category',
  title: 'CE activity title',
  activityId: 'Activity ID',
};
const LIMITS: Record<CompletionField, number> = {
  ...KEYED_LIMITS,
  component: 1000,
  completedOn: 10,
  credits: 20,
  source: 300,
  category: 100,
  title: 500,
  activityId: 200,
};
/** As the record drawer's credits field. */
const MAX_CREDITS = 10_000;

const SPEC = keyedCsvSpec<CompletionField>({
  fields: COMPLETION_FIELDS,
  labels: LABELS,
  synonyms: {
    component: ['component', 'componentname', 'componentcode', 'course', 'coursename', 'exam', 'requirement', 'module'],
    completedOn: ['completedon', 'completed', 'completiondate', 'datecompleted', 'date', 'completeddate', 'earnedon', 'dateearned', 'activitydate'],
    credits: ['credits', 'hours', 'creditsorhours', 'credit', 'ceus', 'ce', 'cecredits', 'earned'],
    source: ['source', 'provider', 'event', 'origin', 'system', 'learningsystem'],
    category: ['category', 'cecategory', 'creditcategory', 'categoryname', 'credittype'],
    title: ['title', 'activity', 'activitytitle', 'activityname', 'cetitle', 'coursetitle', 'eventtitle'],
    activityId: ['activityid', 'ceactivityid', 'activitycode', 'transcriptid', 'activityexternalid'],
  },
  required: ['certification', 'completedOn'],
});

/** What the kept plan holds per accepted line until apply: the line, and what recording it writes (no label, a few fields of its record). */
interface PlannedCompletion extends NewCompletion {
  line: number;
}

/** What planning a completion reads of its record (the engine's decision, the preview's words). */
type PlannedRecord = Pick<
  RecordRow,
  'id' | 'contact_id' | 'program_id' | 'status' | 'cycle' | 'completed_on' | 'approved_on' | 'expires_on' | 'cycle_starts_on'
>;

/** Those columns, read instead of the whole record when the file has no CE activities (issue #15: 100,000 whole records were ~0.5 s more). */
const PLANNED_RECORD_COLUMNS: ReadonlyArray<keyof PlannedRecord> = [
  'id',
  'contact_id',
  'program_id',
  'status',
  'cycle',
  'completed_on',
  'approved_on',
  'expires_on',
  'cycle_starts_on',
];

/** A line accepted while planning: its record. */
interface AcceptedCompletion extends Omit<PlannedCompletion, 'record'> {
  record: PlannedRecord;
  label: string;
}

/** The fields of a record that recording its completions needs (services/completions), one object per record. */
function completedRecord(r: PlannedRecord): CompletedRecord {
  return {
    id: r.id,
    program_id: r.program_id,
    status: r.status,
    cycle: r.cycle,
    completed_on: r.completed_on,
    approved_on: r.approved_on,
    expires_on: r.expires_on,
  };
}

interface Plan {
  result: CompletionsCsvResult;
  completions: PlannedCompletion[];
  activities: PlannedActivity[];
  programs: Map<number, ProgramRow>;
}

/** "Core Course", "core  course" → one key: components are named by people. */
function componentKey(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase('und').replace(/\s+/g, ' ').trim();
}

/** The program's components by name and by the central id they were imported with. */
export class ComponentFinder {
  /** By program, then by folded name (no `${program}|${name}` string built per line). */
  private readonly byName = new Map<number, Map<string, ComponentRow>>();
  private readonly byId = new Map<number, ComponentRow>();
  private readonly keys = new Map<string, string>();
  constructor(
    components: readonly ComponentRow[],
    private readonly centralIds: Record<string, number>,
  ) {
    for (const c of components) {
      this.byId.set(c.id, c);
      const key = componentKey(c.name);
      let ofProgram = this.byName.get(c.program_id);
      if (!ofProgram) this.byName.set(c.program_id, (ofProgram = new Map<string, ComponentRow>()));
      // A live component wins over an archived one of the same name.
      if (!ofProgram.has(key) || c.archived_at === null) ofProgram.set(key, c);
    }
  }
  /** The required components that count (not archived), as the engine counts them. */
  requiredOf(programId: number): number[] {
    return [...this.byId.values()].filter((c) => c.program_id === programId && c.required === 1 && c.archived_at === null).map((c) => c.id);
  }
  find(programId: number, given: string): ComponentRow | undefined {
    // A file names the same few components 100,000 times: each name is folded once.
    let key = this.keys.get(given);
    if (key === undefined) this.keys.set(given, (key = componentKey(given)));
    const byName = this.byName.get(programId)?.get(key);
    if (byName) return byName;
    const id = this.centralIds[given];
    const byCentral = id === undefined ? undefined : this.byId.get(id);
    return byCentral?.program_id === programId ? byCentral : undefined;
  }
}

function parseCredits(text: string): number | string {
  const n = Number(text.replace(',', '.'));
  if (text.trim() === '' || !Number.isFinite(n)) return `Credits or hours "${text}" is not a number.`;
  if (n < 0 || n > MAX_CREDITS) return `Credits or hours ${text} is outside 0–${MAX_CREDITS.toLocaleString('en-US')}.`;
  return n;
}

/** Records of the file's contacts, and their counted completions of the current cycle. */
export async function loadRecords(db: Executor, contactIds: readonly number[]): Promise<{ records: Map<PairKey, RecordRow>; done: Map<PairKey, string> }> {
  const found: RecordRow[] = [];
  for (const ids of chunk(contactIds, 20_000)) found.push(...((await whereInJson(db('records'), 'contact_id', ids).select('*')) as RecordRow[]));
  return withDone(db, found);
}

/**
 * The records of these contact and certification pairs (by the unique index on both), and their
 * counted completions of the current cycle: a file names a few of each contact's records.
 */
export async function loadRecordsOf<R extends PlannedRecord = RecordRow>(
  db: Executor,
  pairs: ReadonlyArray<readonly [number, number]>,
  columns: ReadonlyArray<keyof RecordRow> | null = null,
): Promise<{ records: Map<PairKey, R>; done: Map<PairKey, string> }> {
  const found: R[] = [];
  // The columns asked for (names from the code) bound as identifiers; every column without a list.
  const select = columns ? columns.map((c) => `r.${c}`) : ['r.*'];
  // In parts of 2,500: node-sqlite3 builds the rows of one answer on the main thread in one go (5,000 whole records: up to 90 ms at 1M).
  for (const part of chunk(pairs, 2500)) {
    const rows = (await db
      .select(select)
      .from(db.raw('json_each(?) AS j', [JSON.stringify(part)]))
      .join('records as r', (on) => on.on('r.contact_id', db.raw('j.value ->> 0')).andOn('r.program_id', db.raw('j.value ->> 1')))) as R[];
    found.push(...rows);
  }
  return withDone(db, found);
}

async function withDone<R extends PlannedRecord>(db: Executor, found: readonly R[]): Promise<{ records: Map<PairKey, R>; done: Map<PairKey, string> }> {
  const records = new Map<PairKey, R>();
  const byId = new Map<number, R>();
  // In slices, and 5,000 records per read: one answer of 20,000 records' completions held the main thread for 0.14 s.
  const slices = new Slices();
  for (const r of found) {
    if (slices.due()) await slices.pause();
    records.set(pairKey(r.contact_id, r.program_id), r);
    byId.set(r.id, r);
  }
  const done = new Map<PairKey, string>();
  for (const ids of chunk([...byId.keys()], 5000)) {
    await slices.maybePause();
    const rows: Array<{ record_id: number; component_id: number; cycle: number; completed_on: string }> = await whereInJson(
      counted(db),
      'record_id',
      ids,
    ).select('record_id', 'component_id', 'cycle', 'completed_on');
    for (const p of rows) {
      if (slices.due()) await slices.pause();
      if (byId.get(p.record_id)?.cycle === p.cycle) done.set(pairKey(p.record_id, p.component_id), p.completed_on);
    }
  }
  return { records, done };
}

function countsWords(c: ImportCounts): string {
  return `${c.new.toLocaleString('en')} new, ${c.unchanged.toLocaleString('en')} unchanged, ${c.rejected.toLocaleString('en')} rejected`;
}

async function planFile(db: Executor, prepared: PreparedCsv<CompletionField>, today: string, settings: Settings, fileName: string): Promise<Plan> {
  const rows = await rowValues(prepared, COMPLETION_FIELDS);
  const contacts = await ContactDirectory.load(
    db,
    rows.map(({ v }) => v as ContactKeys),
  );
  const programs = await programsByCode(db);
  const components = new ComponentFinder((await db('components').select('*')) as ComponentRow[], await readMap(db, COMPONENT_IDS_KEY));
  const slices = new Slices();
  // Only the records the file names: contact and certification, read by their unique index.
  const found: Array<ReturnType<ContactDirectory['find']>> = [];
  const pairs = new Map<PairKey, readonly [number, number]>();
  for (const { v } of rows) {
    if (slices.due()) await slices.pause();
    const contact = contacts.find(v);
    found.push(contact);
    const program = v.certification === undefined ? undefined : programs.get(v.certification);
    if (typeof contact !== 'string' && program) pairs.set(pairKey(contact.id, program.id), [contact.id, program.id]);
  }
  const hasActivities = prepared.map.columns.category !== undefined;
  // A CE activity keeps its whole record for apply; a completion needs a few of its columns.
  const whole = hasActivities ? await loadRecordsOf(db, [...pairs.values()]) : null;
  const { records, done } = whole ?? (await loadRecordsOf<PlannedRecord>(db, [...pairs.values()], PLANNED_RECORD_COLUMNS));
  const activityPlanner = whole ? await ActivityPlanner.load(db, [...new Set([...whole.records.values()].map((r) => r.id))]) : null;

  const tally = new Tally();
  const completionTally = new Tally(tally);
  const activityTally = new Tally(tally);
  // The accepted lines per record, in file order, grouped as they come (one grouping of 100,000 lines after the loop held the main thread).
  const byRecord = new Map<number, AcceptedCompletion[]>();
  const intern = new Interner();
  const activities: Array<PlannedActivity & { label: string }> = [];
  // record|component → the first line that completes it in this file, and its date.
  const seen = new Map<PairKey, { line: number; on: string }>();
  for (const [i, { row, v }] of rows.entries()) {
    if (slices.due()) await slices.pause();
    if (row.ragged !== undefined) {
      tally.reject(row.line, row.ragged);
      continue;
    }
    const isActivity = v.category !== undefined;
    const kind = isActivity ? activityTally : completionTally;
    const problems: string[] = [];
    for (const f of COMPLETION_FIELDS) {
      const value = v[f];
      const problem = value === undefined ? null : checkText(LABELS[f], value, LIMITS[f], false);
      if (problem !== null) problems.push(problem);
    }
    const contact = found[i] as (typeof found)[number];
    if (typeof contact === 'string') problems.push(contact);
    const program = v.certification === undefined ? undefined : programs.get(v.certification);
    if (v.certification === undefined) problems.push('Certification code is empty.');
    else if (!program) problems.push(`No certification has the code ${v.certification}.`);
    if (isActivity && v.component !== undefined)
      problems.push('The row names both a component and a CE category: a row is a completion (Component) or a CE activity (CE category), not both.');
    else if (!isActivity && v.component === undefined)
      problems.push(hasActivities ? 'The row names no component (a completion) and no CE category (a CE activity).' : 'Component is empty.');
    if (v.completedOn === undefined) problems.push('Completed on is empty.');
    else if (!isCalendarDate(v.completedOn)) problems.push(`Completed on: ${calendarDateProblem(v.completedOn) ?? 'not a date'}`);
    else if (v.completedOn > today) problems.push(`Completed on ${v.completedOn} is in the future (today is ${today}).`);
    const credits = isActivity || v.credits === undefined ? null : parseCredits(v.credits);
    if (typeof credits === 'string') problems.push(credits);
    if (problems.length > 0 || typeof contact === 'string' || typeof credits === 'string' || !program || v.completedOn === undefined) {
      kind.reject(row.line, problems.join(' '));
      continue;
    }
    const recordKey = pairKey(contact.id, program.id);
    const record = records.get(recordKey);
    if (!record) {
      kind.reject(row.line, `${displayName(contact)} is not enrolled in ${program.code} — enroll first or import the enrollment.`);
      continue;
    }
    const wholeRecord = whole?.records.get(recordKey);
    if (isActivity && activityPlanner && wholeRecord && v.category !== undefined) {
      const label = `${contactLabel(contact)} → ${program.code}: CE activity "${v.title ?? ''}"`;
      const cells = {
        category: v.category,
        title: v.title,
        credits: v.credits,
        earnedOn: v.completedOn,
        source: v.source ?? fileName,
        externalId: v.activityId,
      };
      const planned = activityPlanner.plan(row.line, cells, wholeRecord, program, label);
      if (typeof planned === 'string') activityTally.reject(row.line, planned);
      else if ('unchanged' in planned) activityTally.count('unchanged', row.line, label, []);
      else activities.push({ ...planned, label });
      continue;
    }
    if (v.component === undefined) continue;
    const component = components.find(program.id, v.component);
    if (!component) {
      completionTally.reject(row.line, `${program.code} has no component "${v.component}".`);
      continue;
    }
    if (component.archived_at !== null) {
      completionTally.reject(row.line, `${component.name} is archived in ${program.code}; it takes no completions.`);
      continue;
    }
    const label = `${contactLabel(contact)} → ${program.code}: ${component.name}`;
    const key = pairKey(record.id, component.id);
    const stored = done.get(key);
    const first = seen.get(key);
    const earlier = stored !== undefined ? { on: stored, where: 'already recorded' } : first ? { on: first.on, where: `on line ${first.line}` } : null;
    if (earlier) {
      if (earlier.on === v.completedOn) completionTally.count('unchanged', row.line, label, []);
      else
        completionTally.reject(
          row.line,
          `${label} is ${earlier.where} as completed on ${earlier.on}, not ${v.completedOn}; remove that completion first to change its date.`,
        );
      continue;
    }
    if (!RECORDING_STATUSES.includes(record.status)) {
      completionTally.reject(row.line, `${label}: the record is ${record.status}; completions are recorded while a certification is being worked on.`);
      continue;
    }
    seen.set(key, { line: row.line, on: v.completedOn });
    const ofRecord = byRecord.get(record.id) ?? [];
    if (ofRecord.length === 0) byRecord.set(record.id, ofRecord);
    ofRecord.push({
      line: row.line,
      label,
      record,
      component,
      completedOn: intern.text(v.completedOn),
      credits,
      note: '',
      source: intern.text(v.source ?? fileName),
    });
  }

  // What the engine will make of each record once all the file's completions count: decided once per record
  // (the service decides again on apply).
  const requiredOf = new Map<number, Set<number>>();
  const completions: PlannedCompletion[] = [];
  const programsById = new Map([...programs.values()].map((p) => [p.id, p]));
  // Records whose completions change them: where their CE activities will count.
  const after = new Map<number, RecordAfter>();
  for (const list of byRecord.values()) {
    if (slices.due()) await slices.pause();
    const { record } = list[0] as AcceptedCompletion;
    const program = programsById.get(record.program_id) as ProgramRow;
    let required = requiredOf.get(program.id);
    if (!required) {
      required = new Set(components.requiredOf(program.id));
      requiredOf.set(program.id, required);
    }
    let doneBefore = 0;
    let last: string | null = null;
    for (const c of required) {
      const on = done.get(pairKey(record.id, c));
      if (on === undefined) continue;
      doneBefore++;
      if (last === null || on > last) last = on;
    }
    let newly = 0;
    for (const a of list) {
      if (!required.has(a.component.id)) continue;
      newly++;
      if (last === null || a.completedOn > last) last = a.completedOn;
    }
    const decision = evaluate({
      record: stateOf(record),
      program: rulesOf(program),
      progress: { requiredTotal: required.size, requiredDone: doneBefore + newly, lastCompletedOn: last },
      settings,
      today,
    });
    if (decision.status === 'Expired') {
      const reason = `With these completions ${program.code} would be Expired at once${decision.changes.expiresOn ? ` (it expires on ${decision.changes.expiresOn})` : ''}. Check the dates; if they are right, record them in the record drawer and confirm.`;
      for (const a of list) completionTally.reject(a.line, `${a.label}: ${reason}`);
      continue;
    }
    after.set(record.id, {
      status: decision.status,
      cycle: decision.startsNewCycle ? record.cycle + 1 : record.cycle,
      cycle_starts_on: decision.startsNewCycle ? null : record.cycle_starts_on,
      completed_on: decision.changes.completedOn ?? record.completed_on,
      expires_on: decision.changes.expiresOn ?? record.expires_on,
    });
    const kept = completedRecord(record);
    list.forEach((a, j) => {
      completionTally.count('new', a.line, a.label, () => {
        const fields: FieldChange[] = [{ field: 'Completed on', from: '', to: a.completedOn }];
        if (a.credits !== null) fields.push({ field: 'Credits or hours', from: '', to: String(a.credits) });
        if (j === list.length - 1 && decision.status !== record.status) fields.push({ field: 'Status', from: record.status, to: decision.status });
        return fields;
      });
      completions.push({ line: a.line, record: kept, component: a.component, completedOn: a.completedOn, credits: a.credits, note: a.note, source: a.source });
    });
  }

  let notCounted = 0;
  for (const a of activities) {
    if (slices.due()) await slices.pause();
    const { fields, counts } = activityFields(a, after.get(a.record.id) ?? a.record);
    if (!counts) notCounted++;
    activityTally.count('new', a.line, a.label, fields);
  }
  const summary = [`Completions: ${countsWords(completionTally.rows)}.`];
  if (hasActivities) {
    const words =
      notCounted === 0
        ? ''
        : `; ${notCounted.toLocaleString('en')} of the new ones ${notCounted === 1 ? 'does' : 'do'} not count towards renewal (dated outside the current cycle, or no cycle is running: see each line)`;
    summary.push(`CE activities: ${countsWords(activityTally.rows)}${words}.`);
  }
  return { result: { ...plannedResult(SPEC, prepared, tally), summary }, completions, activities, programs: programsById };
}

/** A file with neither a Component nor a CE category column cannot say what any row is. */
function columnsProblem(prepared: PreparedCsv<CompletionField>): string | null {
  const { columns } = prepared.map;
  if (columns.component !== undefined || columns.category !== undefined) return null;
  return `No column holds Component (for completions) or CE category (for CE activities). Map one of the columns (${prepared.parsed.headers.map((h) => `"${h}"`).join(', ')}) to one of them.`;
}

/** What importing the CSV would do; writes nothing. */
export async function previewCompletionsCsv(ctx: ServiceContext, input: CompletionsCsvInput, job?: JobProgress): Promise<CompletionsCsvResult> {
  const prepared = await prepareCsv(SPEC, input, undefined, job);
  if (!('parsed' in prepared)) return prepared;
  const problem = columnsProblem(prepared);
  if (problem) return failedResult(SPEC.importFields, { line: 1, reason: problem }, prepared.source.sha256, prepared.parsed);
  const { today, settings } = await settingsAndToday(ctx, ctx.db);
  const file = input.fileName ?? 'a CSV file';
  return (await planAndKeep(ctx.db, planKey('completions', prepared.source.sha256, input), () => planFile(ctx.db, prepared, today, settings, file))).result;
}

/**
 * Imports the previewed completions and CE activities in one transaction, each through its service (the
 * record drawer's), its history naming the file and line: the completions first, so an activity finds the
 * cycle a completion started.
 */
export async function applyCompletionsCsv(ctx: ServiceContext, actor: Actor, input: CompletionsCsvInput, job?: JobProgress): Promise<CompletionsCsvResult> {
  job?.progress(0, null, 'Reading the file');
  const source = await readSourceForApply(input);
  const key = planKey('completions', source.sha256, input);
  const file = input.fileName ?? 'a CSV file';
  return inTransaction(ctx.db, async (trx) => {
    const { today, settings } = await settingsAndToday(ctx, trx);
    const planned = await planForApply(ctx.db, trx, key, async () => {
      const prepared = await prepareCsv(SPEC, input, source);
      const problem = 'parsed' in prepared ? columnsProblem(prepared) : (prepared.fileError?.reason ?? 'The file cannot be imported.');
      if (problem || !('parsed' in prepared)) throw new ImportFileError(('parsed' in prepared ? null : prepared.fileError?.line) ?? 1, problem ?? '');
      return planFile(trx, prepared, today, settings, file);
    });
    const w = { ...(await writeContext(ctx, trx, actor)), at: stamp(ctx) };
    const total = planned.completions.length + planned.activities.length;
    const tick = progressReporter(job, total, (n) => `Importing completions: ${n.toLocaleString('en')} of ${total.toLocaleString('en')}`);
    const detail = (c: { line: number }): string => ` (imported from ${file}, line ${c.line})`;
    await recordCompletionsInSteps(trx, planned.completions, planned.programs, w, detail, tick, IMPORT_STEP);
    await addActivitiesInSteps(trx, planned.activities, w, 'CE credits imported from a file', detail, tick, IMPORT_STEP);
    return planned.result;
  });
}

/**
 * Rows written per step of an apply (its progress); a record's completions stay in one step. The engine's decisions
 * and the statements' values of a step are made in one go on the main thread: 5,000 rows held it for 0.16 s.
 */
const IMPORT_STEP = 2000;

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
 */
import { CONTACT_LIMITS, displayName } from '../domain/contact';
import type { JobProgress } from '../domain/progress';
import { rulesOf } from '../domain/program';
import type { ComponentRow, ProgramRow, RecordRow } from '../domain/rows';
import { whereInJson } from '../db/where-in-json';
import { isCalendarDate } from '../rules/calendar';
import { evaluate } from '../rules/engine';
import { counted, recordCompletionsInSteps, type NewCompletion } from '../services/completions';
import { officeToday, stamp, type Actor, type Executor, type ServiceContext } from '../services/context';
import { RECORDING_STATUSES, stateOf, writeContext } from '../services/records';
import { readSettings } from '../services/settings';
import type { Settings } from '../domain/settings';
import { COMPONENT_IDS_KEY, readMap } from './batch-folder';
import {
  plannedResult,
  prepareCsv,
  prepareCsvForApply,
  readSourceForApply,
  type CsvImportInput,
  type CsvImportResult,
  type CsvSpec,
  type ImportField,
  type PreparedCsv,
} from './csv-import';
import { planAndKeep, planForApply, planKey } from './kept-plan';
import { CONTACT_KEY_LABELS, CONTACT_KEY_SYNONYMS, contactLabel, ContactDirectory, PROGRAM_CODE_SYNONYMS, programsByCode, type ContactKeys } from './keys';
import { Tally, type FieldChange } from './result';
import { cell, checkText } from './text';
import { chunk, inTransaction, progressReporter } from './write';

export const COMPLETION_FIELDS = ['memberNumber', 'centralId', 'email', 'certification', 'component', 'completedOn', 'credits', 'source'] as const;
export type CompletionField = (typeof COMPLETION_FIELDS)[number];
export type CompletionsCsvInput = CsvImportInput<CompletionField>;
export type CompletionsCsvResult = CsvImportResult<CompletionField>;

const LABELS: Record<CompletionField, string> = {
  ...CONTACT_KEY_LABELS,
  certification: 'Certification code',
  component: 'Component',
  completedOn: 'Completed on',
  credits: 'Credits or hours',
  source: 'Source',
};
const LIMITS: Record<CompletionField, number> = {
  memberNumber: CONTACT_LIMITS.memberNumber,
  centralId: CONTACT_LIMITS.centralId,
  email: CONTACT_LIMITS.email,
  certification: 64,
  component: 1000,
  completedOn: 10,
  credits: 20,
  source: 300,
};
/** As the record drawer's credits field. */
const MAX_CREDITS = 10_000;

const SPEC: CsvSpec<CompletionField> = {
  fields: COMPLETION_FIELDS,
  importFields: COMPLETION_FIELDS.map((field): ImportField<CompletionField> => ({
    field,
    label: LABELS[field],
    required: field === 'certification' || field === 'component' || field === 'completedOn',
  })),
  synonyms: {
    ...CONTACT_KEY_SYNONYMS,
    certification: PROGRAM_CODE_SYNONYMS,
    component: ['component', 'componentname', 'componentcode', 'course', 'coursename', 'exam', 'requirement', 'module'],
    completedOn: ['completedon', 'completed', 'completiondate', 'datecompleted', 'date', 'completeddate'],
    credits: ['credits', 'hours', 'creditsorhours', 'credit', 'ceus', 'ce', 'cecredits', 'earned'],
    source: ['source', 'provider', 'event', 'origin', 'system', 'learningsystem'],
  },
  labels: LABELS,
  required: ['certification', 'component', 'completedOn'],
};

type Values = Partial<Record<CompletionField, string>>;

interface PlannedCompletion extends NewCompletion {
  line: number;
}

interface Plan {
  result: CompletionsCsvResult;
  completions: PlannedCompletion[];
  programs: Map<number, ProgramRow>;
}

/** "Core Course", "core  course" → one key: components are named by people. */
function componentKey(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase('und').replace(/\s+/g, ' ').trim();
}

/** The program's components by name and by the central id they were imported with. */
export class ComponentFinder {
  private readonly byName = new Map<string, ComponentRow>();
  private readonly byId = new Map<number, ComponentRow>();
  constructor(
    components: readonly ComponentRow[],
    private readonly centralIds: Record<string, number>,
  ) {
    for (const c of components) {
      this.byId.set(c.id, c);
      const key = `${c.program_id}|${componentKey(c.name)}`;
      // A live component wins over an archived one of the same name.
      if (!this.byName.has(key) || c.archived_at === null) this.byName.set(key, c);
    }
  }
  /** The required components that count (not archived), as the engine counts them. */
  requiredOf(programId: number): number[] {
    return [...this.byId.values()].filter((c) => c.program_id === programId && c.required === 1 && c.archived_at === null).map((c) => c.id);
  }
  find(programId: number, given: string): ComponentRow | undefined {
    const byName = this.byName.get(`${programId}|${componentKey(given)}`);
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
export async function loadRecords(db: Executor, contactIds: readonly number[]): Promise<{ records: Map<string, RecordRow>; done: Map<string, string> }> {
  const records = new Map<string, RecordRow>();
  const byId = new Map<number, RecordRow>();
  for (const ids of chunk(contactIds, 20_000)) {
    for (const r of (await whereInJson(db('records'), 'contact_id', ids).select('*')) as RecordRow[]) {
      records.set(`${r.contact_id}|${r.program_id}`, r);
      byId.set(r.id, r);
    }
  }
  const done = new Map<string, string>();
  for (const ids of chunk([...byId.keys()], 20_000)) {
    const rows: Array<{ record_id: number; component_id: number; cycle: number; completed_on: string }> = await whereInJson(
      counted(db),
      'record_id',
      ids,
    ).select('record_id', 'component_id', 'cycle', 'completed_on');
    for (const p of rows) if (byId.get(p.record_id)?.cycle === p.cycle) done.set(`${p.record_id}|${p.component_id}`, p.completed_on);
  }
  return { records, done };
}

async function planFile(db: Executor, prepared: PreparedCsv<CompletionField>, today: string, settings: Settings, fileName: string): Promise<Plan> {
  const rows = prepared.parsed.rows.map((row) => {
    const v: Values = {};
    if (row.ragged === undefined)
      for (const field of COMPLETION_FIELDS) {
        const value = cell(row.fields, prepared.map.columns[field]);
        if (value !== undefined) v[field] = value;
      }
    return { row, v };
  });
  const contacts = await ContactDirectory.load(
    db,
    rows.map(({ v }) => v as ContactKeys),
  );
  const programs = await programsByCode(db);
  const components = new ComponentFinder((await db('components').select('*')) as ComponentRow[], await readMap(db, COMPONENT_IDS_KEY));
  const found = rows.map(({ v }) => contacts.find(v as ContactKeys));
  const { records, done } = await loadRecords(db, [...new Set(found.flatMap((c) => (typeof c === 'string' ? [] : [c.id])))]);

  const tally = new Tally();
  const accepted: Array<PlannedCompletion & { label: string }> = [];
  // record|component → the first line that completes it in this file, and its date.
  const seen = new Map<string, { line: number; on: string }>();
  for (const [i, { row, v }] of rows.entries()) {
    if (row.ragged !== undefined) {
      tally.reject(row.line, row.ragged);
      continue;
    }
    const problems = COMPLETION_FIELDS.flatMap((f) =>
      v[f] === undefined ? [] : [checkText(LABELS[f], v[f], LIMITS[f], false)].filter((p): p is string => p !== null),
    );
    const contact = found[i] as (typeof found)[number];
    if (typeof contact === 'string') problems.push(contact);
    const program = v.certification === undefined ? undefined : programs.get(v.certification);
    if (v.certification === undefined) problems.push('Certification code is empty.');
    else if (!program) problems.push(`No certification has the code ${v.certification}.`);
    if (v.component === undefined) problems.push('Component is empty.');
    if (v.completedOn === undefined) problems.push('Completed on is empty.');
    else if (!isCalendarDate(v.completedOn)) problems.push(`Completed on "${String(v.completedOn)}" is not a date (YYYY-MM-DD).`);
    else if (v.completedOn > today) problems.push(`Completed on ${v.completedOn} is in the future (today is ${today}).`);
    const credits = v.credits === undefined ? null : parseCredits(v.credits);
    if (typeof credits === 'string') problems.push(credits);
    if (
      problems.length > 0 ||
      typeof contact === 'string' ||
      typeof credits === 'string' ||
      !program ||
      v.component === undefined ||
      v.completedOn === undefined
    ) {
      tally.reject(row.line, problems.join(' '));
      continue;
    }
    const record = records.get(`${contact.id}|${program.id}`);
    if (!record) {
      tally.reject(row.line, `${displayName(contact)} is not enrolled in ${program.code} — enroll first or import the enrollment.`);
      continue;
    }
    const component = components.find(program.id, v.component);
    if (!component) {
      tally.reject(row.line, `${program.code} has no component "${v.component}".`);
      continue;
    }
    if (component.archived_at !== null) {
      tally.reject(row.line, `${component.name} is archived in ${program.code}; it takes no completions.`);
      continue;
    }
    const label = `${contactLabel(contact)} → ${program.code}: ${component.name}`;
    const key = `${record.id}|${component.id}`;
    const stored = done.get(key);
    const first = seen.get(key);
    const earlier = stored !== undefined ? { on: stored, where: 'already recorded' } : first ? { on: first.on, where: `on line ${first.line}` } : null;
    if (earlier) {
      if (earlier.on === v.completedOn) tally.count('unchanged', row.line, label, []);
      else
        tally.reject(
          row.line,
          `${label} is ${earlier.where} as completed on ${earlier.on}, not ${v.completedOn}; remove that completion first to change its date.`,
        );
      continue;
    }
    if (!RECORDING_STATUSES.includes(record.status)) {
      tally.reject(row.line, `${label}: the record is ${record.status}; completions are recorded while a certification is being worked on.`);
      continue;
    }
    seen.set(key, { line: row.line, on: v.completedOn });
    const source = v.source ?? fileName;
    accepted.push({ line: row.line, label, record, component, completedOn: v.completedOn, credits, note: '', source });
  }

  // What the engine will make of each record once the file's completions count (the service decides again on apply).
  const byRecord = new Map<number, typeof accepted>();
  for (const a of accepted) byRecord.set(a.record.id, [...(byRecord.get(a.record.id) ?? []), a]);
  const requiredOf = new Map<number, Set<number>>();
  const completions: PlannedCompletion[] = [];
  const programsById = new Map([...programs.values()].map((p) => [p.id, p]));
  for (const list of byRecord.values()) {
    const { record } = list[0] as (typeof accepted)[number];
    const program = programsById.get(record.program_id) as ProgramRow;
    let required = requiredOf.get(program.id);
    if (!required) {
      required = new Set(components.requiredOf(program.id));
      requiredOf.set(program.id, required);
    }
    const doneBefore = [...required].filter((c) => done.has(`${record.id}|${c}`));
    const newly = list.filter((a) => required.has(a.component.id));
    const dates = [...doneBefore.map((c) => done.get(`${record.id}|${c}`) as string), ...newly.map((a) => a.completedOn)].sort();
    const decision = evaluate({
      record: stateOf(record),
      program: rulesOf(program),
      progress: { requiredTotal: required.size, requiredDone: doneBefore.length + newly.length, lastCompletedOn: dates[dates.length - 1] ?? null },
      settings,
      today,
    });
    if (decision.status === 'Expired') {
      const reason = `With these completions ${program.code} would be Expired at once${decision.changes.expiresOn ? ` (it expires on ${decision.changes.expiresOn})` : ''}. Check the dates; if they are right, record them in the record drawer and confirm.`;
      for (const a of list) tally.reject(a.line, `${a.label}: ${reason}`);
      continue;
    }
    list.forEach((a, j) => {
      const fields: FieldChange[] = [{ field: 'Completed on', from: '', to: a.completedOn }];
      if (a.credits !== null) fields.push({ field: 'Credits or hours', from: '', to: String(a.credits) });
      if (j === list.length - 1 && decision.status !== record.status) fields.push({ field: 'Status', from: record.status, to: decision.status });
      tally.count('new', a.line, a.label, fields);
      completions.push(a);
    });
  }
  return { result: plannedResult(SPEC, prepared, tally), completions, programs: programsById };
}

async function dayOf(ctx: ServiceContext, db: Executor): Promise<{ today: string; settings: Settings }> {
  const settings = await readSettings(db);
  return { today: officeToday(ctx, settings.timeZone), settings };
}

/** What importing the CSV would do; writes nothing. */
export async function previewCompletionsCsv(ctx: ServiceContext, input: CompletionsCsvInput): Promise<CompletionsCsvResult> {
  const prepared = await prepareCsv(SPEC, input);
  if (!('parsed' in prepared)) return prepared;
  const { today, settings } = await dayOf(ctx, ctx.db);
  const file = input.fileName ?? 'a CSV file';
  return (await planAndKeep(ctx.db, planKey('completions', prepared.source.sha256, input), () => planFile(ctx.db, prepared, today, settings, file))).result;
}

/** Imports the previewed completions in one transaction, each through the completions service, its history naming the file and line. */
export async function applyCompletionsCsv(ctx: ServiceContext, actor: Actor, input: CompletionsCsvInput, job?: JobProgress): Promise<CompletionsCsvResult> {
  job?.progress(0, null, 'Reading the file');
  const source = await readSourceForApply(input);
  const key = planKey('completions', source.sha256, input);
  const file = input.fileName ?? 'a CSV file';
  return inTransaction(ctx.db, async (trx) => {
    const { today, settings } = await dayOf(ctx, trx);
    const planned = await planForApply(ctx.db, trx, key, async () => planFile(trx, await prepareCsvForApply(SPEC, input, source), today, settings, file));
    const w = { ...(await writeContext(ctx, trx, actor)), at: stamp(ctx) };
    const total = planned.completions.length;
    const tick = progressReporter(job, total, (n) => `Importing completions: ${n} of ${total}`);
    await recordCompletionsInSteps(trx, planned.completions, planned.programs, w, (c) => ` (imported from ${file}, line ${c.line})`, tick);
    return planned.result;
  });
}

/**
 * Applications from CSV (SPEC.md §6): one row per application — the contact
 * (member number, central ID or email), the certification code, the date the
 * application was made and an optional note. Each new one goes through the
 * rules engine exactly as "Record application" does (Require Approval →
 * Applied, else In Progress), dated that day, its history naming the file and
 * line. Preview, then apply in one transaction. A row whose contact already
 * has this certification with the same application date is unchanged (the
 * same file twice changes nothing); with another record it is rejected.
 */
import type { JobProgress } from '../domain/progress';
import type { RecordRow } from '../domain/rows';
import { whereInJson } from '../db/where-in-json';
import { stamp, type Actor, type Executor, type ServiceContext } from '../services/context';
import { applicationDateProblem, enrollmentRefusal, insertEnrollments, writeContext, type NewEnrollment } from '../services/records';
import { settingsAndToday } from '../services/settings';
import { plannedResult, prepareCsv, prepareCsvForApply, readSourceForApply, type CsvImportInput, type CsvImportResult, type PreparedCsv } from './csv-import';
import { planAndKeep, planForApply, planKey } from './kept-plan';
import { rowValues } from './row-values';
import { contactLabel, ContactDirectory, KEYED_LABELS, KEYED_LIMITS, keyedCsvSpec, programsByCode, type ContactKeys } from './keys';
import { Tally } from './result';
import { mapInSlices, Slices } from './slices';
import { checkText } from './text';
import { chunk, inTransaction, progressReporter } from './write';
import { pairKey, type PairKey } from './pair-key';

export const APPLICATION_FIELDS = ['memberNumber', 'centralId', 'email', 'certification', 'appliedOn', 'note'] as const;
export type ApplicationField = (typeof APPLICATION_FIELDS)[number];
export type ApplicationsCsvInput = CsvImportInput<ApplicationField>;
export type ApplicationsCsvResult = CsvImportResult<ApplicationField>;

const LABELS: Record<ApplicationField, string> = { ...KEYED_LABELS, appliedOn: 'Application date', note: 'Note' };
const LIMITS: Record<ApplicationField, number> = { ...KEYED_LIMITS, appliedOn: 10, note: 2000 };

const SPEC = keyedCsvSpec<ApplicationField>({
  fields: APPLICATION_FIELDS,
  labels: LABELS,
  synonyms: {
    appliedOn: ['applicationdate', 'appliedon', 'applied', 'dateapplied', 'date'],
    note: ['note', 'notes', 'comment', 'comments'],
  },
  required: ['certification', 'appliedOn'],
});

interface Plan {
  result: ApplicationsCsvResult;
  enrollments: Array<Omit<NewEnrollment, 'detail'> & { line: number }>;
}

async function planFile(db: Executor, prepared: PreparedCsv<ApplicationField>, today: string): Promise<Plan> {
  // In slices (slices.ts): a file of 100,000 lines leaves the list answering meanwhile.
  const slices = new Slices();
  const rows = await rowValues(prepared, APPLICATION_FIELDS);
  const contacts = await ContactDirectory.load(
    db,
    rows.map(({ v }) => v as ContactKeys),
  );
  const programs = await programsByCode(db);
  const tally = new Tally();
  const enrollments: Plan['enrollments'] = [];
  const found = await mapInSlices(rows, ({ v }) => contacts.find(v as ContactKeys));
  const contactIds = [...new Set(found.flatMap((c) => (typeof c === 'string' ? [] : [c.id])))];
  const existing = new Map<PairKey, Pick<RecordRow, 'status' | 'applied_on'>>();
  for (const ids of chunk(contactIds, 5000)) {
    await slices.maybePause();
    const stored: Array<Pick<RecordRow, 'contact_id' | 'program_id' | 'status' | 'applied_on'>> = await whereInJson(db('records'), 'contact_id', ids).select(
      'contact_id',
      'program_id',
      'status',
      'applied_on',
    );
    for (const r of stored) existing.set(pairKey(r.contact_id, r.program_id), r);
  }
  const seen = new Map<PairKey, number>();
  for (const [i, { row, v }] of rows.entries()) {
    if (slices.due()) await slices.pause();
    if (row.ragged !== undefined) {
      tally.reject(row.line, row.ragged);
      continue;
    }
    const problems = APPLICATION_FIELDS.flatMap((f) =>
      v[f] === undefined ? [] : [checkText(LABELS[f], v[f], LIMITS[f], f === 'note')].filter((p): p is string => p !== null),
    );
    const contact = found[i] as (typeof found)[number];
    if (typeof contact === 'string') problems.push(contact);
    const program = v.certification === undefined ? undefined : programs.get(v.certification);
    if (v.certification === undefined) problems.push('Certification code is empty.');
    else if (!program) problems.push(`No certification has the code ${v.certification}.`);
    const dateProblem = v.appliedOn === undefined ? 'Application date is empty.' : applicationDateProblem(v.appliedOn, today);
    if (dateProblem) problems.push(dateProblem);
    if (problems.length > 0 || typeof contact === 'string' || !program || v.appliedOn === undefined) {
      tally.reject(row.line, problems.join(' '));
      continue;
    }
    const label = `${contactLabel(contact)} → ${program.code}`;
    const key = pairKey(contact.id, program.id);
    const first = seen.get(key);
    if (first !== undefined) {
      tally.reject(row.line, `${label} is also on line ${first}; only the first is imported.`);
      continue;
    }
    seen.set(key, row.line);
    const stored = existing.get(key);
    if (stored && stored.applied_on === v.appliedOn) {
      tally.count('unchanged', row.line, label, []);
      continue;
    }
    const refusal = enrollmentRefusal(contact, program, stored);
    if (refusal) {
      tally.reject(row.line, refusal.message);
      continue;
    }
    enrollments.push({ line: row.line, contact, program, source: 'application', day: v.appliedOn, reason: v.note });
    tally.count('new', row.line, label, [
      { field: 'Application date', from: '', to: v.appliedOn },
      { field: 'Status', from: '', to: program.require_approval === 1 ? 'Applied' : 'In Progress' },
    ]);
  }
  return { result: plannedResult(SPEC, prepared, tally), enrollments };
}

/** What importing the CSV would do; writes nothing. */
export async function previewApplicationsCsv(ctx: ServiceContext, input: ApplicationsCsvInput, job?: JobProgress): Promise<ApplicationsCsvResult> {
  const prepared = await prepareCsv(SPEC, input, undefined, job);
  if (!('parsed' in prepared)) return prepared;
  const { today } = await settingsAndToday(ctx, ctx.db);
  return (await planAndKeep(ctx.db, planKey('applications', prepared.source.sha256, input), () => planFile(ctx.db, prepared, today))).result;
}

/** Imports the previewed applications in one transaction, each through the rules engine, with its history naming the file and line. */
export async function applyApplicationsCsv(ctx: ServiceContext, actor: Actor, input: ApplicationsCsvInput, job?: JobProgress): Promise<ApplicationsCsvResult> {
  job?.progress(0, null, 'Reading the file');
  const source = await readSourceForApply(input);
  const key = planKey('applications', source.sha256, input);
  return inTransaction(ctx.db, async (trx) => {
    const { today } = await settingsAndToday(ctx, trx);
    const planned = await planForApply(ctx.db, trx, key, async () => planFile(trx, await prepareCsvForApply(SPEC, input, source), today));
    const w = { ...(await writeContext(ctx, trx, actor)), at: stamp(ctx) };
    const file = input.fileName ?? 'a CSV file';
    const tick = progressReporter(job, planned.enrollments.length, (done) => `Importing applications: ${done} of ${planned.enrollments.length}`);
    for (const part of chunk(planned.enrollments, 5000)) {
      await insertEnrollments(
        trx,
        part.map(({ line, ...e }) => ({ ...e, detail: `Application imported from ${file}, line ${line}` })),
        w,
      );
      tick(part.length);
    }
    return planned.result;
  });
}

/**
 * Existing certification records from the previous system, by CSV (SPEC.md §6,
 * "An association moves in"): one row per record — the contact (member number,
 * central ID or email), the certification code, the status (one of the ten,
 * any case), the applied, started, completed, approved and expires dates, the
 * cycle, and the completed components (names separated by `;`).
 *
 * The rules engine decides what is stored (rules/migrated-record.ts): Active,
 * Expiring and Expired follow the dates, the four manual statuses are kept,
 * contradictions are line errors. A line whose contact already has a record of
 * that certification is unchanged when the stored record has the same data,
 * and rejected, naming each difference, when it does not: a migration never
 * overwrites staff's work. Preview, then apply in one transaction; each record
 * gets one history entry naming the file and line.
 */
import type { JobProgress } from '../domain/progress';
import { rulesOf } from '../domain/program';
import type { ComponentRow, ProgramRow, RecordRow } from '../domain/rows';
import { bulkInsert } from '../db/bulk-insert';
import { whereInJson } from '../db/where-in-json';
import type { CalendarDate } from '../rules/calendar';
import { DATE_LABELS, migratedDateProblem, migratedRecord, type MigratedDates, type MigratedRecord } from '../rules/migrated-record';
import { STATUSES, TIMED_STATUSES, type Status } from '../rules/statuses';
import { logStoredRows } from '../services/changelog';
import { refreshCredits } from '../services/credit-standing';
import { stamp, type Actor, type Executor, type ServiceContext } from '../services/context';
import { enrollmentRefusal, writeContext } from '../services/records';
import { insertHistory, queueExpiringEmails, type WriteContext } from '../services/record-writer';
import { settingsAndToday } from '../services/settings';
import type { Settings } from '../domain/settings';
import { plannedResult, prepareCsv, prepareCsvForApply, readSourceForApply, type CsvImportInput, type CsvImportResult, type PreparedCsv } from './csv-import';
import { Interner, memoized } from './interner';
import { planAndKeep, planForApply, planKey } from './kept-plan';
import { rowValues } from './row-values';
import { contactLabel, ContactDirectory, KEYED_LABELS, KEYED_LIMITS, keyedCsvSpec, programsByCode, type ContactKeys, type KeyedContact } from './keys';
import type { FieldChange } from './result';
import { Tally } from './result';
import { checkText } from './text';
import { mapInSlices, Slices } from './slices';
import { chunk, inTransaction, progressReporter } from './write';
import { pairKey, type PairKey } from './pair-key';

export const RECORD_FIELDS = [
  'memberNumber',
  'centralId',
  'email',
  'certification',
  'status',
  'appliedOn',
  'startedOn',
  'completedOn',
  'approvedOn',
  'expiresOn',
  'cycle',
  'components',
] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];
export type RecordsCsvInput = CsvImportInput<RecordField>;
export type RecordsCsvResult = CsvImportResult<RecordField>;

/** Completed components in one cell: "Core Course; Final Exam". */
export const COMPONENT_SEPARATOR = ';';
/** A record's cycle: 1 for the first certification, 2 after the first renewal… */
const MAX_CYCLE = 999;
const DATE_FIELDS = ['appliedOn', 'startedOn', 'completedOn', 'approvedOn', 'expiresOn'] as const satisfies ReadonlyArray<keyof MigratedDates>;

const LABELS: Record<RecordField, string> = {
  ...KEYED_LABELS,
  status: 'Status',
  ...DATE_LABELS,
  cycle: 'Cycle',
  components: 'Completed components',
};
const LIMITS: Record<RecordField, number> = {
  ...KEYED_LIMITS,
  status: 40,
  appliedOn: 40,
  startedOn: 40,
  completedOn: 40,
  approvedOn: 40,
  expiresOn: 40,
  cycle: 10,
  components: 4000,
};

const SPEC = keyedCsvSpec<RecordField>({
  fields: RECORD_FIELDS,
  labels: LABELS,
  synonyms: {
    status: ['status', 'certificationstatus', 'recordstatus'],
    appliedOn: ['applied', 'appliedon', 'applieddate', 'applicationdate', 'dateapplied'],
    startedOn: ['started', 'startedon', 'starteddate', 'startdate', 'datestarted'],
    completedOn: ['completed', 'completedon', 'completeddate', 'completiondate', 'datecompleted'],
    approvedOn: ['approved', 'approvedon', 'approveddate', 'approvaldate', 'dateapproved'],
    expiresOn: ['expires', 'expireson', 'expiresdate', 'expirationdate', 'expirydate', 'expiry', 'expiration'],
    cycle: ['cycle', 'renewalcycle', 'cyclenumber'],
    components: ['completedcomponents', 'componentscompleted', 'components'],
  },
  required: ['certification', 'status'],
});

const STATUS_BY_NAME = new Map<string, Status>(STATUSES.map((s) => [s.toLowerCase(), s]));

/** A line that becomes a new record. */
interface NewRecord {
  line: number;
  /** Only what apply writes: the kept plan does not hold every matched contact's row. */
  contact: Pick<KeyedContact, 'id' | 'name_key'>;
  program: ProgramRow;
  cycle: number;
  record: MigratedRecord;
  /** Completed components and the day they count from. */
  components: readonly ComponentRow[];
  componentsOn: CalendarDate | null;
  requiredTotal: number;
}

interface Plan {
  result: RecordsCsvResult;
  records: NewRecord[];
}

/** What a stored record holds, compared field by field with a line. */
interface Comparable extends MigratedDates {
  status: Status;
  cycle: number;
  components: string[];
}

/** Stored records compared per query: each answers in a few ms (5,000 held the main thread ~75 ms at 1M). */
const CONTACTS_PER_QUERY = 1000;

/** One shared empty list for the many stored records without completed components (never changed: differences copies). */
const NO_COMPONENTS: string[] = [];

/** What a line is compared with (see Comparable), and the id its components are found by. */
const STORED_RECORD_COLUMNS = ['id', 'contact_id', 'program_id', 'status', 'cycle', 'applied_on', 'started_on', 'completed_on', 'approved_on', 'expires_on'];

/** The stored records of these contacts in these certifications (those the file names), by `contact|program`. */
async function storedRecords(db: Executor, contactIds: readonly number[], programIds: readonly number[]): Promise<Map<PairKey, Comparable>> {
  const out = new Map<PairKey, Comparable>();
  const slices = new Slices();
  for (const ids of chunk(contactIds, CONTACTS_PER_QUERY)) {
    const rows = await whereInJson(whereInJson(db('records'), 'contact_id', ids), 'program_id', programIds).select<RecordRow[]>(STORED_RECORD_COLUMNS);
    // Components completed in each record's current cycle.
    const done: Array<{ record_id: number; name: string }> = await whereInJson(
      whereInJson(
        db('component_progress as cp')
          .join('components as c', 'c.id', 'cp.component_id')
          .join('records as r', (j) => j.on('r.id', 'cp.record_id').andOn('r.cycle', 'cp.cycle'))
          .whereNull('cp.removed_at'),
        'r.contact_id',
        ids,
      ),
      'r.program_id',
      programIds,
    ).select('cp.record_id', 'c.name');
    const names = new Map<number, string[]>();
    for (const d of done) {
      const list = names.get(d.record_id);
      if (list) list.push(d.name);
      else names.set(d.record_id, [d.name]);
    }
    for (const r of rows) {
      out.set(pairKey(r.contact_id, r.program_id), {
        status: r.status,
        cycle: r.cycle,
        appliedOn: r.applied_on,
        startedOn: r.started_on,
        completedOn: r.completed_on,
        approvedOn: r.approved_on,
        expiresOn: r.expires_on,
        components: names.get(r.id) ?? NO_COMPONENTS,
      });
    }
    await slices.maybePause();
  }
  return out;
}

/** The differences between a stored record and a line, in words ("Status is In Progress, the file says Active"). */
function differences(stored: Comparable, line: Comparable): string[] {
  const out: string[] = [];
  const say = (label: string, a: string, b: string) => {
    if (a !== b) out.push(`${label} is ${a === '' ? 'empty' : a}, the file says ${b === '' ? 'nothing' : b}`);
  };
  say('Status', stored.status, line.status);
  say('Cycle', String(stored.cycle), String(line.cycle));
  for (const f of DATE_FIELDS) say(DATE_LABELS[f], stored[f] ?? '', line[f] ?? '');
  const sorted = (names: string[]) => [...names].map((n) => n.toLowerCase()).sort();
  if (sorted(stored.components).join('\n') !== sorted(line.components).join('\n')) {
    say('Completed components', stored.components.join('; '), line.components.join('; '));
  }
  return out;
}

interface ProgramParts {
  byName: Map<string, ComponentRow>;
  requiredTotal: number;
}

async function componentsOf(db: Executor): Promise<Map<number, ProgramParts>> {
  const rows = (await db('components').whereNull('archived_at').orderBy(['program_id', 'position', 'id'])) as ComponentRow[];
  const out = new Map<number, ProgramParts>();
  for (const c of rows) {
    const parts = out.get(c.program_id) ?? { byName: new Map<string, ComponentRow>(), requiredTotal: 0 };
    parts.byName.set(c.name.toLowerCase(), c);
    if (c.required === 1) parts.requiredTotal++;
    out.set(c.program_id, parts);
  }
  return out;
}

/** The status cell as one of the ten, or why not. */
function statusOf(value: string | undefined): { status: Status } | { problem: string } {
  if (value === undefined) return { problem: 'Status is empty.' };
  const status = STATUS_BY_NAME.get(value.toLowerCase().replace(/\s+/g, ' '));
  return status ? { status } : { problem: `Status "${value}" is not one of the ten: ${STATUSES.join(', ')}.` };
}

function cycleOf(value: string | undefined): number | string {
  if (value === undefined) return 1;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_CYCLE) return `Cycle "${value}" is not a whole number from 1 to ${MAX_CYCLE}.`;
  return Number(value);
}

async function planFile(db: Executor, prepared: PreparedCsv<RecordField>, today: CalendarDate, settings: Settings): Promise<Plan> {
  const rows = await rowValues(prepared, RECORD_FIELDS);
  const contacts = await ContactDirectory.load(db, await mapInSlices(rows, ({ v }) => v as ContactKeys));
  const programs = await programsByCode(db);
  const parts = await componentsOf(db);
  const found = await mapInSlices(rows, ({ v }) => contacts.find(v as ContactKeys));
  // The stored records that can meet a line: of its contacts, in the certifications the file names.
  const contactIds = new Set<number>();
  const named = new Set<number>();
  const slices = new Slices();
  for (const [i, { v }] of rows.entries()) {
    const c = found[i] as KeyedContact | string;
    if (typeof c !== 'string') contactIds.add(c.id);
    const program = v.certification === undefined ? undefined : programs.get(v.certification);
    if (program) named.add(program.id);
    if (slices.due()) await slices.pause();
  }
  const existing = await storedRecords(db, [...contactIds], [...named]);
  const tally = new Tally();
  const records: NewRecord[] = [];
  const intern = new Interner();
  const seen = new Map<PairKey, number>();
  // The same few statuses, dates and certifications come back on thousands of lines: each is read once.
  const statusOfCell = memoized(statusOf);
  const dateProblem = Object.fromEntries(DATE_FIELDS.map((f) => [f, memoized((value: string) => migratedDateProblem(f, value, today))])) as Record<
    (typeof DATE_FIELDS)[number],
    (value: string) => string | null
  >;
  const rulesOfProgram = memoized(rulesOf);
  for (const [i, { row, v }] of rows.entries()) {
    if (slices.due()) await slices.pause();
    if (row.ragged !== undefined) {
      tally.reject(row.line, row.ragged);
      continue;
    }
    const problems: string[] = [];
    for (const f of RECORD_FIELDS) {
      const value = v[f];
      const problem = value === undefined ? null : checkText(LABELS[f], value, LIMITS[f]);
      if (problem !== null) problems.push(problem);
    }
    const contact = found[i] as KeyedContact | string;
    if (typeof contact === 'string') problems.push(contact);
    const program = v.certification === undefined ? undefined : programs.get(v.certification);
    if (v.certification === undefined) problems.push('Certification code is empty.');
    else if (!program) problems.push(`No certification has the code ${v.certification}.`);
    const status = statusOfCell(v.status);
    if ('problem' in status) problems.push(status.problem);
    const cycle = cycleOf(v.cycle);
    if (typeof cycle === 'string') problems.push(cycle);
    const dates: MigratedDates = { appliedOn: null, startedOn: null, completedOn: null, approvedOn: null, expiresOn: null };
    for (const f of DATE_FIELDS) {
      const value = v[f];
      if (value === undefined) continue;
      const problem = dateProblem[f](value);
      if (problem) problems.push(problem);
      else dates[f] = value;
    }
    const programParts = program ? (parts.get(program.id) ?? { byName: new Map<string, ComponentRow>(), requiredTotal: 0 }) : null;
    const listed =
      v.components === undefined
        ? NO_COMPONENTS
        : v.components
            .split(COMPONENT_SEPARATOR)
            .map((n) => n.trim())
            .filter((n) => n !== '');
    const components: ComponentRow[] = [];
    if (program && programParts) {
      const unknown = listed.filter((n) => !programParts.byName.has(n.toLowerCase()));
      if (unknown.length > 0)
        problems.push(`${program.code} has no component ${unknown.map((n) => `"${n}"`).join(', ')} (its components: ${listNames(programParts)}).`);
      for (const n of listed) {
        const c = programParts.byName.get(n.toLowerCase());
        if (c && !components.includes(c)) components.push(c);
        else if (c) problems.push(`The component "${n}" is listed twice.`);
      }
    }
    if (problems.length > 0 || typeof contact === 'string' || !program || !programParts || typeof cycle === 'string' || 'problem' in status) {
      tally.reject(row.line, problems.join(' '));
      continue;
    }
    const componentsOn = dates.completedOn ?? dates.startedOn;
    if (components.length > 0 && componentsOn === null) {
      tally.reject(row.line, 'Completed components need a day to count from: give the started date or the completed date.');
      continue;
    }
    const decided = migratedRecord({
      status: status.status,
      dates,
      program: rulesOfProgram(program),
      progress: { requiredTotal: programParts.requiredTotal, requiredDone: components.filter((c) => c.required === 1).length },
      settings,
      today,
    });
    if ('refused' in decided) {
      tally.reject(row.line, decided.refused);
      continue;
    }
    const label = `${contactLabel(contact)} → ${program.code}`;
    const key = pairKey(contact.id, program.id);
    const first = seen.get(key);
    if (first !== undefined) {
      tally.reject(row.line, `${label} is also on line ${first}; a contact has one record per certification.`);
      continue;
    }
    seen.set(key, row.line);
    const stored = existing.get(key);
    if (stored) {
      const diff = differences(stored, { ...decided, cycle, components: components.map((c) => c.name) });
      if (diff.length === 0) tally.count('unchanged', row.line, label, []);
      else
        tally.reject(
          row.line,
          `${label} already has a record that differs: ${diff.join('; ')}. An import does not overwrite a stored record; change it in CertDesk or remove the line.`,
        );
      continue;
    }
    const refusal = enrollmentRefusal(contact, program, undefined);
    if (refusal) {
      tally.reject(row.line, refusal.message);
      continue;
    }
    records.push({
      line: row.line,
      contact: { id: contact.id, name_key: contact.name_key },
      program,
      cycle,
      record: keptRecord(decided, intern),
      components: components.length === 0 ? intern.list('', components) : intern.list(components.map((c) => c.id).join(','), components),
      componentsOn: intern.text(componentsOn),
      requiredTotal: programParts.requiredTotal,
    });
    tally.count('new', row.line, label, () => changesOf(decided, cycle, components));
  }
  return { result: plannedResult(SPEC, prepared, tally), records };
}

/** The record as the plan keeps it until apply: its dates and rule one shared copy each (they repeat across a file's lines). */
function keptRecord(r: MigratedRecord, intern: Interner): MigratedRecord {
  // Written out, not spread: a spread copy was ~3 µs a line (issue #15).
  return {
    appliedOn: intern.text(r.appliedOn),
    startedOn: intern.text(r.startedOn),
    completedOn: intern.text(r.completedOn),
    approvedOn: intern.text(r.approvedOn),
    expiresOn: intern.text(r.expiresOn),
    status: r.status,
    rule: intern.text(r.rule),
    rederivedFrom: r.rederivedFrom,
    expirationOverridden: r.expirationOverridden,
    queueExpiringEmail: r.queueExpiringEmail,
  };
}

/** Only a record that holds (or held) a certification renewed by credits has credit columns to keep (credit-standing.ts). */
function holdsRequirement(n: NewRecord): boolean {
  return n.program.renewal_credits !== null && TIMED_STATUSES.includes(n.record.status);
}

function listNames(parts: ProgramParts): string {
  return [...parts.byName.values()].map((c) => c.name).join('; ') || 'none';
}

/** The preview's words for a new record: its status (and why, when the engine re-derived it), dates, cycle, components. */
function changesOf(r: MigratedRecord, cycle: number, components: ComponentRow[]): FieldChange[] {
  const out: FieldChange[] = [{ field: 'Status', from: r.rederivedFrom === null ? '' : `${r.rederivedFrom} in the file`, to: r.status }];
  if (r.rederivedFrom !== null) out.push({ field: 'Why', from: '', to: r.rule });
  for (const f of DATE_FIELDS) if (r[f] !== null) out.push({ field: DATE_LABELS[f], from: '', to: r[f] });
  if (cycle !== 1) out.push({ field: 'Cycle', from: '', to: String(cycle) });
  if (components.length > 0) out.push({ field: 'Completed components', from: '', to: components.map((c) => c.name).join('; ') });
  return out;
}

/** What importing the CSV would do; writes nothing. */
export async function previewRecordsCsv(ctx: ServiceContext, input: RecordsCsvInput, job?: JobProgress): Promise<RecordsCsvResult> {
  const prepared = await prepareCsv(SPEC, input, undefined, job);
  if (!('parsed' in prepared)) return prepared;
  const { settings, today } = await settingsAndToday(ctx, ctx.db);
  return (await planAndKeep(ctx.db, planKey('records', prepared.source.sha256, input), () => planFile(ctx.db, prepared, today, settings))).result;
}

/** Rows per step: progress is reported after each. */
const STEP = 5000;

/** Imports the previewed records in one transaction: records, completed components, one history entry each, emails due, all in the change log. */
export async function applyRecordsCsv(ctx: ServiceContext, actor: Actor, input: RecordsCsvInput, job?: JobProgress): Promise<RecordsCsvResult> {
  job?.progress(0, null, 'Reading the file');
  const source = await readSourceForApply(input);
  const key = planKey('records', source.sha256, input);
  return inTransaction(ctx.db, async (trx) => {
    const { settings, today } = await settingsAndToday(ctx, trx);
    const planned = await planForApply(ctx.db, trx, key, async () => planFile(trx, await prepareCsvForApply(SPEC, input, source), today, settings));
    const w: WriteContext = { ...(await writeContext(ctx, trx, actor)), at: stamp(ctx) };
    const file = input.fileName ?? 'a CSV file';
    const total = planned.records.length;
    const tick = progressReporter(job, total, (done) => `Importing records: ${done.toLocaleString('en')} of ${total.toLocaleString('en')}`);
    for (const part of chunk(planned.records, STEP)) {
      await insertRecords(trx, part, file, w);
      tick(part.length);
    }
    return planned.result;
  });
}

async function insertRecords(trx: Executor, part: readonly NewRecord[], file: string, w: WriteContext): Promise<void> {
  const rows = part.map(({ contact, program, cycle, record: r, components, requiredTotal }) => ({
    contact_id: contact.id,
    program_id: program.id,
    status: r.status,
    sort_name: contact.name_key,
    cycle,
    applied_on: r.appliedOn,
    started_on: r.startedOn,
    completed_on: r.completedOn,
    approved_on: r.approvedOn,
    expires_on: r.expiresOn,
    expiration_overridden: r.expirationOverridden ? 1 : 0,
    required_total: requiredTotal,
    required_done: components.filter((c) => c.required === 1).length,
    created_at: w.at,
    updated_at: w.at,
  }));
  const ids = await bulkInsert(trx, 'records', rows, { returning: 'id' });
  if (ids.length !== part.length) throw new Error(`Inserting records returned ${ids.length} ids for ${part.length}.`);
  // The kept renewal-credit columns, as the writer keeps them for every record it writes: before the rows are logged.
  await refreshCredits(
    trx,
    ids.filter((_, i) => holdsRequirement(part[i] as NewRecord)),
  );
  await logStoredRows(trx, 'records', 'record', 'insert', ids, w.at);
  const progress = part.flatMap((n, i) =>
    n.components.map((c) => ({
      record_id: ids[i] as number,
      component_id: c.id,
      cycle: n.cycle,
      completed_on: n.componentsOn as CalendarDate,
      credits: c.credits,
      note: `Imported from ${file}, line ${n.line}`,
      recorded_by: w.actor.id,
      recorded_at: w.at,
    })),
  );
  await logStoredRows(trx, 'component_progress', 'progress', 'insert', await bulkInsert(trx, 'component_progress', progress, { returning: 'id' }), w.at);
  await insertHistory(
    trx,
    part.map((n, i) => ({
      record: { id: ids[i] as number, cycle: n.cycle },
      from: null,
      to: n.record.status,
      kind: 'enrollment' as const,
      rule: n.record.rule,
      detail: `Imported from ${file}, line ${n.line}`,
    })),
    w,
  );
  const due = ids.filter((_, i) => part[i]?.record.queueExpiringEmail === true);
  await logStoredRows(trx, 'outbox', 'outbox', 'insert', await queueExpiringEmails(trx, due, w), w.at);
}

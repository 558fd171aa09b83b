/**
 * Certification programs from CSV (programs only; components are not in the
 * CSV): a preview, then the apply, in one transaction, of exactly the rows the
 * preview counted. Admin only (SPEC.md: admin alone changes programs).
 *
 * - A row is matched to a stored program by its code (exactly, after
 *   trimming). Code and name are required on every row.
 * - Expiration: `never`, a period (`3 years`, `18 months`, `90 days`, `1 year`),
 *   or a fixed date `YYYY-MM-DD`. Yes/no columns take yes/no, true/false, y/n,
 *   1/0 (any case).
 * - An empty cell leaves the stored value as it is; a new program gets the
 *   defaults (version 1, no approvals, never expires).
 * - A changed program's new rules apply to new enrollments and completions;
 *   existing records keep their dates (as when an admin saves a program edit
 *   "for new records only").
 */
import type { Db } from '../db/database';
import { isCalendarDate } from '../rules/calendar';
import { describeExpiration, type ExpirationRule } from '../rules/expiration';
import { stamp, type Actor, type ServiceContext } from '../services/context';
import type { JobProgress } from '../domain/progress';
import { expirationColumns, expirationOf, PROGRAM_LIMITS } from '../domain/program';
import type { ProgramRow } from '../domain/rows';
import {
  plannedResult,
  prepareCsv,
  prepareCsvForApply,
  type CsvImportInput,
  type CsvImportResult,
  type CsvSpec,
  type ImportField,
  type PreparedCsv,
} from './csv-import';
import { Matcher } from './match';
import { Tally, type FieldChange } from './result';
import { cell, checkText } from './text';
import { inTransaction, insertLogged, progressReporter, requireAdmin, updateLogged } from './write';

export const PROGRAM_FIELDS = ['code', 'name', 'version', 'category', 'description', 'requireApproval', 'requireCompletionApproval', 'expiration'] as const;
export type ProgramField = (typeof PROGRAM_FIELDS)[number];

export type ProgramsCsvInput = CsvImportInput<ProgramField>;
export type ProgramsCsvResult = CsvImportResult<ProgramField>;

export const PROGRAM_FIELD_LABELS: Record<ProgramField, string> = {
  code: 'Code',
  name: 'Name',
  version: 'Version',
  category: 'Category',
  description: 'Description',
  requireApproval: 'Require approval',
  requireCompletionApproval: 'Require completion approval',
  expiration: 'Expiration',
};

/** The fields with their labels, for the mapping UI. */
export const PROGRAM_IMPORT_FIELDS: Array<ImportField<ProgramField>> = PROGRAM_FIELDS.map((field) => ({
  field,
  label: PROGRAM_FIELD_LABELS[field],
  required: field === 'code' || field === 'name',
}));

const TEXT_LIMITS = {
  code: PROGRAM_LIMITS.code,
  name: PROGRAM_LIMITS.name,
  version: PROGRAM_LIMITS.version,
  category: PROGRAM_LIMITS.category,
  description: PROGRAM_LIMITS.description,
  requireApproval: 20,
  requireCompletionApproval: 20,
  expiration: 40,
} satisfies Record<ProgramField, number>;

export const PROGRAM_HEADER_SYNONYMS: Record<ProgramField, readonly string[]> = {
  code: ['code', 'programcode', 'certificationcode', 'certcode', 'coursecode'],
  name: ['name', 'programname', 'certificationname', 'certification', 'program', 'title'],
  version: ['version', 'ver', 'programversion'],
  category: ['category', 'programcategory', 'group'],
  description: ['description', 'details', 'desc', 'summary'],
  requireApproval: ['requireapproval', 'requiresapproval', 'approvalrequired', 'requireapprovaltoparticipate', 'approval'],
  requireCompletionApproval: [
    'requirecompletionapproval',
    'requirescompletionapproval',
    'completionapprovalrequired',
    'requireadminapprovaltocomplete',
    'completionapproval',
  ],
  expiration: ['expiration', 'expires', 'expiry', 'expirationperiod', 'validity', 'validfor', 'expiresafter'],
};

const YES = new Set(['yes', 'y', 'true', '1', 'on']);
const NO = new Set(['no', 'n', 'false', '0', 'off']);

export function parseYesNo(value: string): boolean | null {
  const v = value.toLocaleLowerCase('und');
  return YES.has(v) ? true : NO.has(v) ? false : null;
}

const PERIOD = /^(\d{1,5})\s*(day|days|month|months|year|years)$/i;
const MAX_PERIOD: Record<'days' | 'months' | 'years', number> = { days: 36_500, months: 1200, years: 100 };

/** "never", "3 years", "18 months", "90 days", "1 year", or a date YYYY-MM-DD; null when none of these. */
export function parseExpiration(value: string): ExpirationRule | null {
  const v = value.trim();
  if (/^(never|none)$/i.test(v)) return { kind: 'never' };
  const m = PERIOD.exec(v);
  if (m?.[1] && m[2]) {
    const amount = Number(m[1]);
    const word = m[2].toLowerCase();
    const unit = (word.endsWith('s') ? word : `${word}s`) as 'days' | 'months' | 'years';
    if (amount < 1 || amount > MAX_PERIOD[unit]) return null;
    return { kind: 'period', amount, unit };
  }
  if (isCalendarDate(v)) return { kind: 'fixed', date: v };
  return null;
}

interface Values {
  code?: string;
  name?: string;
  version?: string;
  category?: string;
  description?: string;
  requireApproval?: boolean;
  requireCompletionApproval?: boolean;
  expiration?: ExpirationRule;
}

/** Parses and checks one row's cells; answers the values or every problem. */
function readRow(fields: readonly string[], columns: Partial<Record<ProgramField, number>>): { values: Values; problems: string[] } {
  const values: Values = {};
  const problems: string[] = [];
  for (const field of PROGRAM_FIELDS) {
    const raw = cell(fields, columns[field]);
    if (raw === undefined) continue;
    const label = PROGRAM_FIELD_LABELS[field];
    const problem = checkText(label, raw, TEXT_LIMITS[field], field === 'description');
    if (problem) {
      problems.push(problem);
      continue;
    }
    if (field === 'requireApproval' || field === 'requireCompletionApproval') {
      const yes = parseYesNo(raw);
      if (yes === null) problems.push(`${label} is "${raw}"; write yes or no.`);
      else values[field] = yes;
    } else if (field === 'expiration') {
      const rule = parseExpiration(raw);
      if (rule === null)
        problems.push(`Expiration "${raw}" is not understood: write never, a period such as 3 years, 18 months or 90 days, or a date as YYYY-MM-DD.`);
      else values.expiration = rule;
    } else {
      values[field] = raw;
    }
  }
  if (values.code === undefined && !problems.some((p) => p.startsWith('Code'))) problems.push('Code is empty.');
  if (values.name === undefined && !problems.some((p) => p.startsWith('Name'))) problems.push('Name is empty.');
  return { values, problems };
}

const SPEC: CsvSpec<ProgramField> = {
  fields: PROGRAM_FIELDS,
  importFields: PROGRAM_IMPORT_FIELDS,
  synonyms: PROGRAM_HEADER_SYNONYMS,
  labels: PROGRAM_FIELD_LABELS,
  required: ['code', 'name'],
};

type Prepared = PreparedCsv<ProgramField>;

type NewProgramRow = Omit<
  ProgramRow,
  | 'id'
  | 'created_at'
  | 'updated_at'
  | 'central_id'
  | 'archived_at'
  | 'require_approval'
  | 'require_completion_approval'
  | 'renewal_credits'
  | 'renewal_minimums'
  | 'renewal_carry_over_cap'
  | 'renewal_review'
  | 'reminder_schedule'
> & {
  require_approval: boolean;
  require_completion_approval: boolean;
};

interface Plan {
  result: ProgramsCsvResult;
  inserts: NewProgramRow[];
  updates: Array<{ id: number; patch: Record<string, unknown> }>;
}

const yesNo = (v: boolean): string => (v ? 'yes' : 'no');

function plan(prepared: Prepared, stored: readonly ProgramRow[]): Plan {
  const { parsed, map } = prepared;
  const matcher = new Matcher(stored, (p) => p.code, { key: 'Code', noun: 'certification', name: (p) => p.name });
  const seenCode = new Map<string, number>();
  const tally = new Tally();
  const inserts: NewProgramRow[] = [];
  const updates: Plan['updates'] = [];

  for (const row of parsed.rows) {
    if (row.ragged !== undefined) {
      tally.reject(row.line, row.ragged);
      continue;
    }
    const { values: v, problems } = readRow(row.fields, map.columns);
    if (v.code !== undefined) {
      const first = seenCode.get(v.code);
      if (first !== undefined) problems.unshift(`Code ${v.code} is also on line ${first}; only the first of them is imported.`);
      else seenCode.set(v.code, row.line);
    }
    if (problems.length > 0) {
      tally.reject(row.line, problems.join(' '));
      continue;
    }
    const code = v.code as string;
    const name = v.name as string;
    const label = `${code} ${name}`;
    const match = matcher.match(undefined, code);
    const program = 'row' in match ? match.row : null;
    if (!program) {
      const rule = v.expiration ?? { kind: 'never' };
      inserts.push({
        code,
        name,
        version: v.version ?? '1',
        category: v.category ?? '',
        description: v.description ?? '',
        require_approval: v.requireApproval ?? false,
        require_completion_approval: v.requireCompletionApproval ?? false,
        ...expirationColumns(rule),
      });
      tally.count('new', row.line, label, [
        { field: PROGRAM_FIELD_LABELS.name, from: '', to: name },
        ...(v.version !== undefined ? [{ field: PROGRAM_FIELD_LABELS.version, from: '', to: v.version }] : []),
        ...(v.category !== undefined ? [{ field: PROGRAM_FIELD_LABELS.category, from: '', to: v.category }] : []),
        ...(v.description !== undefined ? [{ field: PROGRAM_FIELD_LABELS.description, from: '', to: v.description }] : []),
        ...(v.requireApproval !== undefined ? [{ field: PROGRAM_FIELD_LABELS.requireApproval, from: '', to: yesNo(v.requireApproval) }] : []),
        ...(v.requireCompletionApproval !== undefined
          ? [{ field: PROGRAM_FIELD_LABELS.requireCompletionApproval, from: '', to: yesNo(v.requireCompletionApproval) }]
          : []),
        { field: PROGRAM_FIELD_LABELS.expiration, from: '', to: describeExpiration(rule) },
      ]);
      continue;
    }
    const patch: Record<string, unknown> = {};
    const fields: FieldChange[] = [];
    for (const field of ['name', 'version', 'category', 'description'] as const) {
      const value = v[field];
      if (value !== undefined && value !== program[field]) {
        patch[field] = value;
        fields.push({ field: PROGRAM_FIELD_LABELS[field], from: program[field], to: value });
      }
    }
    const flags = [
      ['requireApproval', 'require_approval'],
      ['requireCompletionApproval', 'require_completion_approval'],
    ] as const;
    for (const [field, column] of flags) {
      const value = v[field];
      if (value !== undefined && value !== (program[column] === 1)) {
        patch[column] = value;
        fields.push({ field: PROGRAM_FIELD_LABELS[field], from: yesNo(program[column] === 1), to: yesNo(value) });
      }
    }
    if (v.expiration !== undefined) {
      const before = expirationOf(program);
      if (JSON.stringify(before) !== JSON.stringify(v.expiration)) {
        Object.assign(patch, expirationColumns(v.expiration));
        fields.push({ field: PROGRAM_FIELD_LABELS.expiration, from: describeExpiration(before), to: describeExpiration(v.expiration) });
      }
    }
    if (fields.length === 0) tally.count('unchanged', row.line, label, []);
    else {
      updates.push({ id: program.id, patch });
      tally.count('changed', row.line, label, fields);
    }
  }
  return {
    result: plannedResult(SPEC, prepared, tally),
    inserts,
    updates,
  };
}

/** What importing the CSV would do; writes nothing. A malformed file comes back with `fileError` set. */
export async function previewProgramsCsv(db: Db, input: ProgramsCsvInput, job?: JobProgress): Promise<ProgramsCsvResult> {
  const prepared = await prepareCsv(SPEC, input, undefined, job);
  if (!('parsed' in prepared)) return prepared;
  return plan(prepared, (await db('programs').select('*')) as ProgramRow[]).result;
}

/**
 * Imports the CSV in one transaction (admin only): exactly the rows the
 * preview counts as new or changed, each logged for the sync export. A
 * malformed file (or one changed since the preview, with `expectSha256`)
 * throws ImportFileError and commits nothing.
 */
export async function applyProgramsCsv(ctx: ServiceContext, actor: Actor, input: ProgramsCsvInput, job?: JobProgress): Promise<ProgramsCsvResult> {
  requireAdmin(actor, 'import certification programs');
  job?.progress(0, null, 'Reading the file');
  const prepared = await prepareCsvForApply(SPEC, input);
  return inTransaction(ctx.db, async (trx) => {
    const planned = plan(prepared, (await trx('programs').select('*')) as ProgramRow[]);
    const at = stamp(ctx);
    const total = planned.inserts.length + planned.updates.length;
    const tick = progressReporter(job, total, (done) => `Importing certifications: ${done} of ${total}`);
    await insertLogged(
      trx,
      'programs',
      'program',
      planned.inserts.map((row) => ({ ...row, created_at: at, updated_at: at })),
      at,
      tick,
    );
    for (const { id, patch } of planned.updates) {
      await updateLogged<ProgramRow>(trx, 'programs', 'program', id, { ...patch, updated_at: at }, at);
      tick(1);
    }
    return planned.result;
  });
}

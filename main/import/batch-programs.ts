/**
 * Certification programs and their components from central batches. A program
 * is matched by central id, else linked by code (the one matcher); a component
 * by the central id recorded when it was first imported, under the program
 * whose central id is its `program_id`.
 */
import { z } from 'zod';
import { isCalendarDate } from '../rules/calendar';
import { describeExpiration, type ExpirationRule } from '../rules/expiration';
import type { Executor } from '../services/context';
import { expirationColumns, expirationOf, PROGRAM_LIMITS } from '../domain/program';
import type { ComponentRow, ProgramRow } from '../domain/rows';
import { latest, type Located } from './batch-folder';
import { diff, flag, timestamp, zodReason, type BatchPlanning } from './batch-plan';
import { Matcher } from './match';
import { checkText } from './text';

const ProgramData = z.object({
  code: z.string().min(1, 'code is empty').max(PROGRAM_LIMITS.code),
  name: z.string().min(1, 'name is empty').max(PROGRAM_LIMITS.name),
  version: z.string().max(PROGRAM_LIMITS.version).optional(),
  category: z.string().max(PROGRAM_LIMITS.category).optional(),
  description: z.string().max(PROGRAM_LIMITS.description).optional(),
  require_approval: flag.optional(),
  require_completion_approval: flag.optional(),
  expiration_kind: z.enum(['never', 'period', 'fixed']).optional(),
  expiration_amount: z.number().int().min(1).max(36_500).nullable().optional(),
  expiration_unit: z.enum(['days', 'months', 'years']).nullable().optional(),
  expiration_fixed_on: z.string().nullable().optional(),
  archived_at: timestamp.optional(),
});

const ComponentData = z.object({
  program_id: z.number().int(),
  name: z.string().min(1, 'name is empty').max(PROGRAM_LIMITS.componentName),
  kind: z.enum(['course', 'exam', 'task', 'document']).optional(),
  credits: z.number().min(0).max(1_000_000).optional(),
  credit_unit: z.enum(['credits', 'hours']).optional(),
  required: flag.optional(),
  position: z.number().int().min(0).max(1_000_000).optional(),
  archived_at: timestamp.optional(),
});

function expirationFrom(d: z.infer<typeof ProgramData>): ExpirationRule | string | undefined {
  if (d.expiration_kind === undefined) return undefined;
  if (d.expiration_kind === 'never') return { kind: 'never' };
  if (d.expiration_kind === 'period') {
    if (d.expiration_amount == null || d.expiration_unit == null) return 'expiration_kind is period but expiration_amount or expiration_unit is missing';
    return { kind: 'period', amount: d.expiration_amount, unit: d.expiration_unit };
  }
  if (!isCalendarDate(d.expiration_fixed_on)) return 'expiration_kind is fixed but expiration_fixed_on is not a date YYYY-MM-DD';
  return { kind: 'fixed', date: d.expiration_fixed_on };
}

type ProgramLike = Pick<ProgramRow, 'id' | 'central_id' | 'code' | 'name'>;

/** The programs as planned: components find theirs here, or why it was rejected. */
export interface PlannedPrograms {
  matcher: Matcher<ProgramLike>;
  byCentral: Map<string, ProgramLike>;
  /** Central id → why that program was rejected. */
  rejected: Map<string, string>;
}

export async function planPrograms(db: Executor, changes: readonly Located[], p: BatchPlanning): Promise<PlannedPrograms> {
  const stored = (await db('programs').select('*')) as ProgramRow[];
  const storedById = new Map(stored.map((row) => [row.id, row]));
  const matcher = new Matcher<ProgramLike>(stored, (row) => row.code, { key: 'Code', noun: 'certification', name: (row) => row.name });
  const byCentral = new Map<string, ProgramLike>(stored.flatMap((row) => (row.central_id !== null ? [[row.central_id, row] as const] : [])));
  const rejected = new Map<string, string>();
  const reject = (at: Located, centralId: string, reason: string): void => {
    rejected.set(centralId, reason);
    p.reject('program', at, reason);
  };
  for (const at of latest(changes, 'program')) {
    const centralId = String(at.change.id);
    const parsed = ProgramData.safeParse(at.change.data);
    if (!parsed.success) {
      reject(at, centralId, zodReason(parsed.error));
      continue;
    }
    const d = parsed.data;
    const rule = expirationFrom(d);
    const problem = typeof rule === 'string' ? rule : (checkText('code', d.code, PROGRAM_LIMITS.code) ?? checkText('name', d.name, PROGRAM_LIMITS.name));
    if (problem !== null || typeof rule === 'string') {
      reject(at, centralId, problem ?? '');
      continue;
    }
    const match = matcher.match(centralId, d.code);
    if ('conflict' in match) {
      reject(at, centralId, match.conflict);
      continue;
    }
    const next: Record<string, unknown> = {
      central_id: centralId,
      code: d.code,
      name: d.name,
      version: d.version,
      category: d.category,
      description: d.description,
      require_approval: d.require_approval,
      require_completion_approval: d.require_completion_approval,
      archived_at: d.archived_at,
      ...(rule ? expirationColumns(rule) : {}),
    };
    const label = `${d.code} ${d.name}`;
    if (!match.row) {
      const ref = p.nextRef();
      const row = {
        ...next,
        version: d.version ?? '1',
        category: d.category ?? '',
        description: d.description ?? '',
        require_approval: d.require_approval ?? false,
        require_completion_approval: d.require_completion_approval ?? false,
        archived_at: d.archived_at ?? null,
        ...expirationColumns(rule ?? { kind: 'never' }),
      };
      p.ops.push({ entity: 'program', kind: 'insert', ref, row });
      const planned: ProgramLike = { id: -ref, central_id: centralId, code: d.code, name: d.name };
      matcher.add(planned);
      byCentral.set(centralId, planned);
      p.count('program', 'new', at, label, [
        ...diff({}, row).fields.filter((f) => !f.field.startsWith('expiration_')),
        { field: 'expiration', from: '', to: describeExpiration(rule ?? { kind: 'never' }) },
      ]);
      continue;
    }
    const program = storedById.get(match.row.id);
    if (!program) {
      p.reject('program', at, 'matches a certification planned earlier in this import.');
      continue;
    }
    const other = matcher.claim(program, centralId);
    if (other !== undefined) {
      p.reject('program', at, `code ${d.code} links it to ${program.name}, which program ${other} of this import already is.`);
      continue;
    }
    const { patch, fields } = diff(program as unknown as Record<string, unknown>, next);
    const shown = fields.filter((f) => !f.field.startsWith('expiration_'));
    if (fields.length > shown.length && rule)
      shown.push({ field: 'expiration', from: describeExpiration(expirationOf(program)), to: describeExpiration(rule) });
    if (fields.length === 0) {
      p.count('program', 'unchanged', at, label, []);
      continue;
    }
    p.ops.push({ entity: 'program', kind: 'update', id: program.id, patch });
    matcher.rekey(program, centralId, patch.code !== undefined ? { from: program.code, to: d.code } : undefined);
    byCentral.set(centralId, match.row);
    p.count('program', 'changed', at, label, shown);
  }
  return { matcher, byCentral, rejected };
}

export async function planComponents(
  db: Executor,
  changes: readonly Located[],
  programs: PlannedPrograms,
  componentIds: Record<string, number>,
  p: BatchPlanning,
): Promise<void> {
  const stored = (await db('components').select('*')) as ComponentRow[];
  const storedById = new Map(stored.map((c) => [c.id, c]));
  for (const at of latest(changes, 'component')) {
    const centralId = String(at.change.id);
    const parsed = ComponentData.safeParse(at.change.data);
    if (!parsed.success) {
      p.reject('component', at, zodReason(parsed.error));
      continue;
    }
    const d = parsed.data;
    const problem = checkText('name', d.name, PROGRAM_LIMITS.componentName);
    if (problem) {
      p.reject('component', at, problem);
      continue;
    }
    const programCentral = String(d.program_id);
    const program = programs.byCentral.get(programCentral);
    if (!program) {
      const why = programs.rejected.get(programCentral);
      p.reject(
        'component',
        at,
        why !== undefined
          ? `its certification (central id ${programCentral}) is rejected in this import: ${why}`
          : `its certification (central id ${programCentral}) is neither here nor in this import.`,
      );
      continue;
    }
    const label = `${program.code}: ${d.name}`;
    const localId = componentIds[centralId];
    const component = localId !== undefined ? storedById.get(localId) : undefined;
    const next: Record<string, unknown> = {
      name: d.name,
      kind: d.kind,
      credits: d.credits,
      credit_unit: d.credit_unit,
      required: d.required,
      position: d.position,
      archived_at: d.archived_at,
    };
    if (!component) {
      const row = {
        ...next,
        kind: d.kind ?? 'course',
        credits: d.credits ?? 0,
        credit_unit: d.credit_unit ?? 'credits',
        required: d.required ?? true,
        position: d.position ?? 0,
        archived_at: d.archived_at ?? null,
      };
      p.ops.push({ entity: 'component', kind: 'insert', centralId, programRef: program.id, row });
      p.count('component', 'new', at, label, diff({}, row).fields);
      continue;
    }
    const { patch, fields } = diff(component as unknown as Record<string, unknown>, { ...next, program_id: program.id > 0 ? program.id : undefined });
    const moved = program.id < 0 || component.program_id !== program.id;
    if (moved && program.id < 0) fields.push({ field: 'certification', from: String(component.program_id), to: program.code });
    if (fields.length === 0) {
      p.count('component', 'unchanged', at, label, []);
      continue;
    }
    p.ops.push({ entity: 'component', kind: 'update', id: component.id, centralId, programRef: moved ? program.id : null, patch });
    p.count('component', 'changed', at, label, fields);
  }
}

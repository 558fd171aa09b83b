/**
 * A certification program: its field limits, its form/IPC schema, and the one mapping between an
 * expiration rule and the program row's columns (read and written through here only).
 */
import { z } from 'zod';
import type { ProgramRules } from '../rules/engine';
import type { ExpirationRule } from '../rules/expiration';
import type { ProgramRow } from './rows';
import { calendarDate, id, line, lines, required } from './schema-parts';

/** Every door (form, IPC, CSV import, central batch) holds program fields to these lengths. */
export const PROGRAM_LIMITS = {
  code: 64,
  name: 1000,
  version: 64,
  category: 200,
  description: 10_000,
  componentName: 1000,
} as const;

export const expirationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('never') }).strict(),
  z
    .object({
      kind: z.literal('period'),
      amount: z.number().int('Whole numbers only.').min(1, 'At least 1.').max(1200, 'At most 1200.'),
      unit: z.enum(['days', 'months', 'years']),
    })
    .strict(),
  z.object({ kind: z.literal('fixed'), date: calendarDate }).strict(),
]);

export const programSchema = z
  .object({
    code: required('Code', PROGRAM_LIMITS.code).regex(/^[\p{L}\p{N}._-]+$/u, 'Letters, digits, dots, dashes or underscores only.'),
    name: required('Name', PROGRAM_LIMITS.name),
    version: line('Version', PROGRAM_LIMITS.version).optional(),
    category: line('Category', PROGRAM_LIMITS.category).optional(),
    description: lines('Description', PROGRAM_LIMITS.description).optional(),
    requireApproval: z.boolean(),
    requireCompletionApproval: z.boolean(),
    expiration: expirationSchema,
    components: z
      .array(
        z
          .object({
            id: id.optional(),
            name: required('Component name', PROGRAM_LIMITS.componentName),
            kind: z.enum(['course', 'exam', 'task', 'document']),
            credits: z.number().min(0, 'Credits are 0 or more.').max(10_000),
            creditUnit: z.enum(['credits', 'hours']),
            required: z.boolean(),
          })
          .strict(),
      )
      .max(100, 'At most 100 components.')
      .refine((list) => new Set(list.map((c) => c.name.trim().toLowerCase())).size === list.length, 'Two components have the same name.'),
  })
  .strict();

export type ExpirationColumns = Pick<ProgramRow, 'expiration_kind' | 'expiration_amount' | 'expiration_unit' | 'expiration_fixed_on'>;

/** The expiration rule a program row stores. */
export function expirationOf(row: ExpirationColumns): ExpirationRule {
  if (row.expiration_kind === 'period' && row.expiration_amount !== null && row.expiration_unit !== null) {
    return { kind: 'period', amount: row.expiration_amount, unit: row.expiration_unit };
  }
  if (row.expiration_kind === 'fixed' && row.expiration_fixed_on !== null) {
    return { kind: 'fixed', date: row.expiration_fixed_on };
  }
  return { kind: 'never' };
}

/** The columns that store an expiration rule. */
export function expirationColumns(rule: ExpirationRule): ExpirationColumns {
  return {
    expiration_kind: rule.kind,
    expiration_amount: rule.kind === 'period' ? rule.amount : null,
    expiration_unit: rule.kind === 'period' ? rule.unit : null,
    expiration_fixed_on: rule.kind === 'fixed' ? rule.date : null,
  };
}

/** What the rules engine needs to know of a program. */
export function rulesOf(row: ProgramRow): ProgramRules {
  return {
    requireApproval: row.require_approval === 1,
    requireCompletionApproval: row.require_completion_approval === 1,
    expiration: expirationOf(row),
  };
}
export { describeExpiration } from '../rules/expiration';

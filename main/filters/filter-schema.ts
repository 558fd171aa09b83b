/**
 * The zod schema every filter tree passes before main builds a query from it (the checks themselves are in
 * fields.ts): a condition or a group told apart by shape, each with its own message, after the tree's size
 * and depth were checked without recursion.
 */
import { z } from 'zod';
import {
  checkRule,
  isRecord,
  looksLikeGroup,
  shown,
  structureProblem,
  type FilterGroup,
  type FilterGroupInput,
  type FilterRule,
  type FilterTree,
} from './fields';

const idSchema = z.string({ error: 'An id must be text.' }).max(100, 'An id can be at most 100 characters.');

function unknownKeys(what: string) {
  return (issue: z.core.$ZodRawIssue): string | undefined => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => shown(k)).join(', ');
      return `Unknown property on a ${what}: ${keys}`;
    }
    if (issue.code === 'invalid_type') return `Each ${what} must be an object.`;
    return undefined;
  };
}

const ruleSchema = z
  .strictObject(
    {
      id: idSchema.optional(),
      field: z.unknown().optional(),
      operator: z.unknown().optional(),
      value: z.unknown().optional(),
      valueSource: z.unknown().optional(),
    },
    { error: unknownKeys('condition') },
  )
  .transform((raw, ctx): FilterRule => {
    const checked = checkRule(raw);
    if (checked.ok) return checked.value;
    ctx.addIssue({ code: 'custom', message: checked.message, path: checked.path === undefined ? [] : [checked.path] });
    return z.NEVER;
  });

/** A condition or a group, told apart by shape so each gets its own message. */
const nodeSchema: z.ZodType<FilterRule | FilterGroup> = z.lazy(() =>
  z.unknown().transform((value, ctx): FilterRule | FilterGroup => {
    if (!isRecord(value)) {
      ctx.addIssue({ code: 'custom', message: 'Each entry of a group must be a condition or a group.' });
      return z.NEVER;
    }
    const parsed = looksLikeGroup(value) ? groupSchema.safeParse(value) : ruleSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }),
);

const groupSchema: z.ZodType<FilterGroup> = z.strictObject(
  {
    id: idSchema.optional(),
    combinator: z.enum(['and', 'or'], { error: "A group's combinator must be 'and' or 'or'." }),
    not: z.boolean({ error: "A group's 'not' must be true or false." }).optional(),
    rules: z.array(nodeSchema, { error: 'A group needs a list of conditions (rules).' }),
  },
  { error: unknownKeys('group') },
);

/** The whole filter: a group, checked for size and depth first, then entry by entry. */
export const filterTreeSchema = z
  .unknown()
  .superRefine((value, ctx) => {
    const problem = structureProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .pipe(groupSchema) as unknown as z.ZodType<FilterTree, FilterGroupInput>;

/**
 * Renewal by CE credits: the limits and schemas of a program's renewal requirement, a credit
 * category and a CE activity, and the one mapping between a requirement and the program row's columns.
 */
import { z } from 'zod';
import type { RenewalRequirement } from '../rules/credits';
import type { CalendarDate } from '../rules/calendar';
import type { ProgramRow, RecordRow } from './rows';
import { calendarDate, id, line, required, requiredLines } from './schema-parts';

export const RENEWAL_LIMITS = {
  credits: 10_000,
  categoryName: 100,
  categories: 100,
  minimums: 50,
  title: 500,
  source: 500,
  reason: 2000,
} as const;

/** Credits: more than 0, at most 10,000, in hundredths (1.25 is fine, 1.255 is not). */
const creditAmount = (label: string, min: 'positive' | 'zero') =>
  z
    .number({ error: `${label} must be a number.` })
    .refine((n) => (min === 'positive' ? n > 0 : n >= 0), min === 'positive' ? `${label} must be more than 0.` : `${label} cannot be negative.`)
    .refine((n) => n <= RENEWAL_LIMITS.credits, `${label} can be at most ${RENEWAL_LIMITS.credits}.`)
    .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, `${label} can have at most two decimals.`);

export const categoryName = required('Category', RENEWAL_LIMITS.categoryName);

export const renewalRequirementSchema = z
  .object({
    credits: creditAmount('Total credits', 'positive'),
    minimums: z
      .array(z.object({ category: categoryName, credits: creditAmount('A category minimum', 'positive') }).strict())
      .max(RENEWAL_LIMITS.minimums, `At most ${RENEWAL_LIMITS.minimums} category minimums.`)
      .refine((list) => new Set(list.map((m) => m.category.trim().toLowerCase())).size === list.length, 'A category has two minimums.'),
    carryOverCap: creditAmount('The carry-over cap', 'zero').nullable(),
    /** A met requirement renews into Admin Review instead of Active. */
    review: z.boolean(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const sum = r.minimums.reduce((s, m) => s + Math.round(m.credits * 100), 0) / 100;
    if (sum > r.credits) {
      ctx.addIssue({
        code: 'custom',
        path: ['minimums'],
        message: `The category minimums add up to ${sum} credits, more than the ${r.credits} required in all.`,
      });
    }
  });

export type RenewalRequirementInput = z.infer<typeof renewalRequirementSchema>;

export const creditActivitySchema = z
  .object({
    recordId: id,
    earnedOn: calendarDate,
    title: required('Title', RENEWAL_LIMITS.title),
    category: categoryName,
    credits: creditAmount('Credits', 'positive'),
    source: line('Source', RENEWAL_LIMITS.source),
  })
  .strict();

export type CreditActivityInput = z.infer<typeof creditActivitySchema>;

export const removeActivitySchema = z.object({ id, reason: requiredLines('A reason', RENEWAL_LIMITS.reason) }).strict();

export type RenewalColumns = Pick<ProgramRow, 'renewal_credits' | 'renewal_minimums' | 'renewal_carry_over_cap' | 'renewal_review'>;

/** The requirement a program row stores, or null when it has none. */
export function requirementOf(row: RenewalColumns): (RenewalRequirement & { review: boolean }) | null {
  if (row.renewal_credits === null) return null;
  let minimums: RenewalRequirement['minimums'] = [];
  try {
    const parsed = z.array(z.object({ category: z.string(), credits: z.number() })).safeParse(JSON.parse(row.renewal_minimums));
    if (parsed.success) minimums = parsed.data;
  } catch {
    // A column written by this module is always JSON; anything else reads as "no minimums".
  }
  return { credits: row.renewal_credits, minimums, carryOverCap: row.renewal_carry_over_cap, review: row.renewal_review === 1 };
}

/** The columns that store a requirement (null: none). */
export function renewalColumns(r: RenewalRequirementInput | null): RenewalColumns {
  return {
    renewal_credits: r?.credits ?? null,
    renewal_minimums: JSON.stringify(r?.minimums.map((m) => ({ category: m.category.trim(), credits: m.credits })) ?? []),
    renewal_carry_over_cap: r?.carryOverCap ?? null,
    renewal_review: r?.review ? 1 : 0,
  };
}

/** "40 credits, at least 6 in Ethics; up to 10 carry over". */
export function describeRequirement(r: RenewalRequirement | null): string {
  if (r === null) return 'No renewal requirement';
  const mins = r.minimums.length ? `, at least ${r.minimums.map((m) => `${m.credits} in ${m.category}`).join(', ')}` : '';
  const carry = r.carryOverCap === null || r.carryOverCap === 0 ? '; nothing carries over' : `; up to ${r.carryOverCap} carry over`;
  return `${r.credits} credits per cycle${mins}${carry}`;
}

/**
 * A record in Admin Review after a renewal by credits already carries its next expiration date (counted
 * from the previous one); approving it keeps that date. Other records in Admin Review have none yet.
 */
export function pendingRenewalExpiresOn(record: Pick<RecordRow, 'status' | 'cycle_starts_on' | 'expires_on'>): CalendarDate | null {
  return record.status === 'Admin Review' && record.cycle_starts_on !== null ? record.expires_on : null;
}

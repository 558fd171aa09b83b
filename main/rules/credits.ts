/**
 * Renewal by continuing-education credits (SPEC §6): pure functions of a
 * requirement, a cycle's dates and the activities recorded in it.
 *
 * Decisions (issue 18 was silent on them):
 * - A cycle runs from its first day to its expiration date, both inclusive. The first cycle starts on
 *   the completion date; a renewed one on the day after the previous expiration date (the certification
 *   was valid through that date), and ends on the program's period counted from the previous expiration
 *   date (29 Feb 2028 + 1 year = 28 Feb 2029). An activity dated outside the cycle is kept but does not count.
 * - Credits still needed = max(total required − credits that count, sum of the unmet category minimums),
 *   never below 0: credits in one category never make up another category's minimum, and the minimums
 *   are part of the total, not on top of it.
 * - Credits carried over from the previous cycle count towards the total only, never towards a minimum.
 * - "On track": the credits that count (required − still needed) are at least the required total times
 *   the elapsed fraction of the cycle, (today − first day) / (expiration − first day) in days: nothing is
 *   due on the first day, everything on the expiration date. A met requirement is on track.
 * - Carry-over at renewal: the credits beyond the required total, at most the cap, and never more than
 *   this cycle's own activities (carried-in credits count first, so they never carry over twice).
 * Credits are counted in hundredths, so 0.1 + 0.2 credits is exactly 0.3.
 */
import { addDays, compareDates, daysBetween, type CalendarDate } from './calendar';
import { computeExpiration, type ExpirationRule } from './expiration';

export interface CategoryMinimum {
  category: string;
  credits: number;
}

export interface RenewalRequirement {
  /** Total credits a cycle needs. */
  credits: number;
  minimums: readonly CategoryMinimum[];
  /** At most this many excess credits carry over into the next cycle; null: none do. */
  carryOverCap: number | null;
}

export interface CreditActivity {
  earnedOn: CalendarDate;
  /** null only for credits carried over from the previous cycle. */
  category: string | null;
  credits: number;
  kind: 'activity' | 'carry-over';
}

/** A cycle's first and last day, both inclusive. */
export interface Cycle {
  startsOn: CalendarDate;
  endsOn: CalendarDate;
}

export interface CategoryStanding {
  category: string;
  earned: number;
  minimum: number;
  /** Credits still missing towards this category's minimum. */
  short: number;
}

export interface CreditStanding {
  required: number;
  /** Every credit that counts in the cycle (activities in its dates and the carry-over). */
  earned: number;
  carriedIn: number;
  /** Earned per category: every category with a minimum, then any other category with credits. */
  byCategory: CategoryStanding[];
  needed: number;
  /** required − needed: the credits that count towards the requirement. */
  counted: number;
  met: boolean;
  /** Credits recorded in this cycle but dated outside it: they do not count. */
  outside: number;
}

/** Whole hundredths of a credit. */
const hundredths = (credits: number): number => Math.round(credits * 100);
const credits = (h: number): number => h / 100;

/** Whether `date` lies within the cycle (first and last day included). */
export function inCycle(cycle: Cycle, date: CalendarDate): boolean {
  return compareDates(date, cycle.startsOn) >= 0 && compareDates(date, cycle.endsOn) <= 0;
}

/** What the activities recorded in a cycle amount to against the requirement. */
export function creditStanding(requirement: RenewalRequirement, cycle: Cycle, activities: readonly CreditActivity[]): CreditStanding {
  const earnedBy = new Map<string, number>();
  let total = 0;
  let carried = 0;
  let outside = 0;
  for (const a of activities) {
    const h = hundredths(a.credits);
    if (a.kind === 'carry-over') {
      carried += h;
      total += h;
      continue;
    }
    if (!inCycle(cycle, a.earnedOn)) {
      outside += h;
      continue;
    }
    total += h;
    if (a.category !== null) earnedBy.set(a.category, (earnedBy.get(a.category) ?? 0) + h);
  }
  const required = hundredths(requirement.credits);
  const byCategory: CategoryStanding[] = requirement.minimums.map((m) => {
    const earned = earnedBy.get(m.category) ?? 0;
    const minimum = hundredths(m.credits);
    return { category: m.category, earned: credits(earned), minimum: credits(minimum), short: credits(Math.max(0, minimum - earned)) };
  });
  const withMinimum = new Set(requirement.minimums.map((m) => m.category));
  for (const [category, earned] of [...earnedBy].sort(([a], [b]) => a.localeCompare(b))) {
    if (!withMinimum.has(category)) byCategory.push({ category, earned: credits(earned), minimum: 0, short: 0 });
  }
  const shortSum = byCategory.reduce((sum, c) => sum + hundredths(c.short), 0);
  const needed = Math.max(0, required - total, shortSum);
  return {
    required: credits(required),
    earned: credits(total),
    carriedIn: credits(carried),
    byCategory,
    needed: credits(needed),
    counted: credits(required - needed),
    met: needed === 0,
    outside: credits(outside),
  };
}

/** Far in the future: a met requirement stays on track. */
export const ALWAYS_ON_TRACK: CalendarDate = '9999-12-31';

/**
 * The last day on which the credits that count still meet the requirement pro rata; on track on
 * `today` exactly when today ≤ this date (what records.credits_on_track_until keeps for SQL).
 */
export function onTrackUntil(cycle: Cycle, standing: Pick<CreditStanding, 'required' | 'counted' | 'met'>): CalendarDate {
  if (standing.met) return ALWAYS_ON_TRACK;
  const length = Math.max(0, daysBetween(cycle.startsOn, cycle.endsOn));
  // counted ≥ required × elapsed / length  ⇔  elapsed ≤ counted × length / required (whole days, in hundredths).
  const days = Math.floor((hundredths(standing.counted) * length) / hundredths(standing.required));
  return addDays(cycle.startsOn, days);
}

export function isOnTrack(cycle: Cycle, standing: Pick<CreditStanding, 'required' | 'counted' | 'met'>, today: CalendarDate): boolean {
  return compareDates(today, onTrackUntil(cycle, standing)) <= 0;
}

/** The credits that move into the next cycle when this one renews. */
export function carryOver(requirement: RenewalRequirement, standing: CreditStanding): number {
  if (!standing.met || requirement.carryOverCap === null) return 0;
  const excess = hundredths(standing.earned) - hundredths(standing.required);
  const own = hundredths(standing.earned) - hundredths(standing.carriedIn);
  return credits(Math.max(0, Math.min(excess, own, hundredths(requirement.carryOverCap))));
}

/** The current cycle of a certification: from `startsOn` (or the completion date) to the expiration date; null without both. */
export function currentCycle(record: { cycleStartsOn: CalendarDate | null; completedOn: CalendarDate | null; expiresOn: CalendarDate | null }): Cycle | null {
  const startsOn = record.cycleStartsOn ?? record.completedOn;
  if (startsOn === null || record.expiresOn === null) return null;
  return { startsOn, endsOn: record.expiresOn };
}

/**
 * The cycle after `cycle`: from the day after its expiration date to the program's period counted from
 * that expiration date. Null (with the reason) when the program's expiration cannot make a next cycle.
 */
export function nextCycle(rule: ExpirationRule, cycle: Cycle): { ok: true; cycle: Cycle } | { ok: false; reason: string } {
  if (rule.kind === 'never') return { ok: false, reason: 'This certification never expires, so it has no cycles to renew.' };
  if (rule.kind === 'fixed') {
    return { ok: false, reason: `This certification expires on a fixed date (${rule.date}); set the new expiration date by hand instead.` };
  }
  const endsOn = computeExpiration(rule, cycle.endsOn);
  if (endsOn === null) return { ok: false, reason: 'This certification has no expiration period.' };
  return { ok: true, cycle: { startsOn: addDays(cycle.endsOn, 1), endsOn } };
}

import { describe, expect, it } from 'vitest';
import {
  ALWAYS_ON_TRACK,
  carryOver,
  creditStanding,
  currentCycle,
  inCycle,
  isOnTrack,
  nextCycle,
  onTrackUntil,
  type CreditActivity,
  type Cycle,
  type RenewalRequirement,
} from '../../../main/rules/credits';

const FORTY: RenewalRequirement = { credits: 40, minimums: [{ category: 'Ethics', credits: 6 }], carryOverCap: 10 };
const CYCLE: Cycle = { startsOn: '2026-01-01', endsOn: '2027-12-31' };

const act = (earnedOn: string, category: string | null, credits: number, kind: CreditActivity['kind'] = 'activity'): CreditActivity => ({
  earnedOn,
  category,
  credits,
  kind,
});

describe('credits per category', () => {
  it('counts credits per category and the total; a minimum is part of the total, not on top of it', () => {
    const s = creditStanding(FORTY, CYCLE, [act('2026-02-01', 'Ethics', 6), act('2026-03-01', 'Technical', 34)]);
    expect(s.earned).toBe(40);
    expect(s.needed).toBe(0);
    expect(s.met).toBe(true);
    expect(s.byCategory).toEqual([
      { category: 'Ethics', earned: 6, minimum: 6, short: 0 },
      { category: 'Technical', earned: 34, minimum: 0, short: 0 },
    ]);
  });

  it('needed is the larger of the total still missing and the unmet minimums: other credits never make up Ethics', () => {
    // 40 technical credits: the total is reached, Ethics is not.
    expect(creditStanding(FORTY, CYCLE, [act('2026-02-01', 'Technical', 40)]).needed).toBe(6);
    // 2 Ethics of 6 and 10 in all: 30 missing from the total outweighs the 4 of Ethics.
    const s = creditStanding(FORTY, CYCLE, [act('2026-02-01', 'Ethics', 2), act('2026-02-02', 'Technical', 8)]);
    expect(s.needed).toBe(30);
    expect(s.counted).toBe(10);
    expect(s.byCategory[0]).toEqual({ category: 'Ethics', earned: 2, minimum: 6, short: 4 });
  });

  it('adds several minimums and counts in hundredths (0.1 + 0.2 is 0.3)', () => {
    const req: RenewalRequirement = {
      credits: 10,
      minimums: [
        { category: 'Ethics', credits: 3 },
        { category: 'Safety', credits: 2.5 },
      ],
      carryOverCap: null,
    };
    const s = creditStanding(req, CYCLE, [act('2026-02-01', 'Ethics', 0.1), act('2026-02-01', 'Ethics', 0.2), act('2026-02-01', 'Other', 9.7)]);
    expect(s.byCategory.find((c) => c.category === 'Ethics')).toEqual({ category: 'Ethics', earned: 0.3, minimum: 3, short: 2.7 });
    expect(s.earned).toBe(10);
    expect(s.needed).toBe(5.2);
  });
});

describe('cycle boundaries', () => {
  it('counts an activity on the first and on the last day of the cycle, not the day before or after', () => {
    const s = creditStanding({ credits: 4, minimums: [], carryOverCap: null }, CYCLE, [
      act('2025-12-31', 'Ethics', 1),
      act('2026-01-01', 'Ethics', 1),
      act('2027-12-31', 'Ethics', 1),
      act('2028-01-01', 'Ethics', 1),
    ]);
    expect(s.earned).toBe(2);
    expect(s.outside).toBe(2);
    expect(s.needed).toBe(2);
    expect(inCycle(CYCLE, '2026-01-01')).toBe(true);
    expect(inCycle(CYCLE, '2027-12-31')).toBe(true);
    expect(inCycle(CYCLE, '2028-01-01')).toBe(false);
  });

  it('the first cycle starts on the completion date; a renewed one on its own first day', () => {
    expect(currentCycle({ cycleStartsOn: null, completedOn: '2026-01-01', expiresOn: '2027-12-31' })).toEqual(CYCLE);
    expect(currentCycle({ cycleStartsOn: '2028-01-01', completedOn: '2026-01-01', expiresOn: '2029-12-31' })).toEqual({
      startsOn: '2028-01-01',
      endsOn: '2029-12-31',
    });
    expect(currentCycle({ cycleStartsOn: null, completedOn: '2026-01-01', expiresOn: null })).toBeNull();
  });

  it('the next cycle starts the day after the previous expiration and runs the period from that expiration', () => {
    expect(nextCycle({ kind: 'period', amount: 2, unit: 'years' }, CYCLE)).toEqual({ ok: true, cycle: { startsOn: '2028-01-01', endsOn: '2029-12-31' } });
    expect(nextCycle({ kind: 'never' }, CYCLE).ok).toBe(false);
    const fixed = nextCycle({ kind: 'fixed', date: '2027-12-31' }, CYCLE);
    expect(fixed.ok ? '' : fixed.reason).toMatch(/fixed date/);
  });
});

describe('Feb 29', () => {
  const leap: Cycle = { startsOn: '2024-02-29', endsOn: '2025-02-28' };

  it('a cycle from 29 Feb 2024 (one year) runs through 28 Feb 2025 inclusive', () => {
    expect(currentCycle({ cycleStartsOn: null, completedOn: '2024-02-29', expiresOn: '2025-02-28' })).toEqual(leap);
    const s = creditStanding({ credits: 2, minimums: [], carryOverCap: null }, leap, [
      act('2024-02-29', 'A', 1),
      act('2025-02-28', 'A', 1),
      act('2025-03-01', 'A', 5),
    ]);
    expect(s.earned).toBe(2);
    expect(s.outside).toBe(5);
    expect(s.met).toBe(true);
  });

  it('renewing a certification that expires on 29 Feb: next cycle from 1 Mar to 28 Feb of the next year', () => {
    expect(nextCycle({ kind: 'period', amount: 1, unit: 'years' }, { startsOn: '2027-03-01', endsOn: '2028-02-29' })).toEqual({
      ok: true,
      cycle: { startsOn: '2028-03-01', endsOn: '2029-02-28' },
    });
    expect(nextCycle({ kind: 'period', amount: 4, unit: 'years' }, { startsOn: '2024-03-01', endsOn: '2028-02-29' })).toEqual({
      ok: true,
      cycle: { startsOn: '2028-03-01', endsOn: '2032-02-29' },
    });
  });

  it('pro rata over a cycle from 29 Feb counts its 365 days', () => {
    // 365 days; 10 of 20 credits last until day 182 (2024-08-29).
    const s = creditStanding({ credits: 20, minimums: [], carryOverCap: null }, leap, [act('2024-03-01', 'A', 10)]);
    expect(onTrackUntil(leap, s)).toBe('2024-08-29');
  });
});

describe('on track, pro rata', () => {
  const year: Cycle = { startsOn: '2026-01-01', endsOn: '2027-01-01' }; // 365 days
  const req: RenewalRequirement = { credits: 40, minimums: [], carryOverCap: null };

  it('nothing is due on the first day; everything on the expiration date', () => {
    const none = creditStanding(req, year, []);
    expect(isOnTrack(year, none, '2026-01-01')).toBe(true);
    expect(isOnTrack(year, none, '2026-01-02')).toBe(false);
    const all = creditStanding(req, year, [act('2026-12-31', 'A', 40)]);
    expect(isOnTrack(year, all, '2027-01-01')).toBe(true);
    expect(onTrackUntil(year, all)).toBe(ALWAYS_ON_TRACK);
  });

  it('half the credits keep a record on track for half the cycle, to the day', () => {
    const half = creditStanding(req, year, [act('2026-02-01', 'A', 20)]);
    // 20 × 365 / 40 = 182.5 days: on track through day 182.
    expect(onTrackUntil(year, half)).toBe('2026-07-02');
    expect(isOnTrack(year, half, '2026-07-02')).toBe(true);
    expect(isOnTrack(year, half, '2026-07-03')).toBe(false);
  });

  it('an unmet minimum holds the record back although the total is ahead', () => {
    const r: RenewalRequirement = { credits: 40, minimums: [{ category: 'Ethics', credits: 6 }], carryOverCap: null };
    const s = creditStanding(r, year, [act('2026-02-01', 'Technical', 40)]);
    expect(s.counted).toBe(34);
    expect(isOnTrack(year, s, '2026-11-01')).toBe(true);
    expect(isOnTrack(year, s, '2026-12-31')).toBe(false);
  });
});

describe('carry-over', () => {
  it('moves the excess, at most the cap', () => {
    const s = creditStanding(FORTY, CYCLE, [act('2026-02-01', 'Ethics', 10), act('2026-02-01', 'Technical', 45)]);
    expect(carryOver(FORTY, s)).toBe(10);
    const few = creditStanding(FORTY, CYCLE, [act('2026-02-01', 'Ethics', 10), act('2026-02-01', 'Technical', 33)]);
    expect(carryOver(FORTY, few)).toBe(3);
  });

  it('moves nothing without a cap, or when the requirement is not met', () => {
    const s = creditStanding({ ...FORTY, carryOverCap: null }, CYCLE, [act('2026-02-01', 'Ethics', 60)]);
    expect(carryOver({ ...FORTY, carryOverCap: null }, s)).toBe(0);
    const unmet = creditStanding(FORTY, CYCLE, [act('2026-02-01', 'Technical', 60)]);
    expect(unmet.met).toBe(false);
    expect(carryOver(FORTY, unmet)).toBe(0);
  });

  it('carried-in credits count towards the total, never towards a minimum, and never carry over twice', () => {
    const s = creditStanding(FORTY, CYCLE, [act('2026-01-01', null, 10, 'carry-over'), act('2026-02-01', 'Technical', 30)]);
    expect(s.carriedIn).toBe(10);
    expect(s.earned).toBe(40);
    expect(s.needed).toBe(6);
    const met = creditStanding(FORTY, CYCLE, [act('2026-01-01', null, 10, 'carry-over'), act('2026-02-01', 'Ethics', 32)]);
    expect(met.earned).toBe(42);
    expect(carryOver(FORTY, met)).toBe(2);
    // A carry-over dated before the cycle (any date) still counts: it belongs to the cycle it was moved into.
    expect(creditStanding(FORTY, CYCLE, [act('2020-01-01', null, 5, 'carry-over')]).earned).toBe(5);
  });
});

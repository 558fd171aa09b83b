/**
 * The renewals dashboard: how many certificates expire soon, how many expired
 * lately and were not renewed, and what waits for staff, each number with the
 * Tracking list selection that shows exactly its records.
 *
 * One definition, two uses: every number is a selection (Quick Filter and
 * Customize Filter tree, below) counted through `matching` / `countQuick`, the
 * code the Tracking list counts its total with. A number by certification is
 * the selection without a certification, counted once grouped by
 * certification: each group is what the same filter gives under that
 * certification's Quick Filter, which is the selection its bar opens.
 */
import { addDays, type CalendarDate } from '../rules/calendar';
import type { Status } from '../rules/statuses';
import type { FilterTree } from '../filters/fields';
import { countQuick, matching, type QuickFilter } from './tracking';
import type { Executor } from './context';

/** The "expiring in the next N days" horizons; each includes the shorter ones (and today). */
export const EXPIRING_HORIZONS = [30, 60, 90, 180] as const;
export type ExpiringHorizon = (typeof EXPIRING_HORIZONS)[number];
/** "Expired in the last N days, not yet renewed": the expiration date in the last N days. */
export const EXPIRED_WITHIN_DAYS = 90;

/** What a number opens: the Tracking list's Quick Filter and Customize Filter (the name search is cleared). */
export interface DashboardSelection {
  quick: QuickFilter;
  filter: FilterTree | null;
}

export interface DashboardNumber {
  count: number;
  selection: DashboardSelection;
}

export interface DashboardProgram {
  programId: number;
  name: string;
  archived: boolean;
  /** By horizon, in the order of EXPIRING_HORIZONS. */
  expiring: DashboardNumber[];
  /** Of those, the ones on track with their renewal credits, by horizon. */
  onTrack: DashboardNumber[];
  expired: DashboardNumber;
}

export interface DashboardSummary {
  /** The office's date the numbers were counted for. */
  today: CalendarDate;
  horizons: readonly ExpiringHorizon[];
  expiredWithinDays: number;
  /** All certifications, by horizon. */
  expiring: DashboardNumber[];
  /** Of those, the ones on track with their renewal credits (Customize Filter "On track is yes"), by horizon. */
  onTrack: DashboardNumber[];
  expired: DashboardNumber;
  applications: DashboardNumber;
  completions: DashboardNumber;
  /** Certifications with at least one certificate expiring within the longest horizon or expired lately, by name. */
  byProgram: DashboardProgram[];
}

/** Held certificates (Active or Expiring) whose expiration date is today or within the next `days` days. */
export function expiringFilter(days: number): FilterTree {
  return {
    combinator: 'and',
    rules: [
      { field: 'status', operator: 'in', value: ['Active', 'Expiring'] },
      { field: 'expiresOn', operator: 'inNextDays', value: days },
    ],
  };
}

/**
 * Of those, the ones on track with their renewal credits: the credits that count meet the
 * certification's renewal requirement pro rata for the cycle elapsed (none without a requirement).
 */
export function onTrackFilter(days: number): FilterTree {
  const expiring = expiringFilter(days);
  return { ...expiring, rules: [...expiring.rules, { field: 'onTrack', operator: '=', value: 'yes' }] };
}

/** Expired (not renewed: renewal moves a record to In Progress) with an expiration date in the last `days` days. */
export function expiredFilter(days: number): FilterTree {
  return {
    combinator: 'and',
    rules: [
      { field: 'status', operator: '=', value: 'Expired' },
      { field: 'expiresOn', operator: 'inLastDays', value: days },
    ],
  };
}

/**
 * The part of "expiring within `days`" beyond the previous horizon (`after` days): held certificates
 * expiring from the day after today + `after` to today + `days`. Consecutive horizons' bands do not
 * overlap and together make the longest horizon, so each horizon is the sum of its bands.
 */
function expiringBand(after: number, days: number, today: CalendarDate, onTrack: boolean): FilterTree {
  const rules: FilterTree['rules'] = [
    { field: 'status', operator: 'in', value: ['Active', 'Expiring'] },
    { field: 'expiresOn', operator: 'between', value: [addDays(today, after + 1), addDays(today, days)] },
  ];
  return { combinator: 'and', rules: onTrack ? [...rules, { field: 'onTrack', operator: '=', value: 'yes' }] : rules };
}

/**
 * Each horizon's count by certification (EXPIRING_HORIZONS order): the first horizon counted as its
 * filter, each longer one as the shorter's count plus its band. Every record of the longest horizon is
 * read once instead of once per horizon that holds it (at 1.2M records 87,000 index entries instead of
 * 174,000, for the expiring and again for the on-track counts).
 */
async function countHorizonsByProgram(db: Executor, today: CalendarDate, timeZone: string, onTrack: boolean): Promise<Array<Map<number, number>>> {
  const [first, ...longer] = EXPIRING_HORIZONS;
  let running = await countByProgram(db, onTrack ? onTrackFilter(first) : expiringFilter(first), today, timeZone);
  const counts = [running];
  let after: number = first;
  for (const days of longer) {
    const band = await countByProgram(db, expiringBand(after, days, today, onTrack), today, timeZone);
    running = new Map(running);
    for (const [programId, n] of band) running.set(programId, (running.get(programId) ?? 0) + n);
    counts.push(running);
    after = days;
  }
  return counts;
}

const ALL: QuickFilter = { kind: 'all' };
const waiting = (status: Status): DashboardSelection => ({ quick: { kind: 'status', status }, filter: null });

/** The filter's matches under the All Quick Filter, counted by certification: one indexed GROUP BY. */
async function countByProgram(db: Executor, filter: FilterTree, today: CalendarDate, timeZone: string): Promise<Map<number, number>> {
  // Read from migration 019's covering index alone (014's before it); the planner, led by sampled statistics, may prefer 003's narrower one and then read every record.
  const records = db.from(db.raw('?? as r indexed by ??', ['records', 'records_status_expires_cover']));
  const rows: Array<{ programId: number; n: number }> = await matching(db, { quick: ALL, filter, today, timeZone }, 'set', records)
    .select('r.program_id as programId')
    .count({ n: '*' })
    .groupBy('r.program_id');
  return new Map<number, number>(rows.map((r) => [Number(r.programId), Number(r.n)]));
}

async function quickTotal(db: Executor, quick: QuickFilter): Promise<number> {
  return Number(((await countQuick(db, quick).first()) as { n: number | null } | undefined)?.n ?? 0);
}

const sum = (counts: Map<number, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);

export async function dashboardSummary(db: Executor, office: { today: CalendarDate; timeZone: string }): Promise<DashboardSummary> {
  const { today, timeZone } = office;
  const expiringFilters = EXPIRING_HORIZONS.map(expiringFilter);
  const onTrackFilters = EXPIRING_HORIZONS.map(onTrackFilter);
  const expired = expiredFilter(EXPIRED_WITHIN_DAYS);
  // SQLite answers one statement at a time on this connection: in turn, not in parallel.
  const expiringCounts = await countHorizonsByProgram(db, today, timeZone, false);
  const onTrackCounts = await countHorizonsByProgram(db, today, timeZone, true);
  const expiredCounts = await countByProgram(db, expired, today, timeZone);
  const applications = waiting('Applied');
  const completions = waiting('Admin Review');
  const applicationCount = await quickTotal(db, applications.quick);
  const completionCount = await quickTotal(db, completions.quick);

  const shown = new Set([...(expiringCounts.at(-1)?.keys() ?? []), ...expiredCounts.keys()]);
  const programs = shown.size
    ? ((await db('programs')
        .whereIn('id', [...shown])
        .select('id', 'name', 'archived_at')
        .orderBy('name')
        .orderBy('id')) as Array<{
        id: number;
        name: string;
        archived_at: string | null;
      }>)
    : [];
  const inProgram = (programId: number, filter: FilterTree): DashboardSelection => ({ quick: { kind: 'program', programId }, filter });

  return {
    today,
    horizons: EXPIRING_HORIZONS,
    expiredWithinDays: EXPIRED_WITHIN_DAYS,
    expiring: expiringFilters.map((filter, i) => ({ count: sum(expiringCounts[i] ?? new Map<number, number>()), selection: { quick: ALL, filter } })),
    onTrack: onTrackFilters.map((filter, i) => ({ count: sum(onTrackCounts[i] ?? new Map<number, number>()), selection: { quick: ALL, filter } })),
    expired: { count: sum(expiredCounts), selection: { quick: ALL, filter: expired } },
    applications: { count: applicationCount, selection: applications },
    completions: { count: completionCount, selection: completions },
    byProgram: programs.map((p) => ({
      programId: p.id,
      name: p.name,
      archived: p.archived_at !== null,
      expiring: expiringFilters.map((filter, i) => ({ count: expiringCounts[i]?.get(p.id) ?? 0, selection: inProgram(p.id, filter) })),
      onTrack: onTrackFilters.map((filter, i) => ({ count: onTrackCounts[i]?.get(p.id) ?? 0, selection: inProgram(p.id, filter) })),
      expired: { count: expiredCounts.get(p.id) ?? 0, selection: inProgram(p.id, expired) },
    })),
  };
}

/**
 * The kept renewal-credit columns of records (migration 010): `credits_needed` and
 * `credits_on_track_until`, recomputed from the program's requirement, the record's cycle and its
 * activities in the caller's transaction, whenever one of those changes (the record writer calls it
 * for every record it writes; activity changes and requirement edits go through it too).
 * A requirement applies to a record that holds (or held) the certification: Active, Expiring or
 * Expired with a cycle (start and expiration dates); every other record keeps both columns empty.
 */
import { groupBy } from '../domain/group-by';
import { creditStanding, currentCycle, onTrackUntil, type CreditActivity, type CreditStanding, type Cycle } from '../rules/credits';
import type { CalendarDate } from '../rules/calendar';
import { TIMED_STATUSES } from '../rules/statuses';
import { requirementOf } from '../domain/renewal';
import type { ProgramRow, RecordRow } from '../domain/rows';
import type { Executor } from './context';

const CHUNK = 500;

type Row = Pick<RecordRow, 'id' | 'status' | 'cycle' | 'cycle_starts_on' | 'completed_on' | 'expires_on' | 'credits_needed' | 'credits_on_track_until'> &
  Pick<ProgramRow, 'renewal_credits' | 'renewal_minimums' | 'renewal_carry_over_cap' | 'renewal_review'>;

export interface ActivityRow {
  id: number;
  record_id: number;
  cycle: number;
  kind: 'activity' | 'carry-over';
  earned_on: CalendarDate;
  title: string;
  category: string | null;
  credits: number;
  source: string;
  external_id: string | null;
  recorded_by: number | null;
  recorded_at: string;
  removed_at: string | null;
  removed_by: number | null;
  removed_reason: string | null;
}

export const asCreditActivity = (a: ActivityRow): CreditActivity => ({ earnedOn: a.earned_on, category: a.category, credits: a.credits, kind: a.kind });

/** The record's current cycle and standing, or null when no requirement applies to it now. */
export function standingOf(row: Row, activities: readonly ActivityRow[]): { cycle: Cycle; standing: CreditStanding } | null {
  const requirement = requirementOf(row);
  if (requirement === null) return null;
  const cycle = runningCycle(row);
  if (cycle === null) return null;
  const counted = activities.filter((a) => a.cycle === row.cycle && a.removed_at === null).map(asCreditActivity);
  return { cycle, standing: creditStanding(requirement, cycle, counted) };
}

/** The cycle a record's activities count in now: only a certification held (Active, Expiring, Expired) with its dates has one. */
export function runningCycle(row: Pick<RecordRow, 'status' | 'cycle_starts_on' | 'completed_on' | 'expires_on'>): Cycle | null {
  if (!(TIMED_STATUSES as readonly string[]).includes(row.status)) return null;
  return currentCycle({ cycleStartsOn: row.cycle_starts_on, completedOn: row.completed_on, expiresOn: row.expires_on });
}

/** Recomputes the kept columns of `recordIds`; answers the ids whose values changed. */
export async function refreshCredits(trx: Executor, recordIds: readonly number[]): Promise<number[]> {
  const changed: number[] = [];
  for (let i = 0; i < recordIds.length; i += CHUNK) {
    const ids = JSON.stringify(recordIds.slice(i, i + CHUNK));
    // Only records with a requirement, or with kept values to clear: a program without one costs one indexed read.
    const rows = await trx.raw<Row[]>(
      `SELECT r.id, r.status, r.cycle, r.cycle_starts_on, r.completed_on, r.expires_on, r.credits_needed, r.credits_on_track_until,
              p.renewal_credits, p.renewal_minimums, p.renewal_carry_over_cap, p.renewal_review
       FROM json_each(?) j JOIN records r ON r.id = j.value JOIN programs p ON p.id = r.program_id
       WHERE p.renewal_credits IS NOT NULL OR r.credits_needed IS NOT NULL OR r.credits_on_track_until IS NOT NULL`,
      [ids],
    );
    if (rows.length === 0) continue;
    const activities = (await trx('ce_activities')
      .whereIn(
        'record_id',
        rows.map((r) => r.id),
      )
      .whereNull('removed_at')) as ActivityRow[];
    const byRecord = groupBy(activities, (a) => a.record_id);
    const updates: Array<{ id: number; n: number | null; u: string | null }> = [];
    for (const row of rows) {
      const s = standingOf(row, byRecord.get(row.id) ?? []);
      const n = s ? s.standing.needed : null;
      const u = s ? onTrackUntil(s.cycle, s.standing) : null;
      if (n !== row.credits_needed || u !== row.credits_on_track_until) updates.push({ id: row.id, n, u });
    }
    if (updates.length === 0) continue;
    await trx.raw(
      `UPDATE records SET credits_needed = j.value ->> 'n', credits_on_track_until = j.value ->> 'u'
       FROM json_each(?) j WHERE records.id = j.value ->> 'id'`,
      [JSON.stringify(updates)],
    );
    changed.push(...updates.map((u) => u.id));
  }
  return changed;
}

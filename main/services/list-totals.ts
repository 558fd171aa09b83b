/**
 * Totals of filtered Tracking lists, per database, kept for as long as nothing
 * has been written. A broad Customize Filter takes 40–200 ms to count at a
 * million records; paging and re-sorting the same selection then costs no recount.
 */
import { dataVersion } from '../db/data-version';
import type { Executor } from './context';

const KEPT = 50;
const byDatabase = new WeakMap<object, Map<string, { version: string; total: number }>>();

export interface KnownTotal {
  /** The total counted for this selection while the data was as it is now, or null. */
  total: number | null;
  /** Keeps the total just counted (or confirmed) for the next page. */
  remember(total: number): void;
}

export async function knownTotal(db: Executor, selection: string): Promise<KnownTotal> {
  const totals = byDatabase.get(db) ?? new Map<string, { version: string; total: number }>();
  byDatabase.set(db, totals);
  const version = await dataVersion(db);
  const kept = totals.get(selection);
  return {
    total: kept?.version === version ? kept.total : null,
    remember(total) {
      totals.delete(selection);
      totals.set(selection, { version, total });
      // Maps iterate in insertion order: the first keys are the least recently used.
      for (const key of totals.keys()) {
        if (totals.size <= KEPT) break;
        totals.delete(key);
      }
    },
  };
}

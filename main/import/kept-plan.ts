/**
 * The plan of the last import preview, kept per database so that applying the
 * previewed file only writes. A kept plan is used only for the same file bytes
 * (sha256), mapping and delimiter, and only while nothing at all has been
 * written since the preview (`dataVersion`); otherwise apply plans again inside
 * its transaction, exactly as the preview would now. Reading, parsing and
 * matching 100,000 rows is about half of an import.
 */
import { dataVersion } from '../db/data-version';
import type { Executor } from '../services/context';

interface Kept {
  key: string;
  version: string;
  plan: unknown;
  /** Lets go of the plan if it is never applied; cleared when it is replaced or taken. */
  expiry: NodeJS.Timeout;
  /** Lets go of the plan once something was written since the preview. */
  check: NodeJS.Timeout;
  checking?: boolean;
}

/** One plan per database: a preview replaces the one before it. */
const kept = new WeakMap<object, Kept>();

/** A preview never applied lets go of its plan (tens of MB for 100,000 rows) after this long. */
const KEEP_MS = 15 * 60_000;
/** How often a kept plan checks whether something was written since (one tiny query). */
const CHECK_MS = 5_000;

/** What a plan depends on besides the database: the import, the bytes and how they are read. */
export function planKey(kind: string, sha256: string, input: { mapping?: object; delimiter?: string }): string {
  return JSON.stringify([kind, sha256, input.mapping ?? {}, input.delimiter ?? null]);
}

/** The kept plan, no longer kept. */
function take(db: Executor): Kept | undefined {
  const entry = kept.get(db);
  if (entry) {
    clearTimeout(entry.expiry);
    clearInterval(entry.check);
  }
  kept.delete(db);
  return entry;
}

/**
 * Plans with `plan` and keeps the result for apply. The data version is read
 * before planning, so a write that lands meanwhile makes the kept plan stale,
 * never wrong.
 */
export async function planAndKeep<T>(db: Executor, key: string, plan: () => Promise<T>): Promise<T> {
  // The plan before this one is let go first: two plans of 100,000 rows are never held at once.
  take(db);
  const version = await dataVersion(db);
  const planned = await plan();
  take(db);
  const entry: Kept = {
    key,
    version,
    plan: planned,
    expiry: setTimeout(() => drop(db, entry), KEEP_MS),
    check: setInterval(() => void dropIfStale(db, entry), CHECK_MS),
  };
  entry.expiry.unref();
  entry.check.unref();
  kept.set(db, entry);
  return planned;
}

/** Lets go of `entry` if it is still the kept plan. */
function drop(db: Executor, entry: Kept): void {
  if (kept.get(db) === entry) take(db);
}

/** A write since the preview makes the plan useless (apply would plan again): let go of it then, not 15 minutes later. */
async function dropIfStale(db: Executor, entry: Kept): Promise<void> {
  if (entry.checking) return; // the last check still waits behind a long write
  entry.checking = true;
  try {
    if ((await dataVersion(db)) !== entry.version) drop(db, entry);
  } catch {
    drop(db, entry); // the database is closing
  } finally {
    entry.checking = false;
  }
}

/**
 * Apply's plan, inside its transaction `trx`: the preview's when it is for the
 * same key and nothing was written since, else a fresh one. Either way the
 * kept plan is given up, so it is applied at most once.
 */
export async function planForApply<T>(db: Executor, trx: Executor, key: string, plan: () => Promise<T>): Promise<T> {
  const previewed = take(db);
  if (previewed?.key === key && previewed.version === (await dataVersion(trx))) return previewed.plan as T;
  return plan();
}

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
}

/** One plan per database: a preview replaces the one before it. */
const kept = new WeakMap<object, Kept>();

/** A preview never applied lets go of its plan (tens of MB for 100,000 rows) after this long. */
const KEEP_MS = 15 * 60_000;

/** What a plan depends on besides the database: the import, the bytes and how they are read. */
export function planKey(kind: string, sha256: string, input: { mapping?: object; delimiter?: string }): string {
  return JSON.stringify([kind, sha256, input.mapping ?? {}, input.delimiter ?? null]);
}

/** The kept plan, no longer kept. */
function take(db: Executor): Kept | undefined {
  const entry = kept.get(db);
  if (entry) clearTimeout(entry.expiry);
  kept.delete(db);
  return entry;
}

/**
 * Plans with `plan` and keeps the result for apply. The data version is read
 * before planning, so a write that lands meanwhile makes the kept plan stale,
 * never wrong.
 */
export async function planAndKeep<T>(db: Executor, key: string, plan: () => Promise<T>): Promise<T> {
  const version = await dataVersion(db);
  const planned = await plan();
  take(db);
  const expiry = setTimeout(() => kept.delete(db), KEEP_MS);
  expiry.unref();
  kept.set(db, { key, version, plan: planned, expiry });
  return planned;
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

/**
 * Gives back what a finished job left behind (issue #17: the main process at most 400 MB after any job).
 *
 * - SQLite's page caches: `PRAGMA shrink_memory` frees every page a connection is not using. The next job
 *   (or list page) reads its pages again from the operating system's cache.
 * - V8's heap: an idle process never collects (V8 collects when it allocates), so the pages the job grew the
 *   heap to, mostly garbage by then, stayed mapped (100–250 MB at 1M). One full collection once the job is
 *   done lets V8 unmap them within a second or two.
 *
 * Never fails: memory is a nicety, the job's result is not.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Knex } from 'knex';

export async function releaseMemory(...connections: readonly Knex[]): Promise<void> {
  for (const db of connections) await db.raw('PRAGMA shrink_memory').catch(() => undefined);
  collectGarbage();
}

let gc: (() => void) | null = null;

/** A full collection. V8's `gc` is not a global of the app: it is taken once from a context made while the flag is on. */
function collectGarbage(): void {
  try {
    if (!gc) {
      v8.setFlagsFromString('--expose-gc');
      try {
        const found: unknown = runInNewContext('gc');
        if (typeof found === 'function') gc = found as () => void;
      } finally {
        // Off again at once, whatever happened: the flag is part of the hash V8 checks code caches against.
        v8.setFlagsFromString('--no-expose-gc');
      }
    }
    gc?.();
  } catch {
    // A runtime without it: the heap shrinks at its next collection instead.
  }
}

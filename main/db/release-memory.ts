/**
 * Gives back what a finished job left in SQLite's page caches: `PRAGMA shrink_memory`
 * frees every page a connection is not using. The next job (or list page) reads its
 * pages again from the operating system's cache, and reuses the freed memory instead
 * of growing the process. Never fails: memory is a nicety, the job's result is not.
 */
import type { Knex } from 'knex';

export async function releaseMemory(...connections: readonly Knex[]): Promise<void> {
  for (const db of connections) await db.raw('PRAGMA shrink_memory').catch(() => undefined);
}

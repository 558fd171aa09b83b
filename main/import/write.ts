/**
 * The writes every import shares, always inside the caller's transaction:
 * inserts and updates that log their change for the sync export.
 */
import type { Entity } from '../services/changelog';
import { changesFor, logChanges, logStoredRows } from '../services/changelog';
import { ServiceError, type Actor, type Executor } from '../services/context';
import type { JobProgress } from '../domain/progress';
import { bulkInsert } from '../db/bulk-insert';

/** Rows per step of an import: progress is reported after each. */
const INSERT_CHUNK = 5000;

/** Inserts rows (in chunks), logs each as an insert, and answers their ids in insertion order. */
export async function insertLogged(
  trx: Executor,
  table: string,
  entity: Entity,
  rows: readonly object[],
  at: string,
  onChunk?: (n: number) => void,
): Promise<number[]> {
  const out: number[] = [];
  for (const part of chunk(rows, INSERT_CHUNK)) {
    const ids = await bulkInsert(trx, table, part as ReadonlyArray<Record<string, unknown>>, { returning: 'id' });
    if (ids.length !== part.length) throw new Error(`Inserting into ${table} returned ${ids.length} rows for ${part.length}.`);
    await logStoredRows(trx, table, entity, 'insert', ids, at);
    out.push(...ids);
    onChunk?.(part.length);
  }
  return out;
}

/** Updates one row, logs it as an update, and returns it as stored. */
export async function updateLogged<T extends { id: number }>(trx: Executor, table: string, entity: Entity, id: number, patch: object, at: string): Promise<T> {
  const [stored] = (await trx(table).where({ id }).update(patch).returning('*')) as T[];
  if (!stored) throw new Error(`${table} row ${id} disappeared during the import.`);
  await logChanges(trx, changesFor(entity, 'update', [stored]), at);
  return stored;
}

/** SPEC.md §1: admin alone may change certification programs. The system actor (headless tools, tests) may too. */
export function requireAdmin(actor: Actor, what: string): void {
  if (actor.role !== 'admin' && actor.role !== 'system') throw new ServiceError('FORBIDDEN', `Only an administrator may ${what}.`);
}

/** Reports progress at most every `step` rows, and always at the end. */
export function progressReporter(job: JobProgress | undefined, total: number, message: (done: number) => string): (n: number) => void {
  let done = 0;
  let reported = 0;
  const step = Math.max(1, Math.floor(total / 100));
  job?.progress(0, total, message(0));
  return (n: number) => {
    done += n;
    if (done - reported >= step || done === total) {
      reported = done;
      job?.progress(done, total, message(done));
    }
  };
}

/**
 * Runs an import's writes in one transaction (BEGIN IMMEDIATE), turning a
 * full disk into a sentence: nothing was imported, free space, try again.
 */
export async function inTransaction<T>(db: Executor, work: (trx: Executor) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'SQLITE_FULL') {
      throw new ServiceError('REFUSED', 'The disk is full, so nothing was imported. Free some disk space and import again.');
    }
    throw err;
  }
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

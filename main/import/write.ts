/**
 * The writes every import shares, always inside the caller's transaction:
 * inserts and updates that log their change for the sync export, and the
 * records' copy of a renamed contact's name key.
 */
import type { Entity } from '../services/changelog';
import { changesFor, logChanges, logStoredRows } from '../services/changelog';
import { ServiceError, type Actor, type Executor } from '../services/context';
import type { JobProgress } from '../domain/progress';
import type { RecordRow } from '../domain/rows';
import { chunk } from './csv';
import { bulkInsert } from '../db/bulk-insert';

/** Rows per step of an import: progress is reported after each. */
const INSERT_CHUNK = 5000;
const ID_CHUNK = 400;

/** Inserts rows (in chunks), logs each as an insert, and answers their ids in insertion order. */
export async function insertLogged(trx: Executor, table: string, entity: Entity, rows: readonly object[], at: string, onChunk?: (n: number) => void): Promise<number[]> {
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

/**
 * Records keep their contact's name key as `sort_name`; a renamed contact's
 * records get the new one (and a logged update each), in the same transaction.
 * Their `updated_at` stays: nothing about the record itself changed.
 */
export async function resortRecords(trx: Executor, renamed: ReadonlyArray<{ id: number; name_key: string }>, at: string): Promise<number> {
  let updated = 0;
  const keyOf = new Map(renamed.map((c) => [c.id, c.name_key]));
  for (const ids of chunk([...keyOf.keys()], ID_CHUNK)) {
    const records = (await trx('records').whereIn('contact_id', ids)) as RecordRow[];
    const stale = records.filter((r) => keyOf.get(r.contact_id) !== r.sort_name);
    for (const record of stale) {
      const sortName = keyOf.get(record.contact_id) as string;
      await trx('records').where({ id: record.id }).update({ sort_name: sortName });
    }
    await logChanges(trx, changesFor('record', 'update', stale.map((r) => ({ ...r, sort_name: keyOf.get(r.contact_id) as string }))), at);
    updated += stale.length;
  }
  return updated;
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

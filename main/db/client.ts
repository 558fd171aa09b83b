import type { Knex } from 'knex';
import Client_SQLite3 from 'knex/lib/dialects/sqlite3/index.js';
import Transaction_Sqlite from 'knex/lib/dialects/sqlite3/execution/sqlite-transaction.js';
import type { DatabaseRefusedError } from './errors';

/** Statements still allowed once writes are refused: plain reads. */
const READ_ONLY = /^\s*(select|explain)\b/i;
/** knex's rollback of a transaction or of a nested one's savepoint. */
const ROLLBACK = /^\s*rollback\b/i;
/** What SQLite answers a rollback after it rolled the transaction back itself. */
const NOTHING_TO_ROLL_BACK = /no transaction is active|no such savepoint/i;
/** Keyed by the client's config, which knex shares with each transaction's client (made by Object.create). */
const refusals = new WeakMap<object, DatabaseRefusedError>();

/**
 * knex's SQLite transactions start with a deferred `BEGIN`, which takes the
 * write lock only at the first write and can then fail with SQLITE_BUSY midway.
 * Writes here start with `BEGIN IMMEDIATE` so a transaction either gets the
 * lock up front (waiting up to busy_timeout) or does nothing at all.
 */
class ImmediateTransaction extends Transaction_Sqlite {
  begin(conn: unknown): Promise<unknown> {
    return this.query(conn, 'BEGIN IMMEDIATE;');
  }
}

export class ImmediateSqliteClient extends Client_SQLite3 {
  // The one place every statement of the writer connection passes, transactions included.
  _query(connection: unknown, obj: { sql?: string }): Promise<unknown> {
    const refusal = refusals.get(this.config as object);
    if (refusal && !READ_ONLY.test(obj.sql ?? '')) return Promise.reject(refusal);
    const done = super._query(connection, obj);
    if (!ROLLBACK.test(obj.sql ?? '')) return done;
    // SQLite rolls a whole transaction back by itself when a statement that keeps no statement journal
    // (the record writer's, bulk-update.ts) meets a full disk or an I/O error. knex's ROLLBACK then finds
    // none and would be reported instead of the error that caused it ("the disk is full" lost): the
    // rollback wanted has happened.
    return done.catch((err: unknown) => {
      if (err instanceof Error && NOTHING_TO_ROLL_BACK.test(err.message)) return undefined;
      throw err;
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- knex's own signature
  transaction(container: any, config: any, outerTx: any): Knex.Transaction {
    return new ImmediateTransaction(this, container, config, outerTx) as unknown as Knex.Transaction;
  }
}

/** From now on nothing is written through `db`: each write fails with `refusal` (damage found by the background check). */
export function refuseWrites(db: Knex, refusal: DatabaseRefusedError): void {
  refusals.set(configOf(db), refusal);
}

export function writesRefused(db: Knex): boolean {
  return refusals.has(configOf(db));
}

function configOf(db: Knex): object {
  return (db.client as Knex.Client).config as object;
}

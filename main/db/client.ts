import type { Knex } from 'knex';
import Client_SQLite3 from 'knex/lib/dialects/sqlite3/index.js';
import Transaction_Sqlite from 'knex/lib/dialects/sqlite3/execution/sqlite-transaction.js';
import type { DatabaseRefusedError } from './errors';

/** Statements still allowed once writes are refused: plain reads. */
const READ_ONLY = /^\s*(select|explain)\b/i;
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
    return super._query(connection, obj);
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

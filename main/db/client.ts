import type { Knex } from 'knex';
import Client_SQLite3 from 'knex/lib/dialects/sqlite3/index.js';
import Transaction_Sqlite from 'knex/lib/dialects/sqlite3/execution/sqlite-transaction.js';

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
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- knex's own signature
  transaction(container: any, config: any, outerTx: any): Knex.Transaction {
    return new ImmediateTransaction(this, container, config, outerTx) as unknown as Knex.Transaction;
  }
}

/**
 * The read connection: what staff look at (the Tracking list, its counts, a
 * record) is read here, beside the one writer (database.ts). In WAL mode a
 * reader works on the last committed state while a write transaction is open,
 * so browsing never queues behind an import, a sweep or an export.
 *
 * One connection, kept for the life of the object: `dataVersion` (kept list
 * totals) reads this connection's own counters, and `data_version` changes here
 * whenever the writer commits. `query_only` makes any write through it fail.
 */
import knexFactory, { type Knex } from 'knex';
import { databaseFile } from './files';

interface SqliteConnection {
  run(sql: string, cb: (err: Error | null) => void): void;
}

const READER_PRAGMAS = [
  'PRAGMA query_only = ON',
  'PRAGMA busy_timeout = 5000',
  // 16 MB: a list page reads a few hundred pages; the rest comes from the operating system's cache. Within the
  // process-wide limit on SQLite's memory (database.ts), which bounds what the process keeps after a job.
  'PRAGMA cache_size = -16384',
];

/** Opens the read connection of the database in `dataDir` (opened and migrated by `openDatabase` first). */
export function openReader(dataDir: string): Knex {
  return knexFactory({
    client: 'sqlite3',
    connection: { filename: databaseFile(dataDir) },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      // Never closed while idle: a new connection would restart the counters `dataVersion` reads.
      idleTimeoutMillis: Number.MAX_SAFE_INTEGER,
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void) {
        const next = (i: number): void => {
          const sql = READER_PRAGMAS[i];
          if (sql === undefined) return done(null, conn);
          conn.run(sql, (err) => (err ? done(err, conn) : next(i + 1)));
        };
        next(0);
      },
    },
  });
}

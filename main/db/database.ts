/**
 * The one owner of the SQLite connection. Everything that reads or writes the
 * database gets this knex instance; nothing else opens the file.
 */
import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import sqlite3 from 'sqlite3';
import { listBackups, restoreBackup, takeBackup } from './backup';
import { databaseFile } from './files';
import { ImmediateSqliteClient, writesRefused } from './client';
import { DatabaseRefusedError } from './errors';
import { inspectDatabase } from './inspect';
import { markAsOurs, ownershipOf } from './ownership';
import { MIGRATIONS, migrationSource } from './migrations';

export { DATABASE_FILE, databaseFile } from './files';

export type Db = Knex;

interface SqliteConnection {
  run(sql: string, cb: (err: Error | null) => void): void;
}

/** SQLite's soft heap limit, process-wide (see the writer's pragmas). */
export const SQLITE_MEMORY_LIMIT = 40 * 2 ** 20;

function createKnex(file: string): Knex {
  return knexFactory({
    client: ImmediateSqliteClient as unknown as typeof knexFactory.Client,
    connection: { filename: file },
    useNullAsDefault: true,
    // One connection: SQLite has one writer, and one connection keeps the
    // transaction order the order the app asked for.
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void) {
        const pragmas = [
          'PRAGMA journal_mode = WAL',
          'PRAGMA synchronous = FULL',
          'PRAGMA foreign_keys = ON',
          'PRAGMA busy_timeout = 5000',
          // 64 MB of page cache (the default is 2 MB): a million records' indexes are ~300 MB.
          'PRAGMA cache_size = -65536',
          // For the whole process, all connections together (writer, reader, checks): past 40 MB each cache
          // reuses its own oldest clean pages instead of growing (a write's changed pages still count up to
          // cache_size). SQLite's pages are malloc'd on the thread-pool threads, and what the allocator gets
          // it keeps after SQLite frees it (shrink_memory after a job frees the pages, not the process's
          // memory): at 1M, 80 MB of SQLite memory left 110–200 MB with the process after an import (issue
          // #17). A page read again comes from the operating system's cache.
          `PRAGMA soft_heap_limit = ${SQLITE_MEMORY_LIMIT}`,
        ];
        const next = (i: number): void => {
          const sql = pragmas[i];
          if (sql === undefined) return done(null, conn);
          conn.run(sql, (err) => (err ? done(err, conn) : next(i + 1)));
        };
        next(0);
      },
    },
  });
}

async function tableCounts(db: Knex): Promise<Map<string, number>> {
  // Plain tables only: a search index (FTS5, migration 017) and its shadow tables merge their rows as they please.
  const tables: Array<{ name: string }> = await db
    .from(db.raw('pragma_table_list'))
    .where({ schema: 'main', type: 'table' })
    .whereNot('name', 'like', 'sqlite_%')
    .whereNot('name', 'like', 'knex_%')
    .select('name');
  const counts = new Map<string, number>();
  for (const { name } of tables) {
    const row = await db(name).count({ n: '*' }).first();
    counts.set(name, Number(row?.n ?? 0));
  }
  return counts;
}

export interface OpenOptions {
  dataDir: string;
  now?: () => Date;
  /** false: skip `quick_check` here (the app runs it in the background after the list shows). */
  check?: boolean;
}

/**
 * Opens (or creates) the database in `dataDir`: refuses a damaged file or one
 * written by a newer CertDesk without touching it, takes a backup before
 * migrating, and checks that migrating lost no rows.
 */
export async function openDatabase({ dataDir, now = () => new Date(), check = true }: OpenOptions): Promise<Db> {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = databaseFile(dataDir);
  const known = MIGRATIONS.map((m) => m.name);
  let applied: string[] = [];
  if (fs.existsSync(file) && fs.statSync(file).size === 0 && listBackups(dataDir).length > 0) {
    // A file emptied by a failed copy or a disk error is not a new database.
    throw new DatabaseRefusedError('DB_CORRUPT', 'The database file is empty (0 bytes), but backups of it exist. Restore the newest backup.', file);
  }
  if (fs.existsSync(file) && fs.statSync(file).size > 0) {
    // Another program's SQLite file is refused before anything (WAL, migrations) writes to it.
    await ownershipOf(file, known);
    applied = (await inspectDatabase(file, { check })).migrations;
    const unknown = applied.filter((name) => !known.includes(name));
    if (unknown.length > 0 || applied.some((name, i) => known[i] !== name)) {
      throw new DatabaseRefusedError(
        'DB_TOO_NEW',
        `This database was written by a newer version of CertDesk (it has ${unknown.join(', ') || 'migrations in another order'}). Update CertDesk to open it.`,
        file,
      );
    }
  }

  const db = createKnex(file);
  let backup: string | null = null;
  let guardFailed = false;
  try {
    const pending = known.length - applied.length;
    if (pending > 0 && applied.length > 0) {
      backup = await takeBackup(db, dataDir, `before-${known[known.length - 1] ?? 'migration'}`, now());
      const before = await tableCounts(db);
      const triggersBefore = await triggerNames(db);
      await db.migrate.latest({ migrationSource });
      const after = await tableCounts(db);
      const triggersAfter = await triggerNames(db);
      guardFailed = true;
      for (const [table, count] of before) {
        if (after.has(table) && (after.get(table) ?? 0) < count) {
          throw new Error(`Updating the database lost rows in ${table} (${count} → ${after.get(table) ?? 0}); the backup taken before it was put back.`);
        }
      }
      // knex rebuilds a table for most ALTERs on SQLite, and its triggers (history is append-only) go with it.
      const lost = triggersBefore.filter((t) => !triggersAfter.includes(t));
      if (lost.length > 0) throw new Error(`Updating the database dropped the safeguards ${lost.join(', ')}; the backup taken before it was put back.`);
      guardFailed = false;
    } else if (pending > 0) {
      await db.migrate.latest({ migrationSource });
    }
    await markAsOurs(db);
    return db;
  } catch (err) {
    await db.destroy();
    // The migration is committed by now; put the pre-migration backup back so nothing stays lost.
    if (guardFailed && backup) await restoreBackup(dataDir, backup, now());
    throw err;
  }
}

async function triggerNames(db: Knex): Promise<string[]> {
  return ((await db('sqlite_master').where('type', 'trigger').pluck('name')) as string[]).sort();
}

/** Lets SQLite update its statistics, then closes the connection. */
export async function closeDatabase(db: Db): Promise<void> {
  // A damaged file (writes refused): closing must not checkpoint the WAL into it either.
  if (writesRefused(db)) return closeWithoutCheckpoint(db);
  // Statistics are a nicety: a database on a read-only file or folder must still close.
  await db.raw('PRAGMA optimize').catch(() => undefined);
  await db.destroy();
}

/**
 * The last connection to close a WAL database copies the WAL into the file (and deletes it).
 * A read-only connection held open meanwhile makes the writer not the last; it then closes
 * last itself, and a read-only connection never checkpoints. The WAL stays beside the damaged
 * file with what was committed before the damage was found (restoring a backup moves both aside).
 */
async function closeWithoutCheckpoint(db: Db): Promise<void> {
  const file = (db.client as Knex.Client).config.connection as { filename: string };
  const pin = await new Promise<sqlite3.Database>((resolve, reject) => {
    const handle = new sqlite3.Database(file.filename, sqlite3.OPEN_READONLY, (err) => (err ? reject(err) : resolve(handle)));
  }).catch(() => null);
  // A read of the header takes the shared lock a WAL connection keeps until it closes.
  await new Promise<void>((resolve) => (pin ? pin.get('PRAGMA schema_version', () => resolve()) : resolve()));
  try {
    await db.destroy();
  } finally {
    await new Promise<void>((resolve) => (pin ? pin.close(() => resolve()) : resolve()));
  }
}

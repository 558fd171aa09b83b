import fs from 'node:fs';
import sqlite3 from 'sqlite3';
import { DAMAGED_FILE } from './error-words';
import { DatabaseRefusedError } from './errors';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

function all<T>(db: sqlite3.Database, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    db.all(sql, (err, rows) => (err ? reject(err) : resolve(rows as T[])));
  });
}

export interface Inspection {
  migrations: string[];
}

/** Opens `file` read-only, refusing one without a SQLite header (page 1 damaged) or that SQLite cannot open. */
async function openReadOnly(file: string): Promise<sqlite3.Database> {
  const header = Buffer.alloc(16);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (!header.equals(SQLITE_HEADER)) {
    throw new DatabaseRefusedError('DB_CORRUPT', 'The database file is damaged: it does not start with a SQLite header.', file);
  }
  return new Promise<sqlite3.Database>((resolve, reject) => {
    const handle = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => (err ? reject(err) : resolve(handle)));
  }).catch((err: unknown) => {
    throw new DatabaseRefusedError(
      'DB_UNREADABLE',
      'The database file cannot be opened: SQLite does not read it as a database (it may be damaged, or only part of it was copied).',
      file,
      String(err),
    );
  });
}

function close(db: sqlite3.Database): Promise<void> {
  return new Promise<void>((resolve) => db.close(() => resolve()));
}

/**
 * Looks at an existing database file read-only before anything writes to it:
 * a file whose header or schema cannot be read must never be "repaired" into
 * an empty one. With `check: false` it reads only the header and the schema:
 * the app runs the full check (`checkDatabase`) in the background once the list answers.
 */
export async function inspectDatabase(file: string, { check = true }: { check?: boolean } = {}): Promise<Inspection> {
  if (check) await checkDatabase(file);
  const db = await openReadOnly(file);
  try {
    const tables = await all<{ name: string }>(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'knex_migrations'").catch((err: unknown) => {
      throw new DatabaseRefusedError('DB_CORRUPT', DAMAGED_FILE, file, String(err));
    });
    if (tables.length === 0) return { migrations: [] };
    const rows = await all<{ name: string }>(db, 'SELECT name FROM knex_migrations ORDER BY id');
    return { migrations: rows.map((r) => r.name) };
  } finally {
    await close(db);
  }
}

/**
 * `PRAGMA quick_check` on its own read-only connection, so the app answers beside it (WAL).
 * quick_check reads every page and record (O(N), ~5x faster than integrity_check at a million
 * records) but skips cross-checking index entries against rows. Throws DB_CORRUPT with the
 * sentence staff see when the file is damaged.
 */
export async function checkDatabase(file: string): Promise<void> {
  const db = await openReadOnly(file);
  try {
    const check = await all<{ quick_check: string }>(db, 'PRAGMA quick_check').catch((err: unknown) => {
      throw new DatabaseRefusedError('DB_CORRUPT', DAMAGED_FILE, file, String(err));
    });
    const verdict = check.map((r) => r.quick_check).join('; ');
    if (verdict !== 'ok') {
      throw new DatabaseRefusedError('DB_CORRUPT', DAMAGED_FILE, file, `quick_check: ${verdict.slice(0, 300)}`);
    }
  } finally {
    await close(db);
  }
}

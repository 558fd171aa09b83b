/**
 * Which SQLite files are CertDesk's: ours carry `PRAGMA application_id` =
 * 'CDSK'. A file without the mark whose knex_migrations are all ours was
 * written by a CertDesk from before the mark and is stamped on open; any other
 * SQLite file in the data folder is refused before anything writes to it (no
 * WAL switch, no migration, no backup), so it stays byte for byte as it was.
 */
import path from 'node:path';
import type { Knex } from 'knex';
import sqlite3 from 'sqlite3';
import { DatabaseRefusedError } from './errors';

/** 'CDSK' as a big-endian 32-bit number (SQLite stores it at offset 68 of the header). */
export const CERTDESK_APPLICATION_ID = 0x4344534b;

export type Ownership = 'ours' | 'ours-unmarked';

function all<T>(db: sqlite3.Database, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => db.all(sql, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
}

function foreign(file: string, why: string): DatabaseRefusedError {
  return new DatabaseRefusedError(
    'DB_FOREIGN',
    `The file ${path.basename(file)} in ${path.dirname(file)} is not a CertDesk database (${why}). ` +
      'CertDesk left it untouched. Move it out of that folder, or start CertDesk with another data folder.',
    file,
  );
}

/**
 * Reads the mark and the migration names read-only. Throws DB_FOREIGN for a
 * file that is not ours; a file that cannot be read at all is left to the
 * damaged-file checks (they say so in their own words).
 */
export async function ownershipOf(file: string, knownMigrations: readonly string[]): Promise<Ownership> {
  let db: sqlite3.Database;
  try {
    db = await new Promise<sqlite3.Database>((resolve, reject) => {
      const handle = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => (err ? reject(err) : resolve(handle)));
    });
  } catch {
    return 'ours';
  }
  try {
    const [{ application_id: mark } = { application_id: 0 }] = await all<{ application_id: number }>(db, 'PRAGMA application_id');
    if (mark === CERTDESK_APPLICATION_ID) return 'ours';
    if (mark !== 0) throw foreign(file, `it is marked as another program's file, id ${mark}`);
    const tables = await all<{ name: string }>(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'knex_migrations'");
    const names = tables.length === 0 ? [] : (await all<{ name: string }>(db, 'SELECT name FROM knex_migrations ORDER BY id')).map((r) => r.name);
    // Ours from before the mark: our first migration first, and every name one of ours.
    if (names.length > 0 && names[0] === knownMigrations[0] && names.every((n) => knownMigrations.includes(n))) return 'ours-unmarked';
    throw foreign(file, 'it has neither CertDesk’s mark nor its table history');
  } catch (err) {
    if (err instanceof DatabaseRefusedError) throw err;
    // Unreadable beyond the header: the damaged-file checks decide.
    return 'ours';
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

/** Marks an open database as CertDesk's: a new one, or one from before the mark (writes only when unmarked). */
export async function markAsOurs(db: Knex): Promise<void> {
  const rows = await db.raw<Array<{ application_id: number }>>('PRAGMA application_id');
  if (rows[0]?.application_id !== CERTDESK_APPLICATION_ID) await db.raw(MARK_AS_OURS);
}

/**
 * PRAGMA takes no bound parameters, so the mark is a literal statement: 1128551243 is
 * CERTDESK_APPLICATION_ID (0x4344534b); test/reliability/foreign-file.test.ts reads it back after marking.
 */
const MARK_AS_OURS = 'PRAGMA application_id = 1128551243';

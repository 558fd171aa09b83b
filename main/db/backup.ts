import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import sqlite3 from 'sqlite3';
import { databaseFile } from './files';
import { inspectDatabase } from './inspect';

/** The last few backups kept, whatever their kind; beside them the newest weekly and the newest monthly one. */
export const BACKUPS_KEPT = 5;
/** A backup is due (at start-up and while the app runs, see scheduler.ts) when the newest is older than this. */
export const BACKUP_EVERY_MS = 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const BACKUP_PATTERN = /^certdesk-.*\.sqlite$/;
/** certdesk-<YYYYMMDDTHHMMSS>-<label>[-empty].sqlite */
const BACKUP_NAME = /^certdesk-(\d{8}T\d{6})-(.+?)(-empty)?\.sqlite$/;

export interface BackupInfo {
  file: string;
  takenAt: Date;
  label: string;
  /** Taken while the database held no contacts and no records: nothing worth restoring. */
  empty: boolean;
}

export function describeBackup(file: string): BackupInfo | null {
  const m = BACKUP_NAME.exec(path.basename(file));
  if (!m?.[1] || !m[2]) return null;
  const s = m[1];
  const takenAt = new Date(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`);
  return { file, takenAt, label: m[2], empty: m[3] !== undefined };
}

/**
 * The backup to offer when the database is refused: the newest that holds data.
 * An empty backup (taken on day one, before anything was entered) is offered
 * only when no other exists.
 */
export function backupToOffer(dataDir: string): string | null {
  const all = listBackups(dataDir);
  return all.find((f) => describeBackup(f)?.empty === false) ?? all[0] ?? null;
}

/** Which backups to keep: the newest BACKUPS_KEPT, the newest weekly (or monthly) one and the newest monthly one. */
export function backupsToKeep(files: readonly string[]): Set<string> {
  const keep = new Set(files.slice(0, BACKUPS_KEPT));
  const weekly = files.find((f) => /^(weekly|monthly)$/.test(describeBackup(f)?.label ?? ''));
  const monthly = files.find((f) => describeBackup(f)?.label === 'monthly');
  if (weekly) keep.add(weekly);
  if (monthly) keep.add(monthly);
  return keep;
}

export function backupsFolder(dataDir: string): string {
  return path.join(dataDir, 'backups');
}

/** Backups, newest first. */
export function listBackups(dataDir: string): string[] {
  const folder = backupsFolder(dataDir);
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((name) => BACKUP_PATTERN.test(name))
    .sort()
    .reverse()
    .map((name) => path.join(folder, name));
}

/**
 * VACUUM INTO a temporary name, verify it, then rename: a backup under its final
 * name is always complete and intact. Keeps the newest BACKUPS_KEPT.
 *
 * The copy is read on a read-only connection of its own (a consistent snapshot, WAL), not
 * on `db`: the writer stays free for staff's changes and the reader for the list while the
 * whole file is read, and the pages read go with the connection instead of filling the
 * writer's cache. Flushing and removing files is asynchronous: a gigabyte never blocks the main thread.
 */
export async function takeBackup(db: Knex, dataDir: string, label: string, now: Date): Promise<string> {
  const folder = backupsFolder(dataDir);
  fs.mkdirSync(folder, { recursive: true });
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const tmpName = path.join(folder, `certdesk-${stamp}-${label.replace(/[^a-z0-9_-]/gi, '_')}.sqlite.tmp`);
  await fs.promises.rm(tmpName, { force: true });
  const empty = await withReadConnection(fileOf(db), async (conn) => {
    const holds = await holdsDataOn(conn);
    await run(conn, 'VACUUM INTO ?', [tmpName]);
    return !holds;
  });
  const finalName = tmpName.replace(/\.sqlite\.tmp$/, empty ? '-empty.sqlite' : '.sqlite');
  await inspectDatabase(tmpName);
  const handle = await fs.promises.open(tmpName, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmpName, finalName);
  const all = listBackups(dataDir);
  const keep = backupsToKeep(all);
  for (const old of all) if (!keep.has(old)) await fs.promises.rm(old, { force: true });
  return finalName;
}

/** The database file a knex instance of ours (database.ts) is open on. */
function fileOf(db: Knex): string {
  return ((db.client as Knex.Client).config.connection as { filename: string }).filename;
}

/** Runs `work` on a read-only connection of `file` opened for it, closed after. */
async function withReadConnection<T>(file: string, work: (conn: sqlite3.Database) => Promise<T>): Promise<T> {
  const conn = await new Promise<sqlite3.Database>((resolve, reject) => {
    const handle = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => (err ? reject(err) : resolve(handle)));
  });
  try {
    conn.configure('busyTimeout', 5000);
    return await work(conn);
  } finally {
    await new Promise<void>((resolve) => conn.close(() => resolve()));
  }
}

function run(conn: sqlite3.Database, sql: string, params: unknown[] = []): Promise<void> {
  return new Promise<void>((resolve, reject) => conn.run(sql, params, (err) => (err ? reject(err) : resolve())));
}

function get<T>(conn: sqlite3.Database, sql: string): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve, reject) => conn.get(sql, (err, row) => (err ? reject(err) : resolve(row as T | undefined))));
}

/** Whether the database holds any contact or record (a backup of nothing is named -empty). */
async function holdsDataOn(conn: sqlite3.Database): Promise<boolean> {
  const tables = await new Promise<Array<{ name: string }>>((resolve, reject) =>
    conn.all("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('contacts', 'records')", (err, rows) =>
      err ? reject(err) : resolve(rows as Array<{ name: string }>),
    ),
  );
  for (const { name } of tables) if (await get(conn, `SELECT 1 FROM "${name}" LIMIT 1`)) return true;
  return false;
}

/**
 * Takes a backup when the newest one is older than a day (or there is none),
 * or when the newest holds nothing and the database now holds data: an empty
 * backup is never the newest while a newer one with the data can be made.
 * The first backup of a week is kept as the weekly one, of a month as the monthly one.
 */
export async function takeBackupIfDue(db: Knex, dataDir: string, now: Date): Promise<string | null> {
  const all = listBackups(dataDir)
    .map(describeBackup)
    .filter((b): b is BackupInfo => b !== null);
  const newest = all[0];
  const due = !newest || now.getTime() - newest.takenAt.getTime() >= BACKUP_EVERY_MS || (newest.empty && (await withReadConnection(fileOf(db), holdsDataOn)));
  if (!due) return null;
  const since = (label: RegExp, days: number): boolean => all.some((b) => label.test(b.label) && now.getTime() - b.takenAt.getTime() < days * DAY_MS);
  const label = !since(/^monthly$/, 28) ? 'monthly' : !since(/^(weekly|monthly)$/, 7) ? 'weekly' : 'daily';
  return takeBackup(db, dataDir, label, now);
}

/**
 * Puts a backup in place of the database: the current file (and its WAL) is
 * moved aside under a `.refused-<time>` name, never deleted, and the backup is
 * copied in under a temporary name, checked, and renamed.
 */
export async function restoreBackup(dataDir: string, backup: string, now: Date): Promise<{ movedAside: string | null }> {
  await inspectDatabase(backup);
  const file = databaseFile(dataDir);
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  let movedAside: string | null = null;
  if (fs.existsSync(file)) {
    movedAside = `${file}.refused-${stamp}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, movedAside + suffix);
    }
  }
  const tmp = `${file}.restoring`;
  fs.copyFileSync(backup, tmp);
  const fd = fs.openSync(tmp, 'r+');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  return { movedAside };
}

import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { databaseFile } from './files';
import { inspectDatabase } from './inspect';

export const BACKUPS_KEPT = 5;
/** A backup is taken at start-up when the newest is older than this. */
export const BACKUP_EVERY_MS = 24 * 60 * 60 * 1000;
const BACKUP_PATTERN = /^certdesk-.*\.sqlite$/;

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
 */
export async function takeBackup(db: Knex, dataDir: string, label: string, now: Date): Promise<string> {
  const folder = backupsFolder(dataDir);
  fs.mkdirSync(folder, { recursive: true });
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const finalName = path.join(folder, `certdesk-${stamp}-${label.replace(/[^a-z0-9_-]/gi, '_')}.sqlite`);
  const tmpName = `${finalName}.tmp`;
  fs.rmSync(tmpName, { force: true });
  await db.raw('VACUUM INTO ?', [tmpName]);
  await inspectDatabase(tmpName);
  const fd = fs.openSync(tmpName, 'r+');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmpName, finalName);
  for (const old of listBackups(dataDir).slice(BACKUPS_KEPT)) fs.rmSync(old, { force: true });
  return finalName;
}

/** Takes a backup when the newest one is older than a day (or there is none). */
export async function takeBackupIfDue(db: Knex, dataDir: string, now: Date): Promise<string | null> {
  const newest = listBackups(dataDir)[0];
  if (newest && now.getTime() - fs.statSync(newest).mtimeMs < BACKUP_EVERY_MS) return null;
  return takeBackup(db, dataDir, 'daily', now);
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

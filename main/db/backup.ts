import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { inspectDatabase } from './inspect';

export const BACKUPS_KEPT = 5;
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

/**
 * RELIABILITY.md promises 2 and 3: a damaged or foreign database never
 * becomes an empty one, and backups are safe.
 *
 * A populated database takes backups as its data changes (checked: intact,
 * rotated to BACKUPS_KEPT, each restoring to the row counts it was taken
 * with). Then copies of its data folder are damaged four ways (page 1 zeroed,
 * truncated, bytes flipped in a b-tree page in the middle, a migration from a
 * newer CertDesk): openDatabase refuses each with DatabaseRefusedError (a code
 * and a plain sentence), the file stays byte-identical, nothing new appears in
 * the folder, the refusal repeats, listBackups still offers the newest good
 * backup, and restoring it (copied over the file, or restoreBackup) opens
 * with the row counts it was taken with.
 */
import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupsFolder, BACKUPS_KEPT, listBackups, restoreBackup, takeBackup } from '../../main/db/backup';
import { closeDatabase, databaseFile, openDatabase, type Db } from '../../main/db/database';
import { DatabaseRefusedError } from '../../main/db/errors';
import { inspectDatabase } from '../../main/db/inspect';
import { createContact } from '../../main/services/contacts';
import { SYSTEM } from '../../main/services/context';
import { loadDemoData } from '../../main/services/demo';
import { writeSettings } from '../../main/services/settings';
import { appTables, BASE_NOW, checkpointAndClose, OFFICE_TZ, removeDir, sha256, tempDir } from './support';
import { pageSizeOf } from '../support/files';

const dirs: string[] = [];
let template: string;
/** Backup file name → row counts per table when it was taken. */
const countsAt = new Map<string, Record<string, number>>();
const taken: string[] = [];
let rowsChecked = 0;

async function tableCounts(db: Db): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await appTables(db)) {
    const row = (await db(table).count({ n: '*' }).first()) as { n: number };
    counts[table] = Number(row.n);
  }
  return counts;
}

async function countsOfDataDir(dataDir: string): Promise<Record<string, number>> {
  const db = await openDatabase({ dataDir });
  try {
    return await tableCounts(db);
  } finally {
    await closeDatabase(db);
  }
}

function copyFolder(from: string, label: string): string {
  const to = tempDir(label);
  dirs.push(to);
  fs.cpSync(from, to, { recursive: true });
  return to;
}

/** Every file under `dir` (relative path → sha256), to prove nothing was added, removed or changed. */
function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = sha256(full);
  }
  return out;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const readerFiles = new Set<string>();

/**
 * The listing, less what SQLite's read-only look at a WAL-mode file leaves
 * beside it: an empty `-wal` and a `-shm` index (no data; noted for the report).
 */
function listingAfterReadOnlyLook(dir: string, before: Record<string, string>): Record<string, string> {
  const now = listing(dir);
  for (const suffix of ['-wal', '-shm']) {
    const name = `certdesk.sqlite${suffix}`;
    if (name in now && !(name in before)) {
      if (suffix === '-wal') expect(now[name], 'a WAL left by the read-only check must be empty').toBe(EMPTY_SHA256);
      readerFiles.add(name);
      delete now[name];
    }
  }
  return now;
}

function rawExec(file: string, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const handle = new sqlite3.Database(file, (openErr) => {
      if (openErr) return reject(openErr);
      handle.exec(sql, (err) => handle.close(() => (err ? reject(err) : resolve())));
    });
  });
}

function readAt(file: string, offset: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  const fd = fs.openSync(file, 'r');
  fs.readSync(fd, buf, 0, length, offset);
  fs.closeSync(fd);
  return buf;
}

function writeAt(file: string, offset: number, bytes: Buffer): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, bytes, 0, bytes.length, offset);
  fs.closeSync(fd);
}

beforeAll(async () => {
  template = tempDir('certdesk-rel-corrupt-');
  dirs.push(template);
  let clockNow = new Date(BASE_NOW);
  const clock = { now: () => clockNow };
  const db = await openDatabase({ dataDir: template, now: clock.now });
  try {
    await writeSettings(db, { timeZone: OFFICE_TZ, expiringDays: 30 });
    await loadDemoData({ db, clock }, SYSTEM, { contacts: 80, seed: 5 });
    // BACKUPS_KEPT + 2 backups, an hour apart, each after a few more contacts.
    for (let k = 0; k < BACKUPS_KEPT + 2; k++) {
      clockNow = new Date(Date.parse(BASE_NOW) + (k + 1) * 3_600_000);
      for (let c = 0; c <= k; c++) await createContact({ db, clock }, { firstName: `Backup${k}`, lastName: `Contact ${c}` });
      const file = await takeBackup(db, template, `rel-${k}`, clockNow);
      taken.push(path.basename(file));
      countsAt.set(path.basename(file), await tableCounts(db));
    }
    // Changes after the last backup: the live file is newer than every backup.
    await createContact({ db, clock }, { firstName: 'After', lastName: 'Last Backup' });
  } finally {
    await checkpointAndClose(db);
  }
}, 60_000);

afterAll(() => {
  for (const dir of dirs) removeDir(dir);
  console.log(`corrupt: ${taken.length} backups taken, ${BACKUPS_KEPT} kept; rows checked ${rowsChecked}`);
  if (readerFiles.size > 0) console.log(`corrupt: a refusal leaves ${[...readerFiles].join(' and ')} beside the refused file (empty WAL, shared-memory index)`);
});

describe('backups', () => {
  it(`are intact, rotated to the newest ${BACKUPS_KEPT}, and each restores to the row counts it was taken with`, async () => {
    const kept = listBackups(template);
    expect(kept.map((f) => path.basename(f))).toEqual(taken.slice(-BACKUPS_KEPT).reverse());
    expect(fs.readdirSync(backupsFolder(template)).filter((n) => !n.endsWith('.sqlite'))).toEqual([]);
    for (const backup of kept) {
      await expect(inspectDatabase(backup)).resolves.toBeDefined();
      // Restoring = copying the backup over the file, then opening it as the app does.
      const dir = tempDir('certdesk-rel-restore-');
      dirs.push(dir);
      fs.copyFileSync(backup, databaseFile(dir));
      const counts = await countsOfDataDir(dir);
      expect(counts, path.basename(backup)).toEqual(countsAt.get(path.basename(backup)));
      rowsChecked += Object.values(counts).reduce((a, b) => a + b, 0);
    }
    // Each backup is a distinct moment: the contacts grew between them.
    const contacts = kept.map((f) => countsAt.get(path.basename(f))?.contacts ?? 0);
    expect([...contacts].sort((a, b) => b - a)).toEqual(contacts);
    expect(new Set(contacts).size).toBe(kept.length);
  });
});

interface Damage {
  name: string;
  codes: Array<DatabaseRefusedError['code']>;
  message: RegExp;
  damage(file: string): Promise<void> | void;
}

const DAMAGES: Damage[] = [
  {
    name: 'page 1 zeroed',
    codes: ['DB_CORRUPT', 'DB_UNREADABLE'],
    message: /^The database file (is damaged|cannot be opened)/,
    damage: (file) => writeAt(file, 0, Buffer.alloc(pageSizeOf(file), 0)),
  },
  {
    name: 'truncated to half its pages',
    codes: ['DB_CORRUPT', 'DB_UNREADABLE'],
    message: /^The database file (is damaged|cannot be opened)/,
    damage: (file) => {
      const page = pageSizeOf(file);
      fs.truncateSync(file, Math.floor(fs.statSync(file).size / page / 2) * page);
    },
  },
  {
    name: 'truncated in the middle of a page',
    codes: ['DB_CORRUPT', 'DB_UNREADABLE'],
    message: /^The database file (is damaged|cannot be opened)/,
    damage: (file) => {
      const page = pageSizeOf(file);
      fs.truncateSync(file, Math.floor(fs.statSync(file).size / page / 3) * page + 1234);
    },
  },
  {
    name: 'bytes flipped in a b-tree page in the middle',
    codes: ['DB_CORRUPT', 'DB_UNREADABLE'],
    message: /^The database file (is damaged|cannot be opened)/,
    damage: (file) => {
      const page = pageSizeOf(file);
      const pages = Math.floor(fs.statSync(file).size / page);
      // The b-tree page nearest the middle (page types 2, 5, 10, 13): flip its header and cell pointers.
      for (let d = 0; d < pages; d++) {
        for (const p of [Math.floor(pages / 2) + d, Math.floor(pages / 2) - d]) {
          if (p < 2 || p > pages) continue;
          const offset = (p - 1) * page;
          if (![2, 5, 10, 13].includes(readAt(file, offset, 1)[0] ?? 0)) continue;
          const bytes = readAt(file, offset, 24);
          for (let i = 0; i < bytes.length; i++) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
          writeAt(file, offset, bytes);
          return;
        }
      }
      throw new Error('no b-tree page found');
    },
  },
  {
    name: 'a migration from a newer CertDesk',
    codes: ['DB_TOO_NEW'],
    message: /newer version of CertDesk.*Update CertDesk/,
    damage: (file) => rawExec(file, "INSERT INTO knex_migrations (name, batch, migration_time) VALUES ('999_from_a_newer_certdesk', 2, 0)"),
  },
];

async function openRefused(dataDir: string): Promise<DatabaseRefusedError> {
  let caught: unknown = null;
  try {
    const db = await openDatabase({ dataDir });
    await closeDatabase(db);
  } catch (err) {
    caught = err;
  }
  expect(caught, 'the database must be refused').toBeInstanceOf(DatabaseRefusedError);
  return caught as DatabaseRefusedError;
}

describe('a damaged or newer database', () => {
  for (const d of DAMAGES) {
    it(`${d.name}: refused, left byte-identical, no empty database in its place, the newest good backup offered and restorable`, async () => {
      const dir = copyFolder(template, 'certdesk-rel-damaged-');
      const file = databaseFile(dir);
      await d.damage(file);
      const hash = sha256(file);
      const before = listing(dir);

      const refused = await openRefused(dir);
      expect(d.codes).toContain(refused.code);
      expect(refused.file).toBe(file);
      expect(refused.message).toMatch(d.message);
      expect(refused.message.length).toBeLessThan(600);
      console.log(`corrupt: ${d.name} → ${refused.code}: ${refused.message}`);

      // Untouched, nothing created beside it (no new empty database, journal, WAL or backup).
      expect(sha256(file)).toBe(hash);
      expect(listingAfterReadOnlyLook(dir, before)).toEqual(before);
      // Refused again: not "repaired" into something else on the second try.
      expect((await openRefused(dir)).code).toBe(refused.code);
      expect(listingAfterReadOnlyLook(dir, before)).toEqual(before);

      // The newest good backup is offered, and it is good.
      const newest = listBackups(dir)[0];
      expect(path.basename(newest ?? '')).toBe(taken[taken.length - 1]);
      await expect(inspectDatabase(newest ?? '')).resolves.toBeDefined();

      // Restore by hand: copy the newest backup over the file.
      const byHand = copyFolder(dir, 'certdesk-rel-byhand-');
      fs.copyFileSync(newest ?? '', databaseFile(byHand));
      const counts = await countsOfDataDir(byHand);
      expect(counts).toEqual(countsAt.get(path.basename(newest ?? '')));

      // Restore as the app's refusal screen does: the refused file is moved aside byte-identical.
      const { movedAside } = await restoreBackup(dir, newest ?? '', new Date(BASE_NOW));
      expect(movedAside).not.toBeNull();
      expect(sha256(movedAside ?? '')).toBe(hash);
      expect(await countsOfDataDir(dir)).toEqual(counts);
      rowsChecked += Object.values(counts).reduce((a, b) => a + b, 0) * 2;
    });
  }
});

describe('edges of "damaged"', () => {
  // Found by this test and fixed in main (see the closing note of issue 7).
  it('a database truncated to zero bytes beside existing backups is refused, not opened as a new empty database', async () => {
    const dir = copyFolder(template, 'certdesk-rel-zero-');
    const file = databaseFile(dir);
    fs.truncateSync(file, 0);
    let opened: Db | null = null;
    try {
      opened = await openDatabase({ dataDir: dir });
    } catch (err) {
      expect(err).toBeInstanceOf(DatabaseRefusedError);
    }
    if (opened) {
      const contacts = (await opened('contacts').count({ n: '*' }).first()) as { n: number };
      await closeDatabase(opened);
      console.log(`corrupt: a zero-length database beside ${listBackups(dir).length} backups opened as a new database with ${contacts.n} contacts`);
    }
    expect(opened, 'a zero-length database beside backups must be refused').toBeNull();
    expect(fs.statSync(file).size).toBe(0);
  });
});

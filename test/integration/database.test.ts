/**
 * The database file itself (RELIABILITY.md promises 1–3): the pragmas are in
 * effect, data survives a reopen, a damaged or newer file is refused and left
 * byte-identical, history is append-only, backups are intact and rotated.
 */
import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { backupsFolder, BACKUPS_KEPT, listBackups, takeBackup } from '../../main/db/backup';
import { bulkUpdate } from '../../main/db/bulk-update';
import { closeDatabase, databaseFile, openDatabase, type Db } from '../../main/db/database';
import { DatabaseRefusedError } from '../../main/db/errors';
import { inspectDatabase } from '../../main/db/inspect';
import { MIGRATIONS } from '../../main/db/migrations';
import { SYSTEM } from '../../main/services/context';
import { enroll } from '../../main/services/records';
import { freshDb, keptListDataProblems, makeContact, makeProgram, removeDir, sha256, tempDir, type TestDb } from './support';
import { pageSizeOf } from '../support/files';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function track(t: Promise<TestDb>): Promise<TestDb> {
  const tdb = await t;
  cleanup.push(() => tdb.dispose());
  return tdb;
}

async function pragma(db: Db, name: string): Promise<unknown> {
  const rows = (await db.raw(`PRAGMA ${name}`)) as Array<Record<string, unknown>>;
  const first = rows[0];
  return first ? Object.values(first)[0] : undefined;
}

/** A closed database file with a program, a contact and a record in it. */
async function populatedFile(): Promise<{ dir: string; file: string }> {
  const t = await freshDb();
  const { program } = await makeProgram(t.ctx);
  for (let i = 0; i < 30; i++) {
    const contact = await makeContact(t.ctx);
    await enroll(t.ctx, SYSTEM, { contactId: contact.id, programId: program.id, source: 'back-office' });
  }
  await t.close();
  cleanup.push(() => removeDir(t.dir));
  return { dir: t.dir, file: t.file };
}

/** Opening must fail with a DatabaseRefusedError of one of `codes`. */
async function expectRefused(dir: string, codes: Array<DatabaseRefusedError['code']>): Promise<DatabaseRefusedError> {
  let caught: unknown = null;
  try {
    const db = await openDatabase({ dataDir: dir });
    await closeDatabase(db);
  } catch (err) {
    caught = err;
  }
  expect(caught, 'the database must be refused').toBeInstanceOf(DatabaseRefusedError);
  const refused = caught as DatabaseRefusedError;
  expect(codes).toContain(refused.code);
  expect(refused.file).toBe(databaseFile(dir));
  expect(refused.message.length).toBeGreaterThan(20);
  return refused;
}

function overwrite(file: string, offset: number, bytes: Buffer): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, bytes, 0, bytes.length, offset);
  fs.closeSync(fd);
}

/** Runs SQL on the file with a plain sqlite3 connection (not through CertDesk). */
function rawExec(file: string, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const handle = new sqlite3.Database(file, (openErr) => {
      if (openErr) return reject(openErr);
      handle.exec(sql, (err) => handle.close(() => (err ? reject(err) : resolve())));
    });
  });
}

describe('opening the database', () => {
  it('runs in WAL mode with synchronous=FULL, foreign keys on and a busy timeout of at least 5 s', async () => {
    const { db } = await track(freshDb());
    expect(String(await pragma(db, 'journal_mode')).toLowerCase()).toBe('wal');
    expect(Number(await pragma(db, 'synchronous'))).toBe(2);
    expect(Number(await pragma(db, 'foreign_keys'))).toBe(1);
    expect(Number(await pragma(db, 'busy_timeout'))).toBeGreaterThanOrEqual(5000);
  });

  it('enforces foreign keys and the status list in the file itself', async () => {
    const { db } = await track(freshDb());
    const now = new Date().toISOString();
    await expect(
      db('records').insert({ contact_id: 999, program_id: 999, status: 'In Progress', sort_name: 'x', created_at: now, updated_at: now }),
    ).rejects.toThrow(/FOREIGN KEY/i);
    const t = await track(freshDb());
    const { program } = await makeProgram(t.ctx);
    const contact = await makeContact(t.ctx);
    await expect(
      t.db('records').insert({ contact_id: contact.id, program_id: program.id, status: 'Done', sort_name: 'x', created_at: now, updated_at: now }),
    ).rejects.toThrow(/invalid status/);
  });

  it('refuses an unknown status among many records written at once, and keeps nothing of that write', async () => {
    // The writer's UPDATE keeps no statement journal (migration 020): a refused row stops the statement,
    // and the transaction around it, rolled back, leaves every record and count as it was.
    const t = await track(freshDb());
    const { program } = await makeProgram(t.ctx);
    const records = [];
    for (const name of ['Ames', 'Boyd', 'Cole'])
      records.push(await enroll(t.ctx, SYSTEM, { contactId: (await makeContact(t.ctx, name)).id, programId: program.id, source: 'back-office' }));
    const before = await t.db('records').orderBy('id').select('id', 'status', 'updated_at');
    const [first, second, third] = records.map((r) => r.id) as [number, number, number];
    await expect(
      t.db.transaction((trx) =>
        bulkUpdate(trx, 'records', [
          { id: first, status: 'Inactive', updated_at: 'x' },
          { id: second, status: 'Done', updated_at: 'x' },
          { id: third, status: 'Inactive', updated_at: 'x' },
        ]),
      ),
    ).rejects.toThrow(/invalid status/);
    expect(await t.db('records').orderBy('id').select('id', 'status', 'updated_at')).toEqual(before);
    expect(await keptListDataProblems(t.db)).toEqual([]);
    // The same write without the unknown status: every record moves, into a status the certification had no count for.
    await t.db.transaction((trx) =>
      bulkUpdate(
        trx,
        'records',
        [first, second, third].map((id) => ({ id, status: 'Inactive', updated_at: 'y' })),
      ),
    );
    expect(await t.db('record_counts').where({ program_id: program.id }).orderBy('status').select('status', 'n')).toEqual([
      { status: 'In Progress', n: 0 },
      { status: 'Inactive', n: 3 },
    ]);
    expect(await keptListDataProblems(t.db)).toEqual([]);
  });

  it('says the disk is full when it fills during a write of many records, and keeps nothing of that write', async () => {
    // Without a statement journal SQLite rolls the whole transaction back itself on a full disk; the
    // error that says so must reach staff, not the failure of the rollback that followed it.
    const t = await track(freshDb());
    const { program } = await makeProgram(t.ctx);
    const ids: number[] = [];
    for (let i = 0; i < 20; i++)
      ids.push((await enroll(t.ctx, SYSTEM, { contactId: (await makeContact(t.ctx, `Full${i}`)).id, programId: program.id, source: 'back-office' })).id);
    const before = await t.db('records').orderBy('id').select('id', 'status', 'notes');
    // No page more than the file has now: as a disk with no space left.
    await t.db.raw('PRAGMA max_page_count = 1');
    const failure = await t.db
      .transaction((trx) =>
        bulkUpdate(
          trx,
          'records',
          ids.map((id) => ({ id, status: 'Inactive', notes: 'n'.repeat(3000) })),
        ),
      )
      .then(
        () => null,
        (err: unknown) => err as { code?: string; message?: string },
      );
    await t.db.raw('PRAGMA max_page_count = 1073741823');
    expect(failure?.code).toBe('SQLITE_FULL');
    expect(failure?.message).toMatch(/full/i);
    expect(await t.db('records').orderBy('id').select('id', 'status', 'notes')).toEqual(before);
    expect(await keptListDataProblems(t.db)).toEqual([]);
  });

  it('keeps every row across a close and reopen, without migrating again or taking a backup', async () => {
    const t = await track(freshDb());
    const { program } = await makeProgram(t.ctx);
    const contact = await makeContact(t.ctx, 'Reopen');
    const record = await enroll(t.ctx, SYSTEM, { contactId: contact.id, programId: program.id, source: 'back-office' });
    await t.close();

    const db = await openDatabase({ dataDir: t.dir });
    try {
      const again = (await db('records').where({ id: record.id }).first()) as { status: string; contact_id: number } | undefined;
      expect(again?.status).toBe('In Progress');
      expect(again?.contact_id).toBe(contact.id);
      const c = (await db('contacts').where({ id: contact.id }).first()) as { last_name: string } | undefined;
      expect(c?.last_name).toBe('Reopen');
      const migrations = (await db('knex_migrations').select('name')) as Array<{ name: string }>;
      expect(migrations.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
      const settings = (await db('settings').where({ key: 'timeZone' }).first()) as { value: string } | undefined;
      expect(JSON.parse(settings?.value ?? 'null')).toBe('America/New_York');
      expect(Number(await pragma(db, 'foreign_keys'))).toBe(1);
      expect(String(await pragma(db, 'journal_mode')).toLowerCase()).toBe('wal');
    } finally {
      await closeDatabase(db);
    }
    expect(fs.existsSync(backupsFolder(t.dir))).toBe(false);
  });
});

describe('refusing a database CertDesk must not open', () => {
  it('refuses a database written by a newer CertDesk (DB_TOO_NEW) and leaves the file byte-identical', async () => {
    const { dir, file } = await populatedFile();
    await rawExec(file, "INSERT INTO knex_migrations (name, batch, migration_time) VALUES ('002_added_by_a_newer_certdesk', 2, 0)");
    const before = sha256(file);
    const sizeBefore = fs.statSync(file).size;

    const refused = await expectRefused(dir, ['DB_TOO_NEW']);
    expect(refused.message).toMatch(/newer version of CertDesk/);
    expect(refused.message).toContain('002_added_by_a_newer_certdesk');

    expect(sha256(file)).toBe(before);
    expect(fs.statSync(file).size).toBe(sizeBefore);
    expect(fs.existsSync(backupsFolder(dir))).toBe(false);
    // Refused every time, not "repaired" on the second try.
    await expectRefused(dir, ['DB_TOO_NEW']);
    expect(sha256(file)).toBe(before);
  });

  it('refuses a file whose first page is zeroed (DB_CORRUPT / DB_UNREADABLE) and leaves it untouched', async () => {
    const { dir, file } = await populatedFile();
    const pageSize = pageSizeOf(file);
    overwrite(file, 0, Buffer.alloc(pageSize, 0));
    const before = sha256(file);

    await expectRefused(dir, ['DB_CORRUPT', 'DB_UNREADABLE']);
    expect(sha256(file)).toBe(before);
    expect(fs.statSync(file).size).toBeGreaterThan(pageSize);
    expect(fs.existsSync(backupsFolder(dir))).toBe(false);
  });

  it('refuses a file whose first page is garbage and leaves it untouched', async () => {
    const { dir, file } = await populatedFile();
    const pageSize = pageSizeOf(file);
    const garbage = Buffer.alloc(pageSize);
    for (let i = 0; i < pageSize; i++) garbage[i] = (i * 7919 + 13) & 0xff;
    overwrite(file, 0, garbage);
    const before = sha256(file);

    await expectRefused(dir, ['DB_CORRUPT', 'DB_UNREADABLE']);
    expect(sha256(file)).toBe(before);
  });

  it('refuses a file with an intact header but a damaged b-tree page, and a truncated file', async () => {
    const { dir, file } = await populatedFile();
    const pageSize = pageSizeOf(file);
    // Page 2 is a b-tree page of the schema; its page-type byte and header become nonsense.
    overwrite(file, pageSize, Buffer.from([0x77, 0xff, 0xff, 0xff, 0xff, 0x77, 0x77, 0x77]));
    const flipped = sha256(file);
    await expectRefused(dir, ['DB_CORRUPT', 'DB_UNREADABLE']);
    expect(sha256(file)).toBe(flipped);

    const second = await populatedFile();
    const size = fs.statSync(second.file).size;
    fs.truncateSync(second.file, Math.floor(size / pageSize / 2) * pageSize);
    const truncated = sha256(second.file);
    await expectRefused(second.dir, ['DB_CORRUPT', 'DB_UNREADABLE']);
    expect(sha256(second.file)).toBe(truncated);
  });
});

describe('history is append-only', () => {
  it('refuses to update or delete a history row, and the row stays as written', async () => {
    const t = await track(freshDb());
    const { program } = await makeProgram(t.ctx);
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, SYSTEM, { contactId: contact.id, programId: program.id, source: 'application' });
    const row = (await t.db('record_history').where({ record_id: record.id }).first()) as Record<string, unknown> | undefined;
    expect(row).toBeDefined();

    await expect(t.db('record_history').where({ record_id: record.id }).update({ reason: 'rewritten' })).rejects.toThrow(/history is never edited/);
    await expect(t.db('record_history').where({ record_id: record.id }).update({ to_status: 'Active' })).rejects.toThrow(/history is never edited/);
    await expect(t.db('record_history').where({ record_id: record.id }).delete()).rejects.toThrow(/history is never deleted/);
    await expect(t.db.raw('DELETE FROM record_history')).rejects.toThrow(/history is never deleted/);

    const after = (await t.db('record_history').where({ record_id: record.id }).first()) as Record<string, unknown> | undefined;
    expect(after).toEqual(row);
  });
});

describe('backups', () => {
  it('takes an intact, complete copy under its final name and keeps only the newest few', async () => {
    const t = await track(freshDb());
    const { program } = await makeProgram(t.ctx);
    const contact = await makeContact(t.ctx);
    await enroll(t.ctx, SYSTEM, { contactId: contact.id, programId: program.id, source: 'back-office' });

    const first = await takeBackup(t.db, t.dir, 'manual test', new Date('2026-03-10T15:00:00Z'));
    expect(path.basename(first)).toBe('certdesk-20260310T150000-manual_test.sqlite');
    expect((await inspectDatabase(first)).migrations).toEqual(MIGRATIONS.map((m) => m.name));

    // The copy opens as a CertDesk database in its own folder with the same rows.
    const restoreDir = tempDir();
    cleanup.push(() => removeDir(restoreDir));
    fs.copyFileSync(first, databaseFile(restoreDir));
    const restored = await openDatabase({ dataDir: restoreDir });
    try {
      for (const table of ['contacts', 'programs', 'components', 'records', 'record_history', 'change_log']) {
        expect(await restored(table).select('*').orderBy('rowid'), table).toEqual(await t.db(table).select('*').orderBy('rowid'));
      }
    } finally {
      await closeDatabase(restored);
    }

    for (let i = 1; i <= BACKUPS_KEPT + 2; i++) {
      await takeBackup(t.db, t.dir, 'rotation', new Date(Date.UTC(2026, 2, 10, 16, i)));
    }
    const kept = listBackups(t.dir);
    expect(kept).toHaveLength(BACKUPS_KEPT);
    expect(path.basename(kept[0] ?? '')).toBe(`certdesk-20260310T16${String(BACKUPS_KEPT + 2).padStart(2, '0')}00-rotation.sqlite`);
    expect([...kept].sort().reverse()).toEqual(kept);
    expect(fs.readdirSync(backupsFolder(t.dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

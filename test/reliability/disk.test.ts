/**
 * RELIABILITY.md promises 1 and 4 on a nearly full disk: a write that needs
 * more space than is left fails with a message naming disk space, commits
 * nothing, leaves the file intact, and the same operation succeeds once space
 * is freed, without restarting the app.
 *
 * The data folder (database, backups, lock and run log) and the sync folder
 * live on a small tmpfs this test mounts (root required); without it the test
 * prints SKIPPED and why.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../../main/backend';
import { closeDatabase, openDatabase, type Db } from '../../main/db/database';
import type { Envelope } from '../../main/ipc/contract';
import { applyContactsCsv } from '../../main/import/contacts-csv';
import { SYSTEM } from '../../main/services/context';
import { loadDemoData } from '../../main/services/demo';
import { writeSettings } from '../../main/services/settings';
import { createUser } from '../../main/services/users';
import { exportChanges } from '../../main/sync/export';
import { SyncError } from '../../main/sync/errors';
import { parseBatchName, TEMP_PREFIX } from '../../main/sync/format';
import { readCheckpoint } from '../../main/sync/state';
import { verifyFolder } from '../../main/sync/verify';
import { appTables, BASE_NOW, checkpointAndClose, integrityOk, maxSeq, OFFICE_TZ, removeDir, tempDir } from './support';

const MOUNT_SIZE = '6m';
const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
const REASON = 'Programme withdrawn (disk test)';

let mountDir = '';
let mounted = false;
let skipReason: string | null = null;
let dataDir = '';
let syncDir = '';
let filler = '';
let backend: Backend | null = null;
const messages: string[] = [];
let bulkError: { code: string; message: string } | null = null;

function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

function freeFiller(): void {
  fs.rmSync(filler, { force: true });
}

/** Fills the mount until only about `leave` bytes are free. */
function fillLeaving(leave: number): number {
  freeFiller();
  const size = Math.max(0, freeBytes(mountDir) - leave);
  const fd = fs.openSync(filler, 'w');
  try {
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    let written = 0;
    while (written < size) {
      const n = Math.min(chunk.length, size - written);
      written += fs.writeSync(fd, chunk, 0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
  return freeBytes(mountDir);
}

/** Every app table's rows, hashed: equal digests mean nothing was committed. */
async function digest(db: Db, skip: readonly string[] = []): Promise<string> {
  const hash = crypto.createHash('sha256');
  for (const table of await appTables(db)) {
    if (skip.includes(table)) continue;
    hash.update(table);
    // Sorted here: some tables are WITHOUT ROWID.
    const rows = ((await db(table).select('*')) as unknown[]).map((r) => JSON.stringify(r)).sort();
    hash.update(rows.join('\n'));
  }
  return hash.digest('hex');
}

function db(): Db {
  if (!backend) throw new Error('no backend');
  return backend.context.services.db;
}

beforeAll(async () => {
  mountDir = tempDir('certdesk-rel-disk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${MOUNT_SIZE}`, 'tmpfs', mountDir], { stdio: 'pipe' });
    mounted = true;
  } catch (err) {
    skipReason = `mount -t tmpfs failed (${(err as Error).message.split('\n')[0] ?? ''}); a nearly full disk needs root and a mountable tmpfs`;
    console.log(`SKIPPED disk.test.ts: ${skipReason}`);
    return;
  }
  dataDir = path.join(mountDir, 'data');
  syncDir = path.join(mountDir, 'sync');
  filler = path.join(mountDir, 'filler.bin');
  fs.mkdirSync(syncDir);
  const clock = { now: () => new Date(BASE_NOW) };
  const setup = await openDatabase({ dataDir, now: clock.now });
  await writeSettings(setup, { timeZone: OFFICE_TZ, expiringDays: 30 });
  await createUser({ db: setup, clock }, { ...ADMIN, displayName: 'Admin', role: 'admin' });
  await loadDemoData({ db: setup, clock }, SYSTEM, { contacts: 150, seed: 11 });
  await checkpointAndClose(setup);
  backend = await startBackend({ dataDir, version: '0.1.0-test', clock });
  const signedIn = await backend.invoke('auth.signIn', ADMIN);
  expect(signedIn.ok).toBe(true);
  console.log(
    `disk: tmpfs of ${MOUNT_SIZE} at ${mountDir}, database ${fs.statSync(path.join(dataDir, 'certdesk.sqlite')).size} bytes, ${freeBytes(mountDir)} bytes free`,
  );
}, 60_000);

afterAll(async () => {
  if (backend) await backend.close();
  if (mounted) {
    try {
      execFileSync('umount', [mountDir], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', mountDir], { stdio: 'pipe' });
    }
  }
  removeDir(mountDir);
  if (messages.length > 0) console.log(`disk: messages given on a full disk:\n${messages.map((m) => `  ${m}`).join('\n')}`);
});

describe('a nearly full disk', () => {
  it('a bulk status change that needs more space fails naming disk space, commits nothing, and works once space is freed', async (t) => {
    if (skipReason !== null) return t.skip(skipReason);
    const ids = ((await db()('records').whereNotIn('status', ['Cancelled', 'Expired']).select('id')) as Array<{ id: number }>).map((r) => r.id);
    expect(ids.length).toBeGreaterThan(100);
    // An empty WAL: the change needs new blocks rather than reusing old WAL frames.
    await db().raw('PRAGMA wal_checkpoint(TRUNCATE)');
    const before = await digest(db());
    const left = fillLeaving(24 * 1024);
    expect(left).toBeLessThan(64 * 1024);

    const failed = (await backend?.invoke('records.bulkSetStatus', { selection: { kind: 'ids', ids }, to: 'Cancelled', reason: REASON })) as Envelope<unknown>;
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    messages.push(`records.bulkSetStatus → ${failed.error.code}: ${failed.error.message}`);
    bulkError = failed.error;
    expect(failed.error.message).toMatch(/disk|space|full/i);

    // Nothing committed, the file intact, the connection still usable.
    expect(await digest(db())).toBe(before);
    expect(await integrityOk(db())).toBe('ok');

    freeFiller();
    const done = (await backend?.invoke('records.bulkSetStatus', { selection: { kind: 'ids', ids }, to: 'Cancelled', reason: REASON })) as Envelope<{
      changed: number;
      refused: unknown[];
    }>;
    expect(done.ok ? { changed: done.value.changed, refused: done.value.refused.length } : done.error).toEqual({ changed: ids.length, refused: 0 });
    const cancelled = await db()('records').whereIn('id', ids).where('status', 'Cancelled').count({ n: '*' }).first<{ n: number }>();
    expect(Number(cancelled.n)).toBe(ids.length);
    expect(await integrityOk(db())).toBe('ok');
  });

  it('a sync export that needs more space fails with DISK_FULL naming the folder, moves no checkpoint, leaves no batch, and works once space is freed', async (t) => {
    if (skipReason !== null) return t.skip(skipReason);
    const max = await maxSeq(db());
    await db().raw('PRAGMA wal_checkpoint(TRUNCATE)');
    const before = await digest(db(), ['settings']);
    const checkpoint = await readCheckpoint(db());
    // Room for the export's own small database writes (device id), not for a batch of every change.
    fillLeaving(160 * 1024);

    let caught: unknown = null;
    try {
      await exportChanges({ db: db(), dataDir, folder: syncDir, now: () => new Date(BASE_NOW) });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SyncError);
    const error = caught as SyncError;
    messages.push(`exportChanges → ${error.code}: ${error.message}`);
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toMatch(/full/i);
    expect(error.message).toContain(syncDir);

    expect(await readCheckpoint(db())).toBe(checkpoint);
    expect(await digest(db(), ['settings'])).toBe(before);
    const names = fs.readdirSync(syncDir);
    expect(
      names.filter((n) => parseBatchName(n) !== null),
      'no batch under a final name',
    ).toEqual([]);
    expect(
      names.filter((n) => n.startsWith(TEMP_PREFIX)),
      'no half-written temporary batch left',
    ).toEqual([]);
    expect(await integrityOk(db())).toBe('ok');

    freeFiller();
    const result = await exportChanges({ db: db(), dataDir, folder: syncDir, now: () => new Date(BASE_NOW) });
    expect(result.toSeq).toBe(max);
    expect(await readCheckpoint(db())).toBe(max);
    const report = await verifyFolder(syncDir);
    expect(report.problems).toEqual([]);
    // Every email was exported; one withdrawn earlier (the bulk change cancelled its record) stays withdrawn.
    const queued = await db()('outbox').where('state', 'queued').count({ n: '*' }).first<{ n: number }>();
    expect(Number(queued.n)).toBe(0);
  });

  it('a contacts CSV import that needs more space is refused naming disk space, commits nothing, and works once space is freed', async (t) => {
    if (skipReason !== null) return t.skip(skipReason);
    const rows = ['First name,Last name,Email,Member number'];
    for (let i = 0; i < 3000; i++) rows.push(`Disk${i},Import ${i} Zoë,disk${i}@example.org,D${i}`);
    const text = `${rows.join('\n')}\n`;
    const ctx = { db: db(), clock: { now: () => new Date(BASE_NOW) } };
    await db().raw('PRAGMA wal_checkpoint(TRUNCATE)');
    const before = await digest(db());
    fillLeaving(24 * 1024);
    let caught: unknown = null;
    try {
      await applyContactsCsv(ctx, SYSTEM, { text });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(Error);
    const error = caught as Error & { code?: string };
    messages.push(`applyContactsCsv → ${error.code ?? error.name}: ${error.message}`);
    expect(error.message).toMatch(/disk|space|full/i);
    expect(await digest(db())).toBe(before);
    expect(await integrityOk(db())).toBe('ok');

    freeFiller();
    const result = await applyContactsCsv(ctx, SYSTEM, { text });
    expect(result.rows).toMatchObject({ new: 3000, rejected: 0 });
    expect(await integrityOk(db())).toBe('ok');
  });

  it('a CSV export that runs out of space fails in words naming the folder (no ENOSPC), leaves no partial file, and works once space is freed', async (t) => {
    if (skipReason !== null) return t.skip(skipReason);
    const exportsDir = path.join(dataDir, 'exports');
    type Job = { id: string; state: string; message: string };
    const valueOf = (e: Envelope<unknown>): Job => {
      if (!e.ok) throw new Error(e.error.message);
      return e.value as Job;
    };
    const run = async (): Promise<Job> => {
      let job = valueOf(
        (await backend?.invoke('tracking.exportCsv', { quick: { kind: 'all' }, sort: { column: 'contactName', direction: 'asc' } })) as Envelope<unknown>,
      );
      while (job.state === 'running') {
        await new Promise((r) => setTimeout(r, 20));
        job = valueOf((await backend?.invoke('jobs.get', { id: job.id })) as Envelope<unknown>);
      }
      return job;
    };
    fillLeaving(2 * 1024);
    const failed = await run();
    messages.push(`tracking.exportCsv → ${failed.state}: ${failed.message}`);
    expect(failed.state).toBe('failed');
    expect(failed.message).toMatch(/disk .*full/i);
    expect(failed.message).toContain(exportsDir);
    expect(failed.message).not.toMatch(/ENOSPC|SQLITE_|Error:/);
    expect(fs.existsSync(exportsDir) ? fs.readdirSync(exportsDir).filter((f) => f.endsWith('.partial')) : []).toEqual([]);
    freeFiller();
    expect((await run()).state).toBe('done');
  });

  // Found by this test and fixed in main (see the closing note of issue 7).
  it('a write refused for lack of disk space says so in words staff can act on', (t) => {
    if (skipReason !== null || !bulkError) return t.skip(skipReason ?? 'the bulk test did not run');
    expect(bulkError.code).not.toBe('INTERNAL');
    expect(bulkError.message).not.toMatch(/SQLITE_|COMMIT;/);
    expect(bulkError.message).toMatch(/free/i);
  });

  it('after all of them, the database closes and reopens intact', async (t) => {
    if (skipReason !== null || !backend) return t.skip(skipReason ?? 'no backend');
    await backend.close();
    backend = null;
    const reopened = await openDatabase({ dataDir });
    try {
      expect(await integrityOk(reopened)).toBe('ok');
      expect(await reopened.raw('PRAGMA foreign_key_check')).toEqual([]);
    } finally {
      await closeDatabase(reopened);
    }
  });
});

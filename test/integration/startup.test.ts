/**
 * Start-up behind the gate (main/startup.ts), on a real SQLite file: the file is
 * opened and the list answers first; quick_check, the daily backup and the sweep
 * (with its progress) run after, in the background. `startup.status` answers
 * while the backend starts, other calls wait for it. A refused database — at
 * open, or damage the background check finds — is reported with its newest
 * backup, which `startup.restoreBackup` puts back and opens.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../../main/backend';
import { listBackups, takeBackup } from '../../main/db/backup';
import sqlite3 from 'sqlite3';
import { databaseFile } from '../../main/db/database';
import { DAMAGED_FILE, failureInWords } from '../../main/db/error-words';
import { checkDatabase } from '../../main/db/inspect';
import { SYSTEM } from '../../main/services/context';
import { loadDemoData } from '../../main/services/demo';
import { createUser } from '../../main/services/users';
import { startGated, StartupReporter, type StartupStatus } from '../../main/startup';
import { damageTablePage, pageSizeOf } from '../support/files';
import { removeDir, sha256, TEST_PASSWORD_COST, TestClock, tempDir } from './support';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

let template: string | null = null;

/** A fresh copy of a data folder holding the demo data, dated 2026-06-15 (made once). */
async function demoFolder(): Promise<string> {
  if (!template) {
    template = tempDir('certdesk-startup-template-');
    dirs.push(template);
    const backend = await startBackend({ dataDir: template, version: 'test', clock: new TestClock('2026-06-15T12:00:00Z') });
    await loadDemoData(backend.context.services, SYSTEM);
    await backend.close();
  }
  const dataDir = tempDir('certdesk-startup-');
  dirs.push(dataDir);
  fs.cpSync(template, dataDir, { recursive: true });
  return dataDir;
}

const LIST = { quick: { kind: 'all' }, sort: { column: 'contactName', direction: 'asc' }, page: 1, pageSize: 50 };

/** The real quick_check, held until the test releases it: shows what answers while it runs. */
function heldCheck() {
  let release = () => undefined as void;
  let started = () => undefined as void;
  const held = new Promise<void>((r) => (release = r));
  const state = {
    started: new Promise<void>((r) => (started = r)),
    finished: false,
    release: () => release(),
    run: async (file: string) => {
      started();
      await held;
      try {
        await checkDatabase(file);
      } finally {
        state.finished = true;
      }
    },
  };
  return state;
}

async function signIn(backend: Backend): Promise<void> {
  backend.context.session.user = await createUser(backend.context.services, {
    username: 'avery',
    displayName: 'Avery Admin',
    role: 'admin',
    password: 'correct horse battery',
  });
}

describe('start-up gate', () => {
  it('opens the database and answers the list first; then checks it, takes the daily backup and sweeps in the background, with progress', async () => {
    const dataDir = await demoFolder();
    // Two years later many records must move: the sweep has work to report, and a daily backup is due.
    const clock = new TestClock('2028-06-15T12:00:00Z');
    const seen: StartupStatus[] = [];
    const reporter = new StartupReporter();
    reporter.onChange((s) => seen.push(s));
    const check = heldCheck();
    const gate = startGated({
      dataDir,
      reporter,
      start: (r) => startBackend({ dataDir, version: 'test', clock, startup: r, check: check.run, passwordCost: TEST_PASSWORD_COST }),
    });
    const backupsBefore = listBackups(dataDir).length;

    // Asked at once: answered while the backend is still starting; app.info waits for it.
    const first = await gate.invoke('startup.status', {});
    expect(first).toMatchObject({ ok: true, value: { plan: ['Opening the database'] } });
    expect((first as { value: StartupStatus }).value.phase).not.toBe('ready');
    const info = await gate.invoke('app.info', {});
    expect(info).toMatchObject({ ok: true, value: { needsFirstAdmin: true } });
    expect(gate.reporter.status.phase).toBe('ready');

    // The check has started and is held: the list answers meanwhile, and no backup is taken before it.
    await check.started;
    await signIn(gate.backend() as Backend);
    const list = await gate.invoke('tracking.list', LIST);
    expect(list).toMatchObject({ ok: true, value: { total: expect.any(Number) } });
    expect((list as { value: { total: number } }).value.total).toBeGreaterThan(0);
    expect(check.finished).toBe(false);
    expect(gate.reporter.status).toMatchObject({ phase: 'ready', background: { step: 'check', message: 'Checking the database' } });
    expect(listBackups(dataDir).length).toBe(backupsBefore);

    check.release();
    expect(await (gate.backend() as Backend).startupWork()).toBe(true);
    expect(check.finished).toBe(true);
    expect(gate.reporter.status.background).toBeNull();
    // The daily backup is still taken, after ready.
    expect(listBackups(dataDir).length).toBe(backupsBefore + 1);

    const phases = seen.map((s) => s.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['database', 'ready']);
    const steps = seen.map((s) => s.background?.step ?? null).filter((p, i, all) => p !== all[i - 1]);
    expect(steps).toEqual([null, 'check', 'backup', 'sweep', null]);
    expect(seen.filter((s) => s.background?.step && s.phase !== 'ready')).toEqual([]);
    const sweep = seen.filter((s) => s.background?.step === 'sweep' && s.background.total !== null).map((s) => s.background);
    expect(sweep.length).toBeGreaterThan(1);
    const total = sweep[0]?.total ?? 0;
    expect(total).toBeGreaterThan(0);
    expect(sweep.at(-1)).toMatchObject({ done: total, total });
    await gate.close();
  });

  it('a table page damaged: ready first, then the check finds it; every write refused with the sentence, nothing written, the backup offered', async () => {
    const dataDir = await demoFolder();
    const file = databaseFile(dataDir);
    damageTablePage(file);
    const clock = new TestClock('2026-06-17T12:00:00Z'); // a daily backup would be due
    const backupsBefore = listBackups(dataDir);
    const check = heldCheck();
    const gate = startGated({
      dataDir,
      now: () => clock.now(),
      start: (r) => startBackend({ dataDir, version: 'test', clock, startup: r, check: check.run, passwordCost: TEST_PASSWORD_COST }),
    });
    const backend = (await gate.whenReady()) as Backend;
    expect(backend).not.toBeNull();
    expect(gate.reporter.status.phase).toBe('ready');
    await check.started;
    await signIn(backend);

    check.release();
    expect(await backend.startupWork()).toBe(false);
    const status = gate.reporter.status;
    expect(status).toMatchObject({
      phase: 'refused',
      background: null,
      refused: { dataDir, newestBackup: expect.stringMatching(/\.sqlite$/), message: expect.stringMatching(/^The database file is damaged/) },
    });
    const sentence = status.refused?.message ?? '';
    const files = () => [file, `${file}-wal`].map((f) => (fs.existsSync(f) ? sha256(f) : null));
    const bytes = files();

    // Every call at the door is refused with the sentence; a write reaching the database is refused too.
    expect(await gate.invoke('tracking.list', LIST)).toEqual({ ok: false, error: { code: 'REFUSED', message: sentence } });
    expect(await gate.invoke('tracking.saveView', { name: 'Mine', view: {} })).toMatchObject({ ok: false, error: { code: 'REFUSED', message: sentence } });
    expect(await backend.invoke('auth.signOut', {})).toMatchObject({ ok: true });
    await expect(
      createUser(backend.context.services, { username: 'late', displayName: 'Late', role: 'staff', password: 'correct horse battery' }),
    ).rejects.toThrow(sentence);
    await expect(backend.context.services.db.raw("UPDATE settings SET value = value WHERE key = 'timeZone'")).rejects.toThrow(sentence);
    await expect(backend.scheduler.backupIfDue()).resolves.toBeNull();
    expect((await backend.scheduler.sweepNow())?.changed ?? 0).toBe(0); // a sweep with nothing to change reads only
    expect(files()).toEqual(bytes);
    // No backup was taken of the damaged file.
    expect(listBackups(dataDir)).toEqual(backupsBefore);

    // The backup offer works: the damaged file is closed, moved aside, and the backup opens.
    const restored = await gate.invoke('startup.restoreBackup', {});
    expect(restored).toMatchObject({ ok: true, value: { restored: status.refused?.newestBackup } });
    expect(await gate.whenReady()).not.toBeNull();
    expect(await gate.invoke('app.info', {})).toMatchObject({ ok: true });
    await gate.close();
  });

  it('refuses calls while the database is refused, names the newest backup, and opens it after restoreBackup', async () => {
    const dataDir = await demoFolder();
    const clock = new TestClock('2026-06-16T12:00:00Z');
    const opened = await startBackend({ dataDir, version: 'test', clock });
    const backup = await takeBackup(opened.context.services.db, dataDir, 'daily', clock.now());
    await opened.close();
    // Page 1 zeroed: SQLite cannot read the file.
    const fd = fs.openSync(databaseFile(dataDir), 'r+');
    fs.writeSync(fd, Buffer.alloc(4096), 0, 4096, 0);
    fs.closeSync(fd);

    const gate = startGated({ dataDir, now: () => clock.now(), start: (r) => startBackend({ dataDir, version: 'test', clock, startup: r }) });
    expect(await gate.whenReady()).toBeNull();
    const status = await gate.invoke('startup.status', {});
    expect(status).toMatchObject({
      ok: true,
      value: { phase: 'refused', refused: { dataDir, newestBackup: backup.split(/[\\/]/).at(-1), message: expect.stringMatching(/database/i) } },
    });
    expect(await gate.invoke('app.info', {})).toMatchObject({ ok: false, error: { code: 'REFUSED' } });

    const restored = await gate.invoke('startup.restoreBackup', {});
    expect(restored).toMatchObject({ ok: true, value: { restored: backup.split(/[\\/]/).at(-1), movedAside: expect.any(String) } });
    expect(fs.existsSync((restored as { value: { movedAside: string } }).value.movedAside)).toBe(true);
    expect(await gate.whenReady()).not.toBeNull();
    expect(await gate.invoke('app.info', {})).toMatchObject({ ok: true, value: { needsFirstAdmin: true } });
    // Once open, there is nothing to restore.
    expect(await gate.invoke('startup.restoreBackup', {})).toMatchObject({ ok: false, error: { code: 'REFUSED' } });
    await gate.close();
  });

  it('damage found in the background: the screen says it in a sentence, and closing writes nothing into the damaged file (its WAL stays beside it)', async () => {
    const dataDir = await demoFolder();
    const file = databaseFile(dataDir);
    damageTablePage(file);
    const clock = new TestClock('2026-06-15T13:00:00Z');
    const check = heldCheck();
    const gate = startGated({
      dataDir,
      now: () => clock.now(),
      start: (r) => startBackend({ dataDir, version: 'test', clock, startup: r, check: check.run, passwordCost: TEST_PASSWORD_COST }),
    });
    const backend = (await gate.whenReady()) as Backend;
    await check.started;
    // Written before the check finished: committed to the WAL, which a checkpoint would copy into the damaged file.
    await signIn(backend);
    check.release();
    expect(await backend.startupWork()).toBe(false);
    const refused = gate.reporter.status.refused;
    expect(refused).toMatchObject({ kind: 'damaged', message: DAMAGED_FILE, newestBackup: expect.stringMatching(/\.sqlite$/) });
    // quick_check's own findings ("*** in database main *** Tree 12 page 40: …") are for the log only.
    expect(refused?.message).not.toMatch(/SQLITE_|\*\*\*|page \d|error code/i);
    const wal = `${file}-wal`;
    expect(fs.statSync(wal).size).toBeGreaterThan(0);
    const bytes = { file: sha256(file), wal: sha256(wal) };

    await gate.close();
    expect(sha256(file), 'the damaged file was written to when CertDesk closed').toBe(bytes.file);
    expect(fs.existsSync(wal) ? sha256(wal) : null, 'the WAL holds what was written before the damage was found').toBe(bytes.wal);
  });

  it("a file whose schema page is damaged is refused at open in a sentence; SQLite's own error from such a file becomes the same sentence", async () => {
    const dataDir = await demoFolder();
    const file = databaseFile(dataDir);
    // Page 1 past the 100-byte file header: the schema's b-tree. The header still says SQLite.
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSizeOf(file) - 100), 0, pageSizeOf(file) - 100, 100);
    fs.closeSync(fd);
    const before = sha256(file);

    const gate = startGated({ dataDir, start: (r) => startBackend({ dataDir, version: 'test', clock: new TestClock('2026-06-15T13:00:00Z'), startup: r }) });
    expect(await gate.whenReady()).toBeNull();
    const refused = gate.reporter.status.refused;
    expect(refused).toMatchObject({ kind: 'damaged', message: DAMAGED_FILE, newestBackup: expect.stringMatching(/\.sqlite$/) });
    expect(refused?.message).not.toMatch(/SQLITE_|malformed|Error:/);
    await gate.close();
    expect(sha256(file)).toBe(before);

    // What a call reading a broken page gets from SQLite, at the door in the same words.
    const raw = await new Promise<unknown>((resolve) => {
      const handle = new sqlite3.Database(file, sqlite3.OPEN_READONLY, () =>
        handle.all('SELECT name FROM sqlite_master', (err) => handle.close(() => resolve(err))),
      );
    });
    expect(String(raw)).toMatch(/SQLITE_CORRUPT|SQLITE_NOTADB/);
    expect(failureInWords(raw, { dataDir })).toEqual({ kind: 'damaged', message: DAMAGED_FILE });
  });
});

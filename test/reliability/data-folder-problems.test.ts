/**
 * Issue 16 §4 and §7: a data folder CertDesk cannot use is said in words staff
 * can act on (which folder, what to do) — never SQL text, an errno or a stack —
 * and a permissions problem or another CertDesk on the folder is not "a
 * damaged database": no backup is offered. Real files and real processes:
 * a read-only bind mount of the folder or of the database file (the tests run
 * as root, so chmod would not stop them), a second node process holding the
 * folder's lock, another holding SQLite's write lock.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../../main/backend';
import { takeBackup } from '../../main/db/backup';
import { closeDatabase, databaseFile, openDatabase } from '../../main/db/database';
import type { Envelope } from '../../main/ipc/contract';
import { startGated, type StartupGate } from '../../main/startup';
import { removeDir, tempDir } from './support';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NOW = () => new Date('2026-03-10T15:00:00Z');
const mounts: string[] = [];
const dirs: string[] = [];
const children: ChildProcess[] = [];
const gates: StartupGate[] = [];
const RAW = /SQLITE_|ENOENT|EACCES|EROFS|ENOSPC|Error:|\bat .*\.ts:|INSERT|UPDATE|CREATE/;

afterEach(async () => {
  for (const g of gates.splice(0)) await g.close();
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const m of mounts.splice(0)) execFileSync('umount', ['-l', m], { stdio: 'pipe' });
});
afterAll(() => dirs.forEach(removeDir));

/** A data folder with a database, a user and a backup (so a wrong "restore the backup" offer would show). */
async function dataFolder(): Promise<string> {
  const dir = tempDir('certdesk-folder-');
  dirs.push(dir);
  const db = await openDatabase({ dataDir: dir, now: NOW });
  await takeBackup(db, dir, 'daily', NOW());
  await closeDatabase(db);
  return dir;
}

function readOnlyBind(target: string): string | null {
  try {
    execFileSync('mount', ['--bind', target, target], { stdio: 'pipe' });
    mounts.push(target);
    execFileSync('mount', ['-o', 'remount,bind,ro', target], { stdio: 'pipe' });
    return null;
  } catch (err) {
    const reason = `read-only bind mount failed (${(err as Error).message.split('\n')[0] ?? ''}); needs root`;
    console.log(`SKIPPED data-folder-problems: ${reason}`);
    return reason;
  }
}

function gate(dataDir: string): StartupGate {
  const g = startGated({ dataDir, now: NOW, start: (reporter) => startBackend({ dataDir, version: 'test', clock: { now: NOW }, startup: reporter }) });
  gates.push(g);
  return g;
}

async function refusedAtStart(dataDir: string) {
  const g = gate(dataDir);
  expect(await g.whenReady()).toBeNull();
  const refused = g.reporter.status.refused;
  expect(refused).not.toBeNull();
  return refused!;
}

describe('start-up on a folder CertDesk cannot use', () => {
  it('a read-only data folder: a permissions sentence naming the folder, not "damaged", no backup offered', async (t) => {
    const dir = await dataFolder();
    const skip = readOnlyBind(dir);
    if (skip) return t.skip(skip);
    const refused = await refusedAtStart(dir);
    console.log(`read-only folder → ${refused.kind}: ${refused.message}`);
    expect(refused.kind).toBe('access');
    expect(refused.message).toContain(dir);
    expect(refused.message).toMatch(/read-only|permission/);
    expect(refused.message).not.toMatch(/damaged/i);
    expect(refused.message).not.toMatch(RAW);
    expect(refused.newestBackup).toBeNull();
  });

  it('a second CertDesk on the same folder (another process holds it): refused with the sentence, no backup offered', async () => {
    const dir = await dataFolder();
    const holder = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/support/lock-child.ts'), dir], { stdio: 'pipe', cwd: ROOT });
    children.push(holder);
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const refused = await refusedAtStart(dir);
    console.log(`second instance → ${refused.kind}: ${refused.message}`);
    expect(refused.kind).toBe('in-use');
    expect(refused.message).toContain(`CertDesk is already open on the data folder ${dir}`);
    expect(refused.newestBackup).toBeNull();
  });
});

describe('a write CertDesk cannot make, in words', () => {
  async function started(dir: string): Promise<Backend> {
    const g = gate(dir);
    const backend = await g.whenReady();
    expect(backend, JSON.stringify(g.reporter.status.refused)).not.toBeNull();
    return backend!;
  }
  const firstAdmin = (b: Backend) =>
    b.invoke('auth.createFirstAdmin', { username: 'ada', displayName: 'Ada Admin', password: 'correct horse battery', loadDemoData: false }) as Promise<
      Envelope<unknown>
    >;

  it('two processes on one database: a write kept waiting past the busy timeout says who to close, not SQLITE_BUSY', async () => {
    const dir = await dataFolder();
    const backend = await started(dir);
    // Another process takes SQLite's write lock and keeps it.
    const other = spawn(
      process.execPath,
      [
        '-e',
        `const s=require('sqlite3');const d=new s.Database(${JSON.stringify(databaseFile(dir))});d.exec('BEGIN IMMEDIATE',(e)=>{console.log(e?String(e):'held')});setTimeout(()=>{},60000)`,
      ],
      { stdio: 'pipe', cwd: ROOT },
    );
    children.push(other);
    expect(await new Promise<string>((resolve) => other.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())))).toBe('held');
    const failed = await firstAdmin(backend);
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    console.log(`busy → ${failed.error.code}: ${failed.error.message}`);
    expect(failed.error.message).toContain(dir);
    expect(failed.error.message).toMatch(/Another program is using the database/);
    expect(failed.error.message).not.toMatch(RAW);
    other.kill('SIGKILL');
    await new Promise((r) => other.once('exit', r));
    expect((await firstAdmin(backend)).ok).toBe(true);
  }, 30_000);

  it('a read-only database file: refused in words naming the folder (at start, or at the first write), not SQL text, no backup offered', async (t) => {
    const dir = await dataFolder();
    const skip = readOnlyBind(databaseFile(dir));
    if (skip) return t.skip(skip);
    const g = gate(dir);
    const backend = await g.whenReady();
    let message: string;
    if (backend) {
      const failed = await firstAdmin(backend);
      expect(failed.ok).toBe(false);
      message = failed.ok ? '' : failed.error.message;
    } else {
      expect(g.reporter.status.refused?.kind).toBe('access');
      expect(g.reporter.status.refused?.newestBackup).toBeNull();
      message = g.reporter.status.refused?.message ?? '';
    }
    console.log(`read-only file (${backend ? 'first write' : 'start-up'}) → ${message}`);
    expect(message).toContain(dir);
    expect(message).toMatch(/read-only|permission/);
    expect(message).not.toMatch(RAW);
  });
});

describe('the sentences for what a root test cannot cause', () => {
  it('EACCES (an unreadable file) names the folder and what to do', async () => {
    const { failureInWords } = await import('../../main/db/error-words');
    const err = Object.assign(new Error("EACCES: permission denied, open '/srv/certdesk/certdesk.sqlite'"), { code: 'EACCES' });
    const words = failureInWords(err, { dataDir: '/srv/certdesk' });
    expect(words).toEqual({ kind: 'access', message: expect.stringContaining('/srv/certdesk') as string });
    expect(words?.message).toMatch(/permission/);
    expect(words?.message).not.toMatch(RAW);
  });
});

/**
 * One CertDesk per data folder (issue 16 §7): a second process on the same
 * folder is refused with a sentence naming the folder and the holder; a lock
 * left by a process that died is taken over; a normal exit leaves no lock.
 * Real processes: each test spawns node children that take the lock.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderInUseError, LOCK_FILE, lockDataFolder } from '../../main/db/folder-lock';

const CHILD = path.resolve(import.meta.dirname, '../support/lock-child.ts');
const children: ChildProcessWithoutNullStreams[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-lock-'));
  dirs.push(dir);
  return dir;
}

interface Said {
  locked?: boolean;
  pid?: number;
  refused?: string;
  error?: string;
}

/** Starts a child on `dir`; resolves with its first line and the process (still running when it holds the lock). */
function child(
  dir: string,
  then: 'hold' | 'exit' | 'crash' = 'hold',
): Promise<{ said: Said; proc: ChildProcessWithoutNullStreams; exited: Promise<number | null> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, then], { stdio: 'pipe' });
  children.push(proc);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ said: JSON.parse(line) as Said, proc, exited });
    });
    proc.on('exit', (code) => {
      if (!out.includes('\n')) reject(new Error(`child exited ${code} without a word: ${err}`));
    });
  });
}

describe('the data folder lock', () => {
  it('a second process on the same folder is refused with a sentence naming the folder and the first process; it gets the folder once the first closes', async () => {
    const dir = folder();
    const first = await child(dir);
    expect(first.said.locked).toBe(true);
    const holder = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as { pid: number; host: string };
    expect(holder).toMatchObject({ pid: first.proc.pid, host: os.hostname() });

    const second = await child(dir);
    expect(second.said.refused).toContain(`CertDesk is already open on the data folder ${dir}`);
    expect(second.said.refused).toContain(`process ${first.proc.pid}`);
    expect(await second.exited).toBe(3);
    // This process too.
    expect(() => lockDataFolder(dir)).toThrow(FolderInUseError);

    first.proc.stdin.end();
    expect(await first.exited).toBe(0);
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    const third = await child(dir);
    expect(third.said.locked).toBe(true);
  });

  it('another folder is not affected', async () => {
    const first = await child(folder());
    const other = await child(folder());
    expect([first.said.locked, other.said.locked]).toEqual([true, true]);
  });

  it('a lock left by a process that was killed is taken over', async () => {
    const dir = folder();
    const crashed = await child(dir, 'crash');
    expect(crashed.said.locked).toBe(true);
    await crashed.exited;
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(true);
    const next = await child(dir);
    expect(next.said.locked).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: next.proc.pid });
  });

  it('a lock held from another computer is refused (its process cannot be checked from here) and says how to clear it', () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 4242, host: 'front-desk-2', since: '2026-12-01T08:00:00.000Z' }));
    expect(() => lockDataFolder(dir)).toThrow(/on the computer front-desk-2.*delete .*certdesk\.lock/);
  });

  it('release removes only our own lock, and a normal exit leaves none', async () => {
    const dir = folder();
    const lock = lockDataFolder(dir);
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(false);
    const exited = await child(dir, 'exit');
    expect(exited.said.locked).toBe(true);
    await exited.exited;
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });
});

/**
 * One CertDesk per data folder. Electron's single-instance lock covers one
 * user's profile only; a data folder shared on a network drive or given by
 * CERTDESK_DATA_DIR needs its own lock, so the folder holds `certdesk.lock`
 * (pid, host, when). A second CertDesk on the folder is refused with a
 * sentence; a lock left by a process that no longer runs on this computer is
 * taken over. Plain Node: no Electron, no database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from './process-alive';

export const LOCK_FILE = 'certdesk.lock';

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

/** The data folder is in use by another CertDesk: nothing was opened or changed. */
export class FolderInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      holder.host === os.hostname()
        ? `CertDesk is already open on the data folder ${dataDir} (process ${holder.pid}, since ${holder.since}). Use that window, or close it and start CertDesk again.`
        : `CertDesk is already open on the data folder ${dataDir} on the computer ${holder.host} (since ${holder.since}). Close it there first. If that computer is off or CertDesk stopped there without closing, delete ${path.join(dataDir, LOCK_FILE)} and start again.`,
    );
    this.name = 'FolderInUseError';
  }
}

export interface FolderLock {
  readonly file: string;
  /** Removes the lock if it is still ours (idempotent). */
  release(): void;
}

function readHolder(file: string): LockHolder | null {
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof data.pid === 'number' && typeof data.host === 'string' ? { pid: data.pid, host: data.host, since: String(data.since ?? '') } : null;
  } catch {
    return null;
  }
}

/** A lock nobody holds any more: its process is gone from this computer, or it was never written whole. */
function stale(holder: LockHolder | null, file: string): boolean {
  if (holder === null) {
    // Half written (a crash between create and write) — unless it was created this instant by a starting CertDesk.
    try {
      return Date.now() - fs.statSync(file).mtimeMs > 2000;
    } catch {
      return true;
    }
  }
  return holder.host === os.hostname() && holder.pid !== process.pid && !processAlive(holder.pid);
}

/** Takes the data folder's lock, or throws FolderInUseError naming who holds it. */
export function lockDataFolder(dataDir: string, now: () => Date = () => new Date()): FolderLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), since: now().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // O_EXCL: of two CertDesks starting at once, exactly one creates the file.
      const fd = fs.openSync(file, 'wx');
      try {
        fs.writeSync(fd, `${JSON.stringify(me)}\n`);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      return lockOf(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readHolder(file);
    if (holder && holder.pid === process.pid && holder.host === me.host) return lockOf(file);
    if (!stale(holder, file)) throw new FolderInUseError(dataDir, holder ?? { pid: 0, host: me.host, since: 'a moment ago' });
    // Take over a dead process's lock: move it aside atomically, so of two takers only one removes it.
    const aside = `${file}.stale-${process.pid}`;
    try {
      fs.renameSync(file, aside);
      fs.rmSync(aside, { force: true });
    } catch {
      // Another CertDesk took it over first; try again and meet its lock.
    }
  }
  const holder = readHolder(file);
  throw new FolderInUseError(dataDir, holder ?? { pid: 0, host: me.host, since: 'a moment ago' });
}

function lockOf(file: string): FolderLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    const holder = readHolder(file);
    if (holder && holder.pid === process.pid && holder.host === os.hostname()) fs.rmSync(file, { force: true });
  };
  // A normal exit leaves no lock behind; a crash leaves one that the next start takes over.
  process.on('exit', release);
  return { file, release };
}

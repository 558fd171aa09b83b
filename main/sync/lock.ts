/**
 * "Never two exports at once", for one data folder: a lock held in this
 * process, and a lock file beside the database for other processes (the app
 * and `npm run sync:export` on the same data folder). A lock file whose
 * process is gone (killed, crashed) is stale and taken over.
 *
 * Limits, and why they are harmless: a reused PID makes a stale lock look
 * held (the export says BUSY until that process ends); two processes taking
 * over the same stale lock at the same instant could both proceed, but they
 * write identical batches (a rename onto an existing batch is checked, not
 * repeated) and the checkpoint only moves from the value a run started from.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SyncError } from './errors';
import { processAlive } from '../db/process-alive';

export const LOCK_FILE = 'sync-export.lock';

const heldHere = new Set<string>();

function readLockPid(file: string): number | null {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Takes the export lock of `dataDir` or throws SyncError BUSY. The lock file
 * appears with its content complete (written aside, then hard-linked into
 * place), so a reader never sees it half-written.
 */
export function acquireExportLock(dataDir: string): () => void {
  const key = path.resolve(dataDir);
  if (heldHere.has(key)) throw new SyncError('BUSY', 'An export of this data folder is already running; this one was not started.');
  const file = path.join(key, LOCK_FILE);
  const aside = `${file}.${process.pid}`;
  fs.writeFileSync(aside, `${process.pid}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(aside, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
        const pid = readLockPid(file);
        if (pid !== null && pid !== process.pid && processAlive(pid)) {
          throw new SyncError('BUSY', `An export of this data folder is already running (process ${pid}); this one was not started.`);
        }
        // Stale: its process is gone.
        fs.rmSync(file, { force: true });
      }
    }
  } finally {
    fs.rmSync(aside, { force: true });
  }
  heldHere.add(key);
  return () => {
    heldHere.delete(key);
    if (readLockPid(file) === process.pid) fs.rmSync(file, { force: true });
  };
}

/**
 * The history of export runs: one JSON line per run in `sync-runs.jsonl` in
 * the data folder (beside the database, so it survives a failed database
 * write and is readable without opening the database).
 */
import fs from 'node:fs';
import path from 'node:path';

export const RUNS_FILE = 'sync-runs.jsonl';
/** When the file grows past this, it is rewritten with the newest KEEP_RUNS runs. */
const MAX_BYTES = 1024 * 1024;
const KEEP_RUNS = 2000;

export interface SyncRun {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  outcome: 'exported' | 'nothing-to-export' | 'failed';
  /** What started it: 'manual', 'schedule', 'startup', 'cli', … */
  trigger: string;
  folder: string;
  deviceId: string | null;
  /** Range exported by this run (null when nothing was). */
  fromSeq: number | null;
  toSeq: number | null;
  changes: number;
  batches: string[];
  counts: Record<string, number>;
  error: { code: string; message: string } | null;
}

export function runsFile(dataDir: string): string {
  return path.join(dataDir, RUNS_FILE);
}

/** Appends one run. A line cut short by a crash is closed first so it cannot swallow this one. */
export function appendSyncRun(dataDir: string, run: SyncRun): void {
  const file = runsFile(dataDir);
  let prefix = '';
  let size = 0;
  try {
    size = fs.statSync(file).size;
    if (size > 0) {
      const fd = fs.openSync(file, 'r');
      try {
        const last = Buffer.alloc(1);
        fs.readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      } finally {
        fs.closeSync(fd);
      }
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.appendFileSync(file, `${prefix}${JSON.stringify(run)}\n`);
  if (size > MAX_BYTES) trim(file);
}

function trim(file: string): void {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${lines.slice(-KEEP_RUNS).join('\n')}\n`);
  fs.renameSync(tmp, file);
}

function isRun(value: unknown): value is SyncRun {
  const v = value as Partial<SyncRun> | null;
  return v !== null && typeof v === 'object' && typeof v.startedAt === 'string' && typeof v.outcome === 'string';
}

/** Export runs of this data folder, newest first (at most `limit`). */
export function listSyncRuns(dataDir: string, limit = 100): SyncRun[] {
  let text: string;
  try {
    text = fs.readFileSync(runsFile(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const runs: SyncRun[] = [];
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0 && runs.length < limit; i--) {
    const line = lines[i];
    if (!line) continue;
    try {
      const value = JSON.parse(line) as unknown;
      if (isRun(value)) runs.push(value);
    } catch {
      // A line cut short by a crash: skipped.
    }
  }
  return runs;
}

/** Helpers for the import tests: CSV text built cell by cell, a central batch folder, and a job that records its progress. */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import type { JobProgress } from '../../../main/domain/progress';
import { buildBatch, type BatchChange } from '../../../main/sync/format';

/** One CSV cell, quoted when it must be (delimiter, quote, line break, surrounding blanks). */
export function cellText(value: string, delimiter = ','): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/** CSV text from rows of cells (the first row is the header). */
export function csv(rows: ReadonlyArray<readonly string[]>, options: { eol?: string; bom?: boolean; delimiter?: string } = {}): string {
  const { eol = '\r\n', bom = false, delimiter = ',' } = options;
  return (bom ? '\uFEFF' : '') + rows.map((r) => r.map((c) => cellText(c, delimiter)).join(delimiter)).join(eol) + eol;
}

export interface RecordedJob extends JobProgress {
  calls: Array<{ done: number; total: number | null | undefined; message: string | undefined }>;
}

export function recordingJob(): RecordedJob {
  const calls: RecordedJob['calls'] = [];
  return {
    calls,
    progress(done, total, message) {
      calls.push({ done, total, message });
    },
  };
}

/** Runs `fn` and answers its value with how long it took, in milliseconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

/** Writes a batch of `device` into `folder` as the central system does (data files, manifest with checksums); answers its folder name. */
export function writeCentralBatch(folder: string, device: string, changes: BatchChange[]): string {
  const batch = buildBatch(device, changes);
  const dir = path.join(folder, batch.name);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of batch.files) fs.writeFileSync(path.join(dir, f.name), f.content);
  fs.writeFileSync(path.join(dir, 'manifest.json'), batch.manifestBytes);
  return batch.name;
}

/** What central events write (records, their history, progress and CE activities, the change log, the outbox, the event ids), as one text to compare. */
export async function eventWrites(db: Knex): Promise<string> {
  const parts: unknown[] = [];
  for (const table of ['records', 'record_history', 'component_progress', 'ce_activities', 'change_log', 'outbox', 'central_events'])
    parts.push(await db(table).orderByRaw('rowid'));
  return JSON.stringify(parts);
}

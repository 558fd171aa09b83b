/** Helpers for the import tests: CSV text built cell by cell, and a job that records its progress. */
import type { JobProgress } from '../../../main/domain/progress';

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

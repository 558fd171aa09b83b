/**
 * Exports the Tracking list as filtered (every matching row, not just the page)
 * to a CSV file, written under a temporary name and renamed when complete.
 * Cells that a spreadsheet would run as a formula are neutralised (OWASP).
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { ServiceError, type Executor } from './context';
import { failureInWords } from '../db/error-words';
import type { JobProgress } from '../domain/progress';
import { listTracking, type TrackingQuery } from './tracking';
import { type TrackingRow } from './tracking';

const HEADER = [
  'Contact',
  'Email',
  'Certification',
  'Status',
  'Completed components',
  'Required components',
  'Applied',
  'Started',
  'Completed',
  'Expires',
  'Last change',
];

/**
 * A leading =, +, -, @, tab or CR makes a spreadsheet evaluate the cell, and so
 * do blanks before =, +, - or @ (" =HYPERLINK(…)" from a contact with no first
 * name); a quote before it keeps it text.
 */
export function neutraliseCell(value: string): string {
  return /^\s*[=+\-@]|^[\t\r]/.test(value) ? `'${value}` : value;
}

function toLine(r: TrackingRow): string[] {
  return [
    r.contactName,
    r.email,
    r.certification,
    r.status,
    String(r.requiredDone),
    String(r.requiredTotal),
    r.appliedOn ?? '',
    r.startedOn ?? '',
    r.completedOn ?? '',
    r.expiresOn ?? '',
    r.updatedAt,
  ].map(neutraliseCell);
}

const PAGE = 5000;

/** Where a CSV export was written and how many records it holds. */
export interface CsvExportResult {
  file: string;
  rows: number;
}

export async function exportTrackingCsv(
  db: Executor,
  query: Omit<TrackingQuery, 'page' | 'pageSize'>,
  file: string,
  job: JobProgress,
): Promise<CsvExportResult> {
  const temp = `${file}.partial`;
  let fd: number;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fd = fs.openSync(temp, 'w');
  } catch (err) {
    throw inWords(err, file);
  }
  try {
    // A BOM lets spreadsheet apps read the UTF-8 names right.
    fs.writeSync(fd, `\uFEFF${stringify([HEADER], { record_delimiter: 'windows' })}`);
    let rows = 0;
    for (let page = 1; ; page++) {
      const { rows: batch, total } = await listTracking(db, { ...query, page, pageSize: PAGE });
      if (batch.length > 0) fs.writeSync(fd, stringify(batch.map(toLine), { record_delimiter: 'windows' }));
      rows += batch.length;
      job.progress(rows, total, `${rows.toLocaleString('en')} of ${total.toLocaleString('en')} rows`);
      if (batch.length < PAGE) break;
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(temp, file);
    return { file, rows };
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw inWords(err, file);
  }
}

/** The job shows its error's message: a full disk or a read-only folder in words, not an errno. */
function inWords(err: unknown, file: string): unknown {
  const words = failureInWords(err, { dataDir: path.dirname(file), file });
  return words ? new ServiceError('REFUSED', words.message) : err;
}

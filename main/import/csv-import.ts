/**
 * The pipeline every CSV import shares: read and map the file, then hand the
 * rows to the entity's planner, whose tally becomes the result.
 */
import { resolveMapping, type MappingResult } from './headers';
import type { JobProgress } from '../domain/progress';
import { parseCsv, readSource, type CsvEncoding, type CsvRow, type ParsedCsv, type ParseProgress, type SourceBytes } from './read-csv';
import { mapInSlices } from './slices';
import { emptyCounts, ImportFileError, type FileError, type ImportCounts, type RejectedRow, type ChangeSample, type Tally } from './result';

/** The CSV as text, as its bytes, or as a file path: exactly one of them. */
export interface CsvImportInput<F extends string> {
  text?: string;
  /** The file's bytes, decoded in main (UTF-8, UTF-16 with BOM, Windows-1252). */
  bytes?: Uint8Array;
  file?: string;
  /**
   * Our field → the CSV header that holds it. Fields left out are detected
   * from the headers; `null` means "do not import this field".
   */
  mapping?: Partial<Record<F, string | null>>;
  /** `,`, `;` or tab; detected from the header line when left out. */
  delimiter?: string;
  /** The `sha256` the preview reported: apply refuses a file that changed since. */
  expectSha256?: string;
  /** The file's name, for the history entries an import writes ("imported from records.csv, line 4"). */
  fileName?: string;
}

/** A field an import can fill, for the mapping UI. */
export interface ImportField<F extends string> {
  field: F;
  label: string;
  required: boolean;
}

export interface CsvImportResult<F extends string> {
  /** Every field the import can fill, in order, whether a column holds it or not. */
  fields: Array<ImportField<F>>;
  headers: string[];
  /** The mapping used: our field → header (fields with no column are left out). */
  mapping: Partial<Record<F, string>>;
  /** Headers no field reads. */
  unmappedHeaders: string[];
  delimiter: string;
  /** How the bytes were read ("Windows-1252"); null when they could not be. */
  encoding: CsvEncoding | null;
  /** Data rows read (after the header; blank lines not counted). */
  total: number;
  rows: ImportCounts;
  /** The first MAX_REJECTED_LISTED rejected rows, by line. */
  rejected: RejectedRow[];
  /** The first MAX_CHANGES_LISTED new or changed rows. */
  changes: ChangeSample[];
  /** Set when the file itself cannot be imported; then every count is 0 and apply commits nothing. */
  fileError: FileError | null;
  /** SHA-256 of the file's bytes; pass it back as `expectSha256` to apply exactly what was previewed. */
  sha256: string;
  /** The counts per kind of row, in words, where a file holds more than one kind ("CE activities: 3 new, …"). */
  summary?: string[];
}

/** The result for a file that cannot be imported. */
export function failedResult<F extends string>(fields: Array<ImportField<F>>, error: FileError, sha256: string, parsed?: ParsedCsv): CsvImportResult<F> {
  const headers = parsed?.headers ?? [];
  return {
    fields,
    headers,
    mapping: {},
    unmappedHeaders: headers,
    delimiter: parsed?.delimiter ?? ',',
    encoding: parsed?.encoding ?? null,
    total: 0,
    rows: emptyCounts(),
    rejected: [],
    changes: [],
    fileError: error,
    sha256,
  };
}

/** What one kind of CSV import (contacts, programs) reads: its fields, their headers and labels. */
export interface CsvSpec<F extends string> {
  fields: readonly F[];
  importFields: Array<ImportField<F>>;
  synonyms: Record<F, readonly string[]>;
  labels: Record<F, string>;
  required: readonly F[];
}

export interface PreparedCsv<F extends string> {
  source: SourceBytes;
  /** Its rows are let go once read (readRowsOnce): `total` keeps their number. */
  parsed: ParsedCsv;
  map: MappingResult<F>;
  /** Data rows read (after the header; blank lines not counted). */
  total: number;
}

/** Reads (unless `source` is given), parses and maps the file; a file that cannot be imported comes back as a failed result. */
export async function prepareCsv<F extends string>(
  spec: CsvSpec<F>,
  input: CsvImportInput<F>,
  source?: SourceBytes,
  job?: JobProgress,
): Promise<PreparedCsv<F> | CsvImportResult<F>> {
  job?.progress(0, null, 'Reading the file');
  source ??= await readSource(input);
  const parsed = await parseCsv(source.bytes, input.delimiter, job && readingProgress(job));
  if ('error' in parsed) return failedResult(spec.importFields, parsed.error, source.sha256);
  const map = resolveMapping(parsed.headers, spec.fields, spec.synonyms, spec.labels, spec.required, input.mapping);
  if ('error' in map) return failedResult(spec.importFields, map.error, source.sha256, parsed);
  job?.progress(0, null, `Checking ${parsed.rows.length.toLocaleString('en')} ${parsed.rows.length === 1 ? 'row' : 'rows'} against CertDesk`);
  return { source, parsed, map, total: parsed.rows.length };
}

/**
 * Each data row through `read`, in slices (the list answers meanwhile); the parsed rows are let go as the
 * planner takes them, so a plan never holds a file's rows twice (issue #17: the parsed fields of 100,000
 * lines are about 35 MB the plan no longer needs once it has each row's values).
 */
export function readRowsOnce<F extends string, R>(prepared: PreparedCsv<F>, read: (row: CsvRow) => R): Promise<R[]> {
  const rows = prepared.parsed.rows;
  prepared.parsed.rows = [];
  return mapInSlices(rows, read);
}

/** "Reading the file: 3.1 of 9.6 MB", as the parse goes. */
function readingProgress(job: JobProgress): ParseProgress {
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  return (done, total) => job.progress(done, total, `Reading the file: ${mb(done)} of ${mb(total)} MB`);
}

/** Apply's first step: the file's bytes, refused (nothing committed) when they changed since the preview. */
export async function readSourceForApply(input: CsvImportInput<string>): Promise<SourceBytes> {
  const source = await readSource(input);
  if (input.expectSha256 !== undefined && input.expectSha256 !== source.sha256) {
    throw new ImportFileError(1, 'The file has changed since the preview. Preview it again before importing.');
  }
  return source;
}

/** As prepareCsv, for apply: a file that cannot be imported throws and commits nothing. */
export async function prepareCsvForApply<F extends string>(spec: CsvSpec<F>, input: CsvImportInput<F>, source?: SourceBytes): Promise<PreparedCsv<F>> {
  source ??= await readSourceForApply(input);
  const prepared = await prepareCsv(spec, input, source);
  if (!('parsed' in prepared)) {
    const error = prepared.fileError ?? { line: 1, reason: 'The file cannot be imported.' };
    throw new ImportFileError(error.line, error.reason);
  }
  return prepared;
}

/** The result of planning a file: what the preview shows and apply reports. */
export function plannedResult<F extends string>(spec: CsvSpec<F>, { source, parsed, map, total }: PreparedCsv<F>, tally: Tally): CsvImportResult<F> {
  return {
    fields: spec.importFields,
    headers: parsed.headers,
    mapping: map.mapping,
    unmappedHeaders: map.unmappedHeaders,
    delimiter: parsed.delimiter,
    encoding: parsed.encoding,
    total,
    rows: tally.rows,
    rejected: tally.rejected,
    changes: tally.changes,
    fileError: null,
    sha256: source.sha256,
  };
}

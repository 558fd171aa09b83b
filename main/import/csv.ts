/**
 * Reading an import CSV: bytes → header + rows with the line each row starts
 * on, or the first line that makes the file unreadable. Shared by the
 * contacts and programs imports; no database here.
 *
 * What counts as a malformed file (nothing is imported): not UTF-8 (or
 * UTF-16), a quote problem (a quoted field never closed, text after a closing
 * quote, a quote inside an unquoted field), no header row. A row with the
 * wrong number of fields is not a file problem: that row is rejected and the
 * others go on.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { parse, type CsvError } from 'csv-parse/sync';
import { ServiceError } from '../services/context';
import { textRuleProblem } from '../domain/text';

/** Bigger files are refused before reading (a 10k-row contact list is about 1 MB). */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
/** At most this many data rows per file. */
export const MAX_ROWS = 200_000;
/** The preview lists this many rejected rows (the counts cover all of them). */
export const MAX_REJECTED_LISTED = 200;
/** The preview shows this many new or changed rows with their field changes. */
export const MAX_CHANGES_LISTED = 50;

/** The CSV as text or as a file path (read as UTF-8 bytes): exactly one of them. */
export interface CsvImportInput<F extends string> {
  text?: string;
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
}

export interface ImportCounts {
  new: number;
  changed: number;
  unchanged: number;
  rejected: number;
}

export interface RejectedRow {
  line: number;
  reason: string;
}

export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

export interface ChangeSample {
  line: number;
  kind: 'new' | 'changed';
  /** The row in words: "Öztürk, Zoë (member 1042)", "CPR-1 CPR Basics". */
  label: string;
  fields: FieldChange[];
}

/** A file-level problem: nothing of the file is imported. */
export interface FileError {
  line: number;
  reason: string;
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
}

/** Apply's refusal of a malformed file or a mapping that cannot work; nothing was committed. */
export class ImportFileError extends ServiceError {
  constructor(readonly line: number, reason: string) {
    super('INVALID', reason);
    this.name = 'ImportFileError';
  }
}

export function emptyCounts(): ImportCounts {
  return { new: 0, changed: 0, unchanged: 0, rejected: 0 };
}

// ---------------------------------------------------------------------------
// Bytes

export interface SourceBytes {
  bytes: Buffer;
  sha256: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The bytes of the CSV; refuses both/neither of text and file, a missing or too large file. */
export async function readSource(input: { text?: string; file?: string }): Promise<SourceBytes> {
  let bytes: Buffer;
  if (typeof input.text === 'string' && input.file === undefined) {
    if (input.text.length > MAX_FILE_BYTES) throw new ImportFileError(1, `The CSV text is over ${MAX_FILE_BYTES / 1024 / 1024} MB; import a smaller file.`);
    if (LONE_SURROGATE.test(input.text)) throw new ImportFileError(lineOfIndex(input.text, input.text.search(LONE_SURROGATE)), 'The text holds a broken character (a lone UTF-16 surrogate).');
    bytes = Buffer.from(input.text, 'utf8');
  } else if (typeof input.file === 'string' && input.text === undefined) {
    let size: number;
    try {
      size = (await fs.stat(input.file)).size;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ServiceError('NOT_FOUND', code === 'ENOENT' ? `The file ${input.file} does not exist.` : `The file ${input.file} cannot be read (${code ?? 'error'}).`);
    }
    if (size > MAX_FILE_BYTES) throw new ImportFileError(1, `The file is ${(size / 1024 / 1024).toFixed(0)} MB; the limit is ${MAX_FILE_BYTES / 1024 / 1024} MB.`);
    bytes = await fs.readFile(input.file);
  } else {
    throw new ServiceError('INVALID', 'Give the CSV as text or as a file path (one of them).');
  }
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function lineOfIndex(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Line numbers of byte offsets, counted the way an editor does: a line ends
 * at `\n`, `\r\n` or a lone `\r`. Offsets must be asked in ascending order.
 */
class LineCounter {
  private pos = 0;
  private line = 1;
  constructor(private readonly bytes: Buffer) {}
  lineAt(offset: number): number {
    const end = Math.min(offset, this.bytes.length);
    for (; this.pos < end; this.pos++) {
      const b = this.bytes[this.pos];
      if (b === 0x0a || (b === 0x0d && this.bytes[this.pos + 1] !== 0x0a)) this.line++;
    }
    return this.line;
  }
}

/** The first offset at or after `from` that is not a blank (space, tab, CR, LF) or the BOM. */
function firstContent(bytes: Buffer, from: number): number {
  let i = from;
  if (i === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) break;
    i++;
  }
  return i;
}

/** The line of the first byte that is not UTF-8, or null when the bytes are valid UTF-8. */
function firstInvalidUtf8Line(bytes: Buffer): number | null {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return null;
  } catch {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let line = 1;
    let start = 0;
    while (start < bytes.length) {
      let end = bytes.indexOf(0x0a, start);
      if (end === -1) end = bytes.length;
      try {
        decoder.decode(bytes.subarray(start, end));
      } catch {
        return line;
      }
      line++;
      start = end + 1;
    }
    return 1;
  }
}

// ---------------------------------------------------------------------------
// Parsing

export interface CsvRow {
  /** The line the row starts on (1 is the header). */
  line: number;
  fields: string[];
  /** Set when the row has another number of fields than the header: it is rejected with this reason. */
  ragged?: string;
}

export interface ParsedCsv {
  delimiter: string;
  headers: string[];
  /** Data rows in file order (rows of empty cells left out). */
  rows: CsvRow[];
}

const DELIMITERS = [',', ';', '\t'] as const;

/** The delimiter the header line uses most (outside quotes); a comma when none. */
export function detectDelimiter(bytes: Buffer): string {
  const end = Math.min(bytes.length, 64 * 1024);
  const counts = new Map<number, number>();
  let quoted = false;
  for (let i = 0; i < end; i++) {
    const b = bytes[i] as number;
    if (b === 0x22) quoted = !quoted;
    else if (!quoted && (b === 0x0a || b === 0x0d)) break;
    else if (!quoted && (b === 0x2c || b === 0x3b || b === 0x09)) counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const n = counts.get(d.charCodeAt(0)) ?? 0;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

function quoteProblem(code: string | undefined): string {
  switch (code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field that starts in this row is never closed (a closing " is missing), so the rest of the file cannot be read';
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'a quoted field has more text after its closing quote; inside a quoted field, write a quote as two quotes ("")';
    case 'INVALID_OPENING_QUOTE':
      return 'a field has a quote (") inside unquoted text; put the whole field in quotes and write the quote as two quotes ("")';
    default:
      return 'it cannot be read as CSV';
  }
}

/**
 * Parses CSV bytes: BOM, CRLF / LF / CR, quoted fields (with delimiters, quotes
 * and line breaks inside), blank lines skipped, whitespace around unquoted
 * fields trimmed. Returns the first file-level problem instead of rows when the
 * file is malformed. Field values are the file's characters, unchanged.
 */
export function parseCsv(bytes: Buffer, delimiterOption?: string): ParsedCsv | { error: FileError } {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { error: { line: 1, reason: 'The file is UTF-16. Save it as "CSV UTF-8" and import it again.' } };
  }
  const badLine = firstInvalidUtf8Line(bytes);
  if (badLine !== null) {
    return { error: { line: badLine, reason: `Line ${badLine} is not UTF-8 text. Save the file as "CSV UTF-8" and import it again.` } };
  }
  const delimiter = delimiterOption ?? detectDelimiter(bytes);
  if (!(DELIMITERS as readonly string[]).includes(delimiter)) {
    return { error: { line: 1, reason: `The delimiter must be a comma, a semicolon or a tab, not ${JSON.stringify(delimiter)}.` } };
  }

  const lines = new LineCounter(bytes);
  const records: Array<{ line: number; fields: string[]; fieldCountError: boolean }> = [];
  let lastEnd = 0;
  let tooMany = false;
  try {
    parse(bytes, {
      bom: true,
      delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      on_record: (record: string[], info) => {
        const line = lines.lineAt(firstContent(bytes, lastEnd));
        lastEnd = info.bytes;
        if (records.length > MAX_ROWS) {
          tooMany = true;
          return null;
        }
        // With relax_column_count the parser keeps going and marks a ragged record with an error.
        records.push({ line, fields: record, fieldCountError: (info.error as CsvError | undefined) !== undefined });
        return null;
      },
    });
  } catch (err) {
    const line = lines.lineAt(firstContent(bytes, lastEnd));
    const code = (err as Partial<CsvError>).code;
    return { error: { line, reason: `The row starting on line ${line} is malformed: ${quoteProblem(code)}. Fix the file and import it again; nothing is imported from it until then.` } };
  }
  if (tooMany) return { error: { line: 1, reason: `The file has more than ${MAX_ROWS.toLocaleString('en')} rows; split it into smaller files.` } };

  const header = records.shift();
  if (!header) return { error: { line: 1, reason: 'The file is empty: it needs a header row and at least one row of data.' } };
  const headers = header.fields;
  const rows: CsvRow[] = [];
  for (const r of records) {
    if (r.fields.every((f) => f === '')) continue; // a row of empty cells (",,,,"), as spreadsheets leave them
    if (r.fieldCountError || r.fields.length !== headers.length) {
      rows.push({ line: r.line, fields: [], ragged: `The row has ${r.fields.length} ${r.fields.length === 1 ? 'field' : 'fields'}; the header has ${headers.length}.` });
    } else {
      rows.push({ line: r.line, fields: r.fields });
    }
  }
  return { delimiter, headers, rows };
}

// ---------------------------------------------------------------------------
// Header mapping

/** "First Name", "first_name", "FIRST-NAME" → "firstname"; "Prénom" → "prenom" (accents dropped). */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLocaleLowerCase('und')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

export interface MappingResult<F extends string> {
  mapping: Partial<Record<F, string>>;
  /** Column index of each mapped field. */
  columns: Partial<Record<F, number>>;
  unmappedHeaders: string[];
}

/**
 * Our fields → columns: the caller's mapping where given, else the first
 * header whose normalised name is one of the field's synonyms. Refuses a
 * mapping to a header that is not there, a header used twice, a header that
 * appears in two columns, and a required field with no column.
 */
export function resolveMapping<F extends string>(
  headers: readonly string[],
  fields: readonly F[],
  synonyms: Record<F, readonly string[]>,
  labels: Record<F, string>,
  required: readonly F[],
  given: Partial<Record<F, string | null>> = {},
): MappingResult<F> | { error: FileError } {
  const mapping: Partial<Record<F, string>> = {};
  const columns: Partial<Record<F, number>> = {};
  const used = new Map<number, F>();
  const take = (field: F, index: number): FileError | null => {
    const other = used.get(index);
    if (other !== undefined) return { line: 1, reason: `The column "${headers[index] ?? ''}" is mapped to both ${labels[other]} and ${labels[field]}; map it to one field.` };
    used.set(index, field);
    mapping[field] = headers[index] ?? '';
    columns[field] = index;
    return null;
  };
  for (const key of Object.keys(given)) {
    if (!(fields as readonly string[]).includes(key)) return { error: { line: 1, reason: `There is no field "${key}" to map a column to.` } };
  }
  // The caller's choices first, so detection never takes a column they mapped elsewhere.
  for (const field of fields) {
    const header = given[field];
    if (header === undefined || header === null) continue;
    const indexes = headers.flatMap((h, i) => (h === header ? [i] : []));
    if (indexes.length === 0) return { error: { line: 1, reason: `${labels[field]} is mapped to the column "${header}", but the header row has no such column.` } };
    if (indexes.length > 1) return { error: { line: 1, reason: `The header row has the column "${header}" ${indexes.length} times; rename one of them.` } };
    const problem = take(field, indexes[0] as number);
    if (problem) return { error: problem };
  }
  const normalized = headers.map(normalizeHeader);
  for (const field of fields) {
    if (given[field] !== undefined) continue;
    for (const synonym of synonyms[field]) {
      const indexes = normalized.flatMap((h, i) => (h === synonym && !used.has(i) ? [i] : []));
      if (indexes.length === 0) continue;
      if (indexes.length > 1) {
        return { error: { line: 1, reason: `The header row has ${indexes.length} columns that could be ${labels[field]} (${indexes.map((i) => `"${headers[i] ?? ''}"`).join(', ')}); map one of them.` } };
      }
      const problem = take(field, indexes[0] as number);
      if (problem) return { error: problem };
      break;
    }
  }
  for (const field of required) {
    if (columns[field] === undefined) {
      return { error: { line: 1, reason: `No column holds ${labels[field]}. Map one of the columns (${headers.map((h) => `"${h}"`).join(', ')}) to it.` } };
    }
  }
  const unmappedHeaders = headers.filter((_, i) => !used.has(i));
  return { mapping, columns, unmappedHeaders };
}

// ---------------------------------------------------------------------------
// Values

/** Length in characters (code points), without building a 10 MB array for a 10 MB field. */
export function charLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= text.length) n++;
    else {
      const d = text.charCodeAt(i + 1);
      n++;
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

/**
 * Checks one text value: at most `max` characters; no control characters
 * (line breaks and tabs only where `multiline`). Answers the reason, or null.
 */
export function checkText(label: string, value: string, max: number, multiline = false): string | null {
  // A quick bound first: a string of more than 2·max UTF-16 units has more than max characters.
  const length = value.length > max * 2 ? value.length : charLength(value);
  if (length > max) return `${label} is too long: ${length.toLocaleString('en')} characters; the limit is ${max.toLocaleString('en')}.`;
  return textRuleProblem(label, value, multiline ? 'multi' : 'single');
}

/** A cell's value, trimmed; undefined when the field has no column or the cell is empty (empty cells leave stored values alone). */
export function cell(fields: readonly string[], index: number | undefined): string | undefined {
  if (index === undefined) return undefined;
  const value = (fields[index] ?? '').trim();
  return value === '' ? undefined : value;
}

// ---------------------------------------------------------------------------
// Tallying a preview

/** Collects counts, the first rejected rows and the first changes. */
export class Tally {
  readonly rows = emptyCounts();
  readonly rejected: RejectedRow[] = [];
  readonly changes: ChangeSample[] = [];

  reject(line: number, reason: string): void {
    this.rows.rejected++;
    if (this.rejected.length < MAX_REJECTED_LISTED) this.rejected.push({ line, reason });
  }

  /** `fields` may be a function: it is called only for a change that is listed. */
  count(kind: 'new' | 'changed' | 'unchanged', line: number, label: string, fields: FieldChange[] | (() => FieldChange[])): void {
    this.rows[kind]++;
    if (kind !== 'unchanged' && this.changes.length < MAX_CHANGES_LISTED) this.changes.push({ line, kind, label, fields: typeof fields === 'function' ? fields() : fields });
  }
}

/** The result for a file that cannot be imported. */
export function failedResult<F extends string>(fields: Array<ImportField<F>>, error: FileError, sha256: string, headers: string[] = [], delimiter = ','): CsvImportResult<F> {
  return {
    fields,
    headers,
    mapping: {},
    unmappedHeaders: headers,
    delimiter,
    total: 0,
    rows: emptyCounts(),
    rejected: [],
    changes: [],
    fileError: error,
    sha256,
  };
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
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
  parsed: ParsedCsv;
  map: MappingResult<F>;
}

/** Reads (unless `source` is given), parses and maps the file; a file that cannot be imported comes back as a failed result. */
export async function prepareCsv<F extends string>(spec: CsvSpec<F>, input: CsvImportInput<F>, source?: SourceBytes): Promise<PreparedCsv<F> | CsvImportResult<F>> {
  source ??= await readSource(input);
  const parsed = parseCsv(source.bytes, input.delimiter);
  if ('error' in parsed) return failedResult(spec.importFields, parsed.error, source.sha256);
  const map = resolveMapping(parsed.headers, spec.fields, spec.synonyms, spec.labels, spec.required, input.mapping);
  if ('error' in map) return failedResult(spec.importFields, map.error, source.sha256, parsed.headers, parsed.delimiter);
  return { source, parsed, map };
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
export function plannedResult<F extends string>(spec: CsvSpec<F>, { source, parsed, map }: PreparedCsv<F>, tally: Tally): CsvImportResult<F> {
  return {
    fields: spec.importFields,
    headers: parsed.headers,
    mapping: map.mapping,
    unmappedHeaders: map.unmappedHeaders,
    delimiter: parsed.delimiter,
    total: parsed.rows.length,
    rows: tally.rows,
    rejected: tally.rejected,
    changes: tally.changes,
    fileError: null,
    sha256: source.sha256,
  };
}

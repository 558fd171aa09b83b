/**
 * Reading an import CSV: bytes → text → header + rows with the line each row
 * starts on, or the first line that makes the file unreadable. No database here.
 *
 * What counts as a malformed file (nothing is imported): not UTF-8 (or
 * UTF-16), a quote problem (a quoted field never closed, text after a closing
 * quote, a quote inside an unquoted field), no header row, more rows than the
 * limit. A row with the wrong number of fields is not a file problem: that row
 * is rejected and the others go on.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { parse, type CsvError } from 'csv-parse';
import { ServiceError } from '../services/context';
import { ImportFileError, type FileError } from './result';
import { Slices } from './slices';

/** Bigger files are refused before reading (a 10k-row contact list is about 1 MB). */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
/** At most this many data rows per file. */
export const MAX_ROWS = 200_000;

// ---------------------------------------------------------------------------
// Bytes

export interface SourceBytes {
  bytes: Buffer;
  sha256: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The bytes of the CSV; refuses more or fewer than one of text, bytes and file, a missing or too large file. */
export async function readSource(input: { text?: string; file?: string; bytes?: Uint8Array }): Promise<SourceBytes> {
  let bytes: Buffer;
  const given = [input.text, input.file, input.bytes].filter((v) => v !== undefined).length;
  if (given === 1 && input.bytes !== undefined) {
    if (input.bytes.length > MAX_FILE_BYTES)
      throw new ImportFileError(1, `The file is ${(input.bytes.length / 1024 / 1024).toFixed(0)} MB; the limit is ${MAX_FILE_BYTES / 1024 / 1024} MB.`);
    bytes = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.length);
  } else if (typeof input.text === 'string' && given === 1) {
    if (input.text.length > MAX_FILE_BYTES) throw new ImportFileError(1, `The CSV text is over ${MAX_FILE_BYTES / 1024 / 1024} MB; import a smaller file.`);
    if (LONE_SURROGATE.test(input.text))
      throw new ImportFileError(lineOfIndex(input.text, input.text.search(LONE_SURROGATE)), 'The text holds a broken character (a lone UTF-16 surrogate).');
    bytes = Buffer.from(input.text, 'utf8');
  } else if (typeof input.file === 'string' && given === 1) {
    let size: number;
    try {
      size = (await fs.stat(input.file)).size;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ServiceError(
        'NOT_FOUND',
        code === 'ENOENT' ? `The file ${input.file} does not exist.` : `The file ${input.file} cannot be read (${code ?? 'error'}).`,
      );
    }
    if (size > MAX_FILE_BYTES)
      throw new ImportFileError(1, `The file is ${(size / 1024 / 1024).toFixed(0)} MB; the limit is ${MAX_FILE_BYTES / 1024 / 1024} MB.`);
    bytes = await fs.readFile(input.file);
  } else {
    throw new ServiceError('INVALID', 'Give the CSV as text or as a file path (one of them).');
  }
  // Hashed a megabyte at a time with turns of the event loop between (50 MB is about 100 ms of hashing).
  const hash = createHash('sha256');
  const slices = new Slices();
  for (let at = 0; at < bytes.length; at += HASH_BYTES) {
    hash.update(bytes.subarray(at, at + HASH_BYTES));
    await slices.maybePause();
  }
  return { bytes, sha256: hash.digest('hex') };
}

const HASH_BYTES = 1024 * 1024;

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
  /** The next LF and CR at or after `pos` (the file's length when none): found by indexOf, not byte by byte (issue #15). */
  private nextLf = -1;
  private nextCr = -1;
  constructor(private readonly bytes: Buffer) {}
  lineAt(offset: number): number {
    const { bytes } = this;
    const end = Math.min(offset, bytes.length);
    while (this.pos < end) {
      if (this.nextLf < this.pos) this.nextLf = indexOrLength(bytes, 0x0a, this.pos);
      if (this.nextCr < this.pos) this.nextCr = indexOrLength(bytes, 0x0d, this.pos);
      const at = Math.min(this.nextLf, this.nextCr);
      if (at >= end) {
        this.pos = end;
        break;
      }
      if (bytes[at] === 0x0a || bytes[at + 1] !== 0x0a) this.line++;
      this.pos = at + 1;
    }
    return this.line;
  }
}

function indexOrLength(bytes: Buffer, byte: number, from: number): number {
  const at = bytes.indexOf(byte, from);
  return at === -1 ? bytes.length : at;
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

/** Bytes decoded or checked between two turns of the event loop (a few ms each). */
const DECODE_BYTES = 1024 * 1024;

/** The line of the first byte that is not UTF-8 (the bytes are known not to be valid UTF-8), checked line by line in slices. */
async function firstInvalidUtf8Line(bytes: Buffer): Promise<number> {
  const slices = new Slices();
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    if (!isUtf8(bytes.subarray(start, end))) return line;
    start = end + 1;
    if (slices.due()) await slices.pause();
  }
  return 1;
}

/** How the bytes were read, as the preview says it ("read as Windows-1252"). */
export type CsvEncoding = 'UTF-8' | 'UTF-16 LE' | 'UTF-16 BE' | 'Windows-1252';

/** Bytes Windows-1252 leaves undefined: a file holding them is in some other encoding. */
const NOT_WINDOWS_1252 = [0x81, 0x8d, 0x8f, 0x90, 0x9d];

/**
 * Windows-1252's characters for 0x80–0x9F (the rest is Latin-1). Written out
 * because Node's TextDecoder('windows-1252') decodes these as C1 controls
 * (Latin-1) in some Node versions: "€" would become U+0080.
 */
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function decodeWindows1252(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  return text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80] as string);
}

/**
 * The bytes re-encoded as UTF-8, a megabyte at a time with a turn of the event
 * loop between (a 50 MB file is seconds of work). `decode` gets each slice and
 * whether it is the last.
 */
async function toUtf8InSlices(bytes: Buffer, from: number, decode: (slice: Buffer, last: boolean) => string): Promise<Buffer> {
  const parts: Buffer[] = [];
  const slices = new Slices();
  for (let at = from; at < bytes.length; at += DECODE_BYTES) {
    const end = Math.min(at + DECODE_BYTES, bytes.length);
    parts.push(Buffer.from(decode(bytes.subarray(at, end), end === bytes.length), 'utf8'));
    await slices.maybePause();
  }
  return Buffer.concat(parts);
}

function lineOfByte(bytes: Buffer, offset: number): number {
  return new LineCounter(bytes).lineAt(offset);
}

/**
 * Recognises the encoding of CSV bytes and answers them as UTF-8 for the
 * parser: UTF-8 (with or without BOM), UTF-16 LE or BE with a BOM, and, for
 * bytes that are not UTF-8, Windows-1252 (what Excel on Windows saves as
 * "CSV"). Anything else is refused with the reason. Long work runs in slices
 * (slices.ts): the event loop turns between megabytes.
 */
export async function decodeCsv(bytes: Buffer): Promise<{ utf8: Buffer; encoding: CsvEncoding } | { error: FileError }> {
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : null;
  if (utf16 !== null) {
    try {
      // A streaming decoder: a character split between two slices is joined; the BOM is dropped.
      const decoder = new TextDecoder(utf16, { fatal: true });
      const utf8 = await toUtf8InSlices(bytes, 0, (slice, last) => decoder.decode(slice, { stream: !last }));
      return { utf8, encoding: utf16 === 'utf-16le' ? 'UTF-16 LE' : 'UTF-16 BE' };
    } catch {
      return { error: { line: 1, reason: 'The file starts as UTF-16 but holds bytes that are not UTF-16 text. Save it as "CSV UTF-8" and import it again.' } };
    }
  }
  // NUL is valid UTF-8 but never in a CSV: UTF-16 without its byte order mark has one in every other byte.
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return {
      error: {
        line: lineOfByte(bytes, nul),
        reason: 'The file holds NUL bytes: it looks like UTF-16 without a byte order mark, or is not a text file. Save it as "CSV UTF-8" and import it again.',
      },
    };
  }
  // isUtf8 checks in native code without building the text (a few ms for 50 MB).
  if (isUtf8(bytes)) return { utf8: bytes, encoding: 'UTF-8' };
  const badLine = await firstInvalidUtf8Line(bytes);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return {
      error: {
        line: badLine,
        reason: `The file says it is UTF-8 (it starts with a byte order mark), but line ${badLine} is not UTF-8 text. Save the file as "CSV UTF-8" and import it again.`,
      },
    };
  }
  const undefinedAt = NOT_WINDOWS_1252.map((b) => bytes.indexOf(b)).filter((i) => i !== -1);
  if (undefinedAt.length > 0) {
    const line = lineOfByte(bytes, Math.min(...undefinedAt));
    return {
      error: {
        line,
        reason: `Line ${line} is neither UTF-8 nor Windows-1252 text, so its letters cannot be read for sure. Save the file as "CSV UTF-8" and import it again.`,
      },
    };
  }
  // One byte is one character: any slicing of the bytes decodes alike.
  return { utf8: await toUtf8InSlices(bytes, 0, (slice) => decodeWindows1252(slice)), encoding: 'Windows-1252' };
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
  encoding: CsvEncoding;
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

/** How csv-parse reads a file. */
const CSV_PARSE_OPTIONS = {
  bom: true,
  record_delimiter: ['\r\n', '\n', '\r'],
  relax_column_count: true,
  skip_empty_lines: true,
  trim: true,
};

/** Bytes handed to the parser at once; the event loop turns when a slice of work is due (slices.ts). */
const PARSE_BYTES = 32 * 1024;

class TooManyRows extends Error {
  constructor(readonly line: number) {
    super('too many rows');
  }
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

/** The rows as the parser hands them over: their lines, the header, ragged rows, the row limit. */
class RowCollector {
  headers: string[] | null = null;
  readonly rows: CsvRow[] = [];
  private records = 0;
  /** Where the last record ended, its record delimiter included. */
  private lastEnd = 0;
  private readonly lines: LineCounter;

  constructor(private readonly bytes: Buffer) {
    this.lines = new LineCounter(bytes);
  }

  /** The line the next record starts on (past blank lines). */
  nextLine(): number {
    return this.lines.lineAt(firstContent(this.bytes, this.lastEnd));
  }

  /** One record that ends at `end`; `ragged`: the parser found another field count than the header's. */
  take(fields: string[], end: number, ragged: boolean): void {
    const line = this.nextLine();
    this.lastEnd = end;
    // Header + MAX_ROWS data rows at most: the parse stops at the first row past the limit.
    if (this.records++ > MAX_ROWS) throw new TooManyRows(line);
    const headers = this.headers;
    if (headers === null) this.headers = fields;
    else if (fields.every((f) => f === '')) {
      // a row of empty cells (",,,,"), as spreadsheets leave them
    } else if (ragged || fields.length !== headers.length) {
      const n = fields.length;
      this.rows.push({ line, fields: [], ragged: `The row has ${n} ${n === 1 ? 'field' : 'fields'}; the header has ${headers.length}.` });
    } else this.rows.push({ line, fields });
  }
}

/** How far reading a file has come: bytes parsed of the file's UTF-8 bytes. */
export type ParseProgress = (doneBytes: number, totalBytes: number) => void;

/**
 * Parses CSV bytes: BOM, CRLF / LF / CR, quoted fields (with delimiters, quotes
 * and line breaks inside), blank lines skipped, whitespace around unquoted
 * fields trimmed. Returns the first file-level problem instead of rows when the
 * file is malformed. Field values are the file's characters, unchanged.
 * Decoding and parsing run in slices with a turn of the event loop between
 * (slices.ts), so calls answer meanwhile; `onProgress` hears how far it got.
 */
export async function parseCsv(source: Buffer, delimiterOption?: string, onProgress?: ParseProgress): Promise<ParsedCsv | { error: FileError }> {
  const decoded = await decodeCsv(source);
  if ('error' in decoded) return decoded;
  const { utf8: bytes, encoding } = decoded;
  const delimiter = delimiterOption ?? detectDelimiter(bytes);
  if (!(DELIMITERS as readonly string[]).includes(delimiter)) {
    return { error: { line: 1, reason: `The delimiter must be a comma, a semicolon or a tab, not ${JSON.stringify(delimiter)}.` } };
  }

  const collected = new RowCollector(bytes);
  const slices = new Slices();
  let failure: unknown;
  // The streaming parser, fed a few kilobytes at a time; each row is kept as it comes (no second copy of the file's rows).
  const parser = parse({
    ...CSV_PARSE_OPTIONS,
    delimiter,
    on_record: (fields: string[], info) => {
      // With relax_column_count the parser keeps going and marks a ragged record with an error.
      collected.take(fields, info.bytes, (info.error as CsvError | undefined) !== undefined);
      return null;
    },
  });
  parser.on('error', (err) => (failure ??= err));
  for (let at = 0; at < bytes.length && failure === undefined; at += PARSE_BYTES) {
    // Each write parses its bytes at once (on_record runs inside it); an error is reported on the next turn.
    parser.write(bytes.subarray(at, at + PARSE_BYTES));
    if (slices.due()) {
      onProgress?.(Math.min(at + PARSE_BYTES, bytes.length), bytes.length);
      await slices.pause();
    }
  }
  if (failure === undefined) {
    // The last row and an unclosed quote are found when the input ends.
    await new Promise<void>((resolve) => {
      parser.once('finish', resolve);
      parser.once('error', () => resolve());
      parser.end();
    });
  }
  if (failure !== undefined) {
    const err = failure;
    if (err instanceof TooManyRows) {
      return {
        error: {
          line: err.line,
          reason: `The file has more than ${MAX_ROWS.toLocaleString('en')} rows of data (line ${err.line} is past the limit); split it into smaller files.`,
        },
      };
    }
    const line = collected.nextLine();
    const code = (err as Partial<CsvError>).code;
    return {
      error: {
        line,
        reason: `The row starting on line ${line} is malformed: ${quoteProblem(code)}. Fix the file and import it again; nothing is imported from it until then.`,
      },
    };
  }
  const { headers, rows } = collected;
  if (headers === null) return { error: { line: 1, reason: 'The file is empty: it needs a header row and at least one row of data.' } };
  return { delimiter, encoding, headers, rows };
}

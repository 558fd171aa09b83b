/**
 * CSV bytes without a single quote character, split as csv-parse reads them
 * with the options read-csv.ts gives it (BOM, CRLF / LF / CR, blank lines
 * skipped, `trim`), without its per-byte state machine: csv-parse was about
 * 0.7 s of a 100,000-line preview (issue #15), this is a tenth of it. Most
 * files staff import have no quotes; a file with one goes to csv-parse.
 * test/unit/csv-quote-free.test.ts holds both to the same rows and ends.
 */

export const QUOTE = 0x22;

/**
 * What csv-parse's `trim` takes off the start of an unquoted field (its
 * `timchars`); the end is trimmed as String#trimEnd does, which takes off
 * exactly these characters too.
 */
const LEADING_BLANKS = new Set([
  0x20, 0x09, 0x0a, 0x0d, 0x0c, 0x0b, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029,
  0x202f, 0x205f, 0x3000, 0xfeff,
]);

/** The ASCII blanks a field can hold (line breaks end the record). */
function isAsciiBlank(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0b || b === 0x0c;
}

/** The field between `start` and `end`, trimmed: ASCII blanks by byte (the common case), others on the decoded text. */
function field(bytes: Buffer, start: number, end: number): string {
  while (start < end && isAsciiBlank(bytes[start])) start++;
  while (end > start && isAsciiBlank(bytes[end - 1])) end--;
  if (start === end) return '';
  let text = bytes.toString('utf8', start, end);
  if ((bytes[start] as number) >= 0x80) {
    let i = 0;
    while (i < text.length && LEADING_BLANKS.has(text.charCodeAt(i))) i++;
    text = text.slice(i);
  }
  if ((bytes[end - 1] as number) >= 0x80) text = text.trimEnd();
  return text;
}

/**
 * Calls `onRecord` with each record's fields and the offset after its record
 * delimiter (csv-parse's `info.bytes`), in order; blank lines are skipped as
 * csv-parse skips them. `onRecord` may throw to stop. `maybePause` is awaited
 * after each record with the offset reached (a turn of the event loop when due).
 * The bytes must hold no quote character.
 */
export async function splitQuoteFree(
  bytes: Buffer,
  delimiter: string,
  onRecord: (fields: string[], end: number) => void,
  maybePause: (offset: number) => Promise<void> | void,
): Promise<void> {
  const delim = delimiter.charCodeAt(0);
  const n = bytes.length;
  let pos = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (pos < n) {
    const fields: string[] = [];
    let start = pos;
    let end = n;
    for (; pos < n; pos++) {
      const b = bytes[pos];
      if (b === delim) {
        fields.push(field(bytes, start, pos));
        start = pos + 1;
      } else if (b === 0x0a || b === 0x0d) {
        end = b === 0x0d && bytes[pos + 1] === 0x0a ? pos + 2 : pos + 1;
        break;
      }
    }
    fields.push(field(bytes, start, pos));
    pos = end;
    // A line of blanks alone is no record (csv-parse's skip_empty_lines after its trim).
    if (fields.length === 1 && fields[0] === '') continue;
    onRecord(fields, end);
    await maybePause(pos);
  }
}

/**
 * The quote-free splitter (issue #15) reads a file as csv-parse does with the
 * options read-csv.ts gives it: the same records, fields and record ends
 * (line numbers are counted from the ends), for any text without a quote.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { splitQuoteFree } from '../../main/import/csv-quote-free';
import { CSV_PARSE_OPTIONS } from '../../main/import/read-csv';
import { random } from '../support/random';

type Record = { fields: string[]; end: number };

function byCsvParse(bytes: Buffer, delimiter: string): Record[] {
  return parse(bytes, {
    ...CSV_PARSE_OPTIONS,
    delimiter,
    // Each record with where it ended (a record as the parser's API types it).
    on_record: (fields: string[], info) => ({ fields, end: info.bytes }) as unknown as string[],
  }) as unknown as Record[];
}

async function bySplitter(bytes: Buffer, delimiter: string): Promise<Record[]> {
  const out: Record[] = [];
  await splitQuoteFree(
    bytes,
    delimiter,
    (fields, end) => out.push({ fields, end }),
    () => undefined,
  );
  return out;
}

/** Pieces a quote-free file is made of: text, delimiters, line breaks, and every kind of blank either side trims. */
const PIECES = [
  'a',
  'Zoë',
  '2026-03-10',
  ',',
  ',',
  ';',
  '\t',
  ' ',
  '  ',
  '\n',
  '\n',
  '\r\n',
  '\r',
  '\u00a0',
  '\u2003',
  '\u3000',
  '\f',
  '\v',
  '\ufeff',
  '\u0085',
  '\u2028',
  '€',
];

describe('splitQuoteFree', () => {
  it('reads the plain cases as csv-parse does', async () => {
    const texts = [
      'a,b,c\n1,2,3\n',
      '\ufeffa,b\r\n 1 , 2 \r\n\r\n\r\n3,4',
      'a;b\r1;2\r\r',
      'a\tb\n \t\n1\t\t\n',
      'a,b\n,,\n   \n\u00a0\n x ,\u00a0y\u2003\n',
      'only header',
      '\n\n  \n',
      '',
    ];
    for (const text of texts)
      for (const delimiter of [',', ';', '\t']) {
        const bytes = Buffer.from(text, 'utf8');
        expect(await bySplitter(bytes, delimiter), JSON.stringify([text, delimiter])).toEqual(byCsvParse(bytes, delimiter));
      }
  });

  it('reads 3,000 random quote-free texts as csv-parse does', async () => {
    const next = random(20260615);
    for (let i = 0; i < 3000; i++) {
      const length = Math.floor(next() * 40);
      let text = next() < 0.1 ? '\ufeff' : '';
      for (let j = 0; j < length; j++) text += PIECES[Math.floor(next() * PIECES.length)];
      const delimiter = [',', ';', '\t'][i % 3] as string;
      const bytes = Buffer.from(text, 'utf8');
      expect(await bySplitter(bytes, delimiter), JSON.stringify([text, delimiter])).toEqual(byCsvParse(bytes, delimiter));
    }
  });
});

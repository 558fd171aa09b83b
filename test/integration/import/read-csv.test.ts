/**
 * Real-world files (issue #15): the bytes are decoded in main — UTF-8 with or
 * without BOM, UTF-16 LE/BE with BOM, Windows-1252 as Excel on Windows saves
 * "CSV" — and the preview says how; anything else is refused with the reason.
 * Two columns that could be one field are a file error; a file over the row
 * limit is refused as soon as the limit is passed; emails with UTF-8 local
 * parts are contacts like any other.
 */
import { describe, expect, it } from 'vitest';
import { applyContactsCsv, previewContactsCsv } from '../../../main/import/contacts-csv';
import { MAX_ROWS } from '../../../main/import/read-csv';
import type { Actor } from '../../../main/services/context';
import type { ContactRow } from '../../../main/domain/rows';
import { type TestDb } from '../support';
import { freshDbEachTest } from '../fresh-each-test';
import { timed } from './helpers';

let t: TestDb;
let staff: Actor;

freshDbEachTest({ username: 'sam', displayName: 'Sam Staff' }, (db, user) => {
  t = db;
  staff = user;
});

const TEXT = 'First Name,Last Name,Email\r\nJörg,Müller,jorg@example.org\r\nZoë,Öztürk,zoë@example.org\r\n';

async function storedNames(): Promise<string[]> {
  return ((await t.db('contacts').orderBy('id').select('first_name', 'last_name')) as ContactRow[]).map((c) => `${c.first_name} ${c.last_name}`);
}

describe('encodings', () => {
  const cases: Array<[string, Buffer, string]> = [
    ['UTF-8', Buffer.from(TEXT, 'utf8'), 'UTF-8'],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]), 'UTF-8'],
    ['UTF-16 LE with BOM', Buffer.from(`\uFEFF${TEXT}`, 'utf16le'), 'UTF-16 LE'],
    ['UTF-16 BE with BOM', Buffer.from(`\uFEFF${TEXT}`, 'utf16le').swap16(), 'UTF-16 BE'],
  ];
  for (const [name, bytes, encoding] of cases) {
    it(`reads ${name} and says so`, async () => {
      const preview = await previewContactsCsv(t.db, { bytes });
      expect(preview.fileError).toBeNull();
      expect(preview.encoding).toBe(encoding);
      expect(preview.rows).toMatchObject({ new: 2, rejected: 0 });
      await applyContactsCsv(t.ctx, staff, { bytes, expectSha256: preview.sha256 });
      expect(await storedNames()).toEqual(['Jörg Müller', 'Zoë Öztürk']);
    });
  }

  it('reads a file that is not UTF-8 as Windows-1252 (Excel’s “CSV”): Müller stays Müller, “smart quotes” and € too', async () => {
    // Windows-1252 bytes: ü = 0xFC, ö = 0xF6, € = 0x80, ’ = 0x92.
    const bytes = Buffer.concat([
      Buffer.from('First Name,Last Name,Organization\r\nJ'),
      Buffer.from([0xf6]),
      Buffer.from('rg,M'),
      Buffer.from([0xfc]),
      Buffer.from('ller,O'),
      Buffer.from([0x92]),
      Buffer.from('Brien '),
      Buffer.from([0x80]),
      Buffer.from('\r\n'),
    ]);
    const preview = await previewContactsCsv(t.db, { bytes });
    expect(preview.fileError).toBeNull();
    expect(preview.encoding).toBe('Windows-1252');
    expect(preview.changes[0]?.label).toBe('Müller, Jörg');
    await applyContactsCsv(t.ctx, staff, { bytes });
    expect(await t.db('contacts').first()).toMatchObject({ first_name: 'Jörg', last_name: 'Müller', organization: 'O’Brien €' });
  });

  it('refuses, with the line and the reason, what is neither: a broken UTF-8 file with a BOM, bytes Windows-1252 does not define, UTF-16 without BOM', async () => {
    const brokenUtf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('First Name,Last Name\nA,B\nC,'), Buffer.from([0xfc]), Buffer.from('\n')]);
    expect((await previewContactsCsv(t.db, { bytes: brokenUtf8 })).fileError).toEqual({
      line: 3,
      reason: 'The file says it is UTF-8 (it starts with a byte order mark), but line 3 is not UTF-8 text. Save the file as "CSV UTF-8" and import it again.',
    });
    const undefinedByte = Buffer.concat([Buffer.from('First Name,Last Name\nA,B\nC,D'), Buffer.from([0xfc, 0x81]), Buffer.from('\n')]);
    expect((await previewContactsCsv(t.db, { bytes: undefinedByte })).fileError).toEqual({
      line: 3,
      reason: 'Line 3 is neither UTF-8 nor Windows-1252 text, so its letters cannot be read for sure. Save the file as "CSV UTF-8" and import it again.',
    });
    const noBom = Buffer.from('First Name,Last Name\nA,B\n', 'utf16le');
    expect((await previewContactsCsv(t.db, { bytes: noBom })).fileError?.reason).toContain('UTF-16 without a byte order mark');
    // Nothing was written by any of them.
    expect(await t.db('contacts').count({ n: '*' })).toEqual([{ n: 0 }]);
  });
});

describe('headers and size', () => {
  it('two columns that could be the same field ("Last Name" and "Surname") are a file error naming both', async () => {
    const preview = await previewContactsCsv(t.db, { text: 'First Name,Last Name,Surname\nA,B,C\n' });
    expect(preview.fileError).toEqual({ line: 1, reason: 'The header row has 2 columns that could be Last name ("Last Name", "Surname"); map one of them.' });
    // Mapping one of them answers the question.
    const mapped = await previewContactsCsv(t.db, { text: 'First Name,Last Name,Surname\nA,B,C\n', mapping: { lastName: 'Surname' } });
    expect(mapped.fileError).toBeNull();
    expect(mapped.changes[0]?.label).toBe('C, A');
  });

  it('a file over the row limit is refused at the first row past it, without reading the rest', async () => {
    const row = 'Ann,Lee,ann@example.org\n';
    const atLimit = Buffer.from(`First Name,Last Name,Email\n${row.repeat(MAX_ROWS)}`);
    // Past the limit by one row, then 40 MB more that must not be parsed.
    const over = Buffer.concat([atLimit, Buffer.from(row), Buffer.alloc(40 * 1024 * 1024, row)]);
    const { value, ms } = await timed(() => previewContactsCsv(t.db, { bytes: over }));
    expect(value.fileError).toEqual({
      line: MAX_ROWS + 2,
      reason: `The file has more than ${MAX_ROWS.toLocaleString('en')} rows of data (line ${MAX_ROWS + 2} is past the limit); split it into smaller files.`,
    });
    console.log(`over-limit file refused in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(8000);
  });
});

describe('emails', () => {
  it('accepts UTF-8 local parts and domains (RFC 6531), refuses what is not an address', async () => {
    const preview = await previewContactsCsv(t.db, {
      text: 'Last Name,Email\nÖztürk,zoë@example.org\nIvanova,ада@пример.рф\nBad,not-an-email\nSpace,a b@example.org\n',
    });
    expect(preview.rows).toMatchObject({ new: 2, rejected: 2 });
    expect(preview.rejected.map((r) => r.line)).toEqual([4, 5]);
  });
});

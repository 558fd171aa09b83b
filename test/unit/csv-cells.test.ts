/** Exported CSV cells a spreadsheet would run as a formula are neutralised (RELIABILITY.md promise 6, OWASP). */
import { describe, expect, it } from 'vitest';
import { neutraliseCell } from '../../main/services/csv-export';

describe('neutraliseCell', () => {
  it('quotes a cell that starts with a formula character, blanks before it included', () => {
    for (const cell of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1', ' =HYPERLINK("http://x")', '   +1', '\u00a0-1', '\u3000@x', '\n=1', ' \t =1']) {
      expect(neutraliseCell(cell), JSON.stringify(cell)).toBe(`'${cell}`);
    }
  });
  it('leaves every other cell as it is', () => {
    for (const cell of ['Ada Lovelace', 'a=b', ' Ada', '', '2026-03-10', 'O’Brien', 'x-1', 'Zoë @home']) {
      expect(neutraliseCell(cell), JSON.stringify(cell)).toBe(cell);
    }
  });
});

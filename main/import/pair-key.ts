/**
 * One Map key for a pair of ids (a contact and a certification, a record and a component) without
 * building a `${a}|${b}` string on each of a file's lines: those strings were most of the completions
 * preview's own time at 100,000 lines (issue #15). A number while it is exact (the second id below
 * 2^21, the first below 2^32), else the string; the two never meet.
 */
export type PairKey = number | string;

const SECOND_IDS = 2 ** 21;
const FIRST_IDS = 2 ** 32;

export function pairKey(first: number, second: number): PairKey {
  if (Number.isInteger(first) && Number.isInteger(second) && first >= 0 && second >= 0 && first < FIRST_IDS && second < SECOND_IDS)
    return first * SECOND_IDS + second;
  return `${first}|${second}`;
}

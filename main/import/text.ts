/**
 * The checks an import makes of one text value: its length, and the text rule
 * every door shares (domain/text.ts, SPEC.md §6 "Text and dates at the door").
 */
import { textRuleProblem } from '../domain/text';

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

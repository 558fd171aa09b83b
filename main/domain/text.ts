/**
 * The one text rule for every door (forms, IPC, CSV and batch imports):
 * single-line text holds no control characters (C0, DEL, C1) and no line or
 * paragraph separators (U+2028, U+2029); multi-line text (notes, reasons,
 * email text) may also hold line breaks (\n or \r\n) and tabs, nothing else.
 * What one door accepts, every receiver can store and every mail header can
 * carry. Pure: no Node, no Electron; the renderer bundles it too.
 */
import type { z } from 'zod';

/** Code points refused everywhere: C0 controls, DEL, C1 controls, U+2028 and U+2029. */
const FORBIDDEN_ANYWHERE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;

export type TextKind = 'single' | 'multi';

/** U+000A style name of one character. */
export function codePointName(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first character `kind` text cannot hold, or null when the text is fine. */
export function forbiddenCharacter(value: string, kind: TextKind): string | null {
  if (!FORBIDDEN_ANYWHERE.test(value)) return null;
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (!FORBIDDEN_ANYWHERE.test(c)) continue;
    if (kind === 'multi') {
      if (c === '\n' || c === '\t') continue;
      // A carriage return only as part of \r\n.
      if (c === '\r' && value[i + 1] === '\n') continue;
    }
    return c;
  }
  return null;
}

function describe(char: string): string {
  if (char === '\n' || char === '\r' || char === '\u2028' || char === '\u2029') return `a line break (${codePointName(char)})`;
  if (char === '\t') return `a tab (${codePointName(char)})`;
  return `a control character (${codePointName(char)})`;
}

/**
 * The sentence for text that breaks the rule, or null:
 * "Last name contains a control character (U+0000) — remove it."
 */
export function textRuleProblem(label: string, value: string, kind: TextKind): string | null {
  const char = forbiddenCharacter(value, kind);
  if (char === null) return null;
  const where = kind === 'single' ? ', which this one-line field cannot hold' : '';
  return `${label} contains ${describe(char)}${where} — remove it.`;
}

/** A zod refinement: the string is one line of text (see the rule above). */
export function singleLine<T extends z.ZodType<string>>(label: string, schema: T): T {
  return schema.superRefine((value, ctx) => {
    const problem = textRuleProblem(label, value, 'single');
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/** A zod refinement: the string is text of several lines (line breaks and tabs allowed, nothing else). */
export function multiLine<T extends z.ZodType<string>>(label: string, schema: T): T {
  return schema.superRefine((value, ctx) => {
    const problem = textRuleProblem(label, value, 'multi');
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });
}

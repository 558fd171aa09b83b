/**
 * Values a receiver may be unable to store, and the words that say which
 * change holds one and what to correct. Databases written before the text rule
 * (main/domain/text.ts) can still hold such values; the verifier warns about
 * them and the receiver holds back only the change it cannot store, so one bad
 * value never blocks every later batch.
 */
import { forbiddenCharacter, codePointName } from '../domain/text';
import type { BatchChange } from './format';

/** Columns that hold text of several lines (line breaks and tabs allowed). */
const MULTI_LINE_COLUMNS = new Set(['notes', 'note', 'description', 'reason', 'detail', 'body']);

const WHAT: Record<string, string> = {
  contact: 'contact',
  program: 'certification program',
  component: 'program component',
  record: 'certification record',
  progress: 'component completion',
  history: 'history entry',
  outbox: 'queued email',
};

export interface TextFault {
  field: string;
  char: string;
}

/** The first text value of a change that breaks the text rule (a NUL PostgreSQL cannot store, a control character in a one-line field…), or null. */
export function textFault(change: BatchChange): TextFault | null {
  for (const [field, value] of Object.entries(change.data)) {
    if (typeof value !== 'string') continue;
    const char = forbiddenCharacter(value, MULTI_LINE_COLUMNS.has(field) ? 'multi' : 'single');
    if (char !== null) return { field, char };
  }
  return null;
}

/** "seq 42, contact 7" */
export function changeName(change: BatchChange): string {
  return `seq ${change.seq}, ${change.entity} ${change.id}`;
}

/** What to correct, in words, for a change holding a bad text value. */
export function describeTextFault(change: BatchChange, fault: TextFault): string {
  const what = WHAT[change.entity] ?? change.entity;
  const field = fault.field.replace(/_/g, ' ');
  const fix =
    change.entity === 'history' || change.entity === 'outbox'
      ? `it was written from the ${field} of another row; correct that value in CertDesk`
      : `correct this ${what}'s ${field} in CertDesk; the next export carries the fix`;
  return `${changeName(change)}: ${field} holds a control character (${codePointName(fault.char)}); ${fix}.`;
}

/** Why the receiver could not store a change: its bad text value when it has one, otherwise the database's own words. */
export function describeUnstorable(change: BatchChange, error: unknown): string {
  const fault = textFault(change);
  if (fault) return describeTextFault(change, fault);
  const message = error instanceof Error ? error.message.replace(/^.* - /s, '') : String(error);
  return `${changeName(change)}: the receiver's database refused it (${message}); correct this ${WHAT[change.entity] ?? change.entity} in CertDesk, and the next export carries the fix.`;
}

/**
 * The one result shape of every import (CSV files and central batches): counts
 * of new, changed, unchanged and rejected rows, the first rejected rows with
 * their reason, and the first new or changed rows with their field changes.
 */
import { ServiceError } from '../services/context';

/** The preview lists this many rejected rows (the counts cover all of them). */
export const MAX_REJECTED_LISTED = 200;
/** The preview shows this many new or changed rows with their field changes. */
export const MAX_CHANGES_LISTED = 50;

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

/** Apply's refusal of a malformed file or a mapping that cannot work; nothing was committed. */
export class ImportFileError extends ServiceError {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super('INVALID', reason);
    this.name = 'ImportFileError';
  }
}

export function emptyCounts(): ImportCounts {
  return { new: 0, changed: 0, unchanged: 0, rejected: 0 };
}

/**
 * Collects counts, the first rejected rows and the first changes. `X` is what
 * a listed row carries besides its line (a batch's file name and entity). A
 * tally with a parent counts its own rows and lists them, counted too, in the
 * parent (a batch import's per-entity counts beside its total).
 */
export class Tally<R extends object = object, C extends object = R> {
  readonly rows = emptyCounts();
  readonly rejected: Array<RejectedRow & R> = [];
  readonly changes: Array<ChangeSample & C> = [];

  constructor(private readonly parent?: Tally<R, C>) {}

  reject(line: number, reason: string, extra?: R): void {
    this.rows.rejected++;
    if (this.parent) this.parent.reject(line, reason, extra);
    else if (this.rejected.length < MAX_REJECTED_LISTED) this.rejected.push({ ...(extra as R), line, reason });
  }

  /** `fields` may be a function: it is called only for a change that is listed. */
  count(kind: 'new' | 'changed' | 'unchanged', line: number, label: string, fields: FieldChange[] | (() => FieldChange[]), extra?: C): void {
    this.rows[kind]++;
    if (this.parent) this.parent.count(kind, line, label, fields, extra);
    else if (kind !== 'unchanged' && this.changes.length < MAX_CHANGES_LISTED) {
      this.changes.push({ ...(extra as C), line, kind, label, fields: typeof fields === 'function' ? fields() : fields });
    }
  }
}

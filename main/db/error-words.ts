/**
 * The one place where a failure of the data folder, the database file or a
 * file being written becomes a sentence staff can act on: which folder, what
 * to do. Never SQL text, an errno or a stack. Used by the IPC door, the jobs
 * (CSV export) and the start-up screen.
 */
import path from 'node:path';
import type { RefusalKind } from '../domain/startup';
import { DatabaseRefusedError } from './errors';
import { FolderInUseError } from './folder-lock';

/** Why something failed, for what the start-up screen offers: only a damaged file offers a backup. */
export type FailureKind = RefusalKind;

export interface FailureInWords {
  kind: FailureKind;
  message: string;
}

interface Where {
  /** The data folder (the database and its backups). */
  dataDir: string;
  /** A file being written outside it (a CSV export), when that is what failed. */
  file?: string;
}

/**
 * A damaged file, in the words the start-up screen shows (SQLite's own, e.g. "SQLITE_CORRUPT: database disk
 * image is malformed" or quick_check's page numbers, go to the log only). Begins as every damage sentence does.
 */
export const DAMAGED_FILE =
  'The database file is damaged: part of it cannot be read (a disk fault, a power cut during a write, or a copy that did not finish can cause this), so CertDesk stopped before changing anything.';

const SYSTEM_CODE = /\b(SQLITE_[A-Z]+|E(?:ACCES|PERM|ROFS|NOSPC|DQUOT))\b/;

function codeOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; detail?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  // sqlite3 puts the SQLite code both in `code` and in the message ("SQLITE_BUSY: database is locked"),
  // which is all a wrapped error (a refusal quoting it) keeps.
  if (!(err instanceof DatabaseRefusedError)) return code || (SYSTEM_CODE.exec(message)?.[1] ?? '');
  // A refusal names what SQLite said in its detail: a permission problem there is not damage.
  return SYSTEM_CODE.exec(`${typeof e?.detail === 'string' ? e.detail : ''} ${message}`)?.[1] ?? code;
}

/** The sentence for a failure, or null when it is not one of these (the caller keeps its own words). */
export function failureInWords(err: unknown, where: Where): FailureInWords | null {
  if (err instanceof FolderInUseError) return { kind: 'in-use', message: err.message };
  const code = codeOf(err);
  const folder = where.file ? path.dirname(where.file) : where.dataDir;
  // A file that could not be opened because of permissions is not a damaged file (it has no restore offer).
  const refusal = err instanceof DatabaseRefusedError ? { kind: 'damaged' as const, message: err.message } : null;
  switch (code) {
    case 'SQLITE_READONLY':
    case 'EROFS':
      return {
        kind: 'access',
        message: where.file
          ? `CertDesk cannot write to ${folder}: it is read-only. Save the file in another folder.`
          : `CertDesk cannot write to its data folder ${folder}: the folder, its drive or the database file in it is read-only. Nothing was changed. Give your user write permission there (or ask IT), then start CertDesk again.`,
      };
    case 'EACCES':
    case 'EPERM':
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
      return {
        kind: 'access',
        message: where.file
          ? `CertDesk may not write to ${folder} (permission denied). Save the file in another folder, or ask IT for write permission there.`
          : `CertDesk may not read or write the files in its data folder ${folder} (permission denied). Nothing was changed. Give your user read and write permission on that folder and the files in it (or ask IT), then start CertDesk again.`,
      };
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return {
        kind: 'in-use',
        message: `Another program is using the database in ${folder} (another CertDesk, or a backup or sync tool) and kept it busy for more than 5 seconds. Nothing was changed. Close the other program or CertDesk on that folder and try again.`,
      };
    case 'SQLITE_FULL':
    case 'ENOSPC':
    case 'EDQUOT':
      return {
        kind: 'disk-full',
        message: where.file
          ? `The disk holding ${folder} is full, so the file was not saved (nothing was left half written). Free some space there, or save it in another folder, and export again.`
          : `The disk that holds CertDesk’s data (${folder}) is full, so nothing was changed. Free some disk space and try again.`,
      };
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      // A refusal already says it in words; SQLite's own error (a read that hit a broken page) does not.
      return { kind: 'damaged', message: refusal?.message ?? DAMAGED_FILE };
    default:
      return refusal;
  }
}

/** Errors of the sync export and the receiver, each with a code and a sentence an admin can act on. */

export type SyncErrorCode = 'NO_FOLDER' | 'FOLDER_MISSING' | 'FOLDER_NOT_WRITABLE' | 'DISK_FULL' | 'BUSY' | 'CONFLICT' | 'IO' | 'INVALID_BATCH' | 'GAP';

/** Where long sync work reports progress; services/jobs.ts's JobProgress fits it. */
export interface SyncProgress {
  progress(done: number, total?: number | null, message?: string): void;
}

export class SyncError extends Error {
  constructor(
    readonly code: SyncErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SyncError';
  }
}

interface ErrnoLike {
  code: string;
  syscall?: string;
  path?: string;
}

function isErrno(err: unknown): err is Error & ErrnoLike {
  if (!(err instanceof Error)) return false;
  const code = (err as Error & Partial<ErrnoLike>).code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/**
 * Turns a file-system error met while writing into `folder` into a SyncError
 * whose message names the cause and the folder. Other errors pass through.
 */
export function folderError(err: unknown, folder: string): unknown {
  if (err instanceof SyncError || !isErrno(err)) return err;
  const code = err.code;
  switch (code) {
    case 'ENOENT':
      return new SyncError(
        'FOLDER_MISSING',
        `The sync folder ${folder} does not exist (or was removed while exporting). Create it, connect its drive, or choose another folder in the settings.`,
        { cause: err },
      );
    case 'ENOTDIR':
      return new SyncError('FOLDER_MISSING', `The sync folder ${folder} is not a folder: part of that path is a file. Choose another folder in the settings.`, {
        cause: err,
      });
    case 'EACCES':
    case 'EPERM':
      return new SyncError(
        'FOLDER_NOT_WRITABLE',
        `CertDesk may not write to the sync folder ${folder} (permission denied, ${code}). Give it write access or choose another folder.`,
        {
          cause: err,
        },
      );
    case 'EROFS':
      return new SyncError('FOLDER_NOT_WRITABLE', `The sync folder ${folder} is on a read-only drive (${code}). Choose a folder CertDesk can write to.`, {
        cause: err,
      });
    case 'ENOSPC':
    case 'EDQUOT':
      return new SyncError(
        'DISK_FULL',
        `The disk holding the sync folder ${folder} is full (${code}). Free some space there; the export runs again next time and nothing is lost.`,
        { cause: err },
      );
    default:
      return new SyncError('IO', `Writing to the sync folder ${folder} failed: ${err.message}`, { cause: err });
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function errorCode(err: unknown): string {
  if (err instanceof SyncError) return err.code;
  if (isErrno(err)) return err.code;
  return 'FAILED';
}

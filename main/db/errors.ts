/** A database the app will not open; the file is left exactly as it was. */
export class DatabaseRefusedError extends Error {
  constructor(
    readonly code: 'DB_CORRUPT' | 'DB_TOO_NEW' | 'DB_UNREADABLE' | 'DB_FOREIGN',
    message: string,
    readonly file: string,
    /** What SQLite itself said (an error code, quick_check's findings): for the log, never for the screen. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'DatabaseRefusedError';
  }
}

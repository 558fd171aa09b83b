/** A database the app will not open; the file is left exactly as it was. */
export class DatabaseRefusedError extends Error {
  constructor(
    readonly code: 'DB_CORRUPT' | 'DB_TOO_NEW' | 'DB_UNREADABLE' | 'DB_FOREIGN',
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'DatabaseRefusedError';
  }
}

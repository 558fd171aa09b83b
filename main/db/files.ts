import path from 'node:path';

/** The database file's name inside a data folder (backups live in its `backups/` folder). */
export const DATABASE_FILE = 'certdesk.sqlite';

export function databaseFile(dataDir: string): string {
  return path.join(dataDir, DATABASE_FILE);
}

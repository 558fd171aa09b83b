/** Reads the harness's SQLite file directly (read-only), to check the screen against the database. */
import path from 'node:path';
import sqlite3 from 'sqlite3';

export function queryDb<T>(dataDir: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path.join(dataDir, 'certdesk.sqlite'), sqlite3.OPEN_READONLY);
    db.all(sql, params, (err, rows) => {
      db.close();
      if (err) reject(err);
      else resolve(rows as T[]);
    });
  });
}

/** The `n` column of the first row. */
export async function scalar(dataDir: string, sql: string, params: unknown[] = []): Promise<number> {
  return (await queryDb<{ n: number }>(dataDir, sql, params))[0]?.n ?? -1;
}

/** Reads (read-only) or writes the harness's SQLite file directly, to check the screen against the database. */
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

/** Writes straight into the harness's file, as a crash or a hand edit would (the harness keeps running). */
export function writeDb(dataDir: string, sql: string, params: unknown[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path.join(dataDir, 'certdesk.sqlite'));
    db.configure('busyTimeout', 10_000);
    db.run(sql, params, (err) => {
      db.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

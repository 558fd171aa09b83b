/**
 * Issue 16 §5: CertDesk marks its database files (`PRAGMA application_id`),
 * stamps an older file of its own on open (its knex_migrations are ours), and
 * refuses any other SQLite file in the data folder with a sentence, leaving
 * it byte for byte as it was — even one whose table names clash with ours.
 */
import fs from 'node:fs';
import knexFactory from 'knex';
import sqlite3 from 'sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, databaseFile, openDatabase } from '../../main/db/database';
import { DatabaseRefusedError } from '../../main/db/errors';
import { MIGRATIONS, migrationSource } from '../../main/db/migrations';
import { CERTDESK_APPLICATION_ID } from '../../main/db/ownership';
import { removeDir, sha256, tempDir } from './support';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
function folder(): string {
  const dir = tempDir('certdesk-foreign-');
  dirs.push(dir);
  return dir;
}

function raw<T>(file: string, sql: string, mode = sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, mode, (openErr) => {
      if (openErr) return reject(openErr);
      db.all(sql, (err, rows) => db.close(() => (err ? reject(err) : resolve(rows as T[]))));
    });
  });
}
const exec = (file: string, sql: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, (openErr) => {
      if (openErr) return reject(openErr);
      db.exec(sql, (err) => db.close(() => (err ? reject(err) : resolve())));
    });
  });
const applicationId = async (file: string): Promise<number> =>
  (await raw<{ application_id: number }>(file, 'PRAGMA application_id', sqlite3.OPEN_READONLY))[0]?.application_id ?? -1;

async function refusal(dir: string): Promise<DatabaseRefusedError> {
  const err = await openDatabase({ dataDir: dir }).then(
    async (db) => {
      await closeDatabase(db);
      return null;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatabaseRefusedError);
  return err as DatabaseRefusedError;
}

describe('our mark', () => {
  it("is 'CDSK' as a 32-bit number", () => {
    expect(CERTDESK_APPLICATION_ID).toBe(0x4344534b);
  });

  it('a new database is marked', async () => {
    const dir = folder();
    await closeDatabase(await openDatabase({ dataDir: dir }));
    expect(await applicationId(databaseFile(dir))).toBe(CERTDESK_APPLICATION_ID);
  });

  it('an older CertDesk file without the mark (knex_migrations are ours) is stamped on open and opens as before', async () => {
    const dir = folder();
    const file = databaseFile(dir);
    const old = knexFactory({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true });
    const before = MIGRATIONS.filter((m) => m.name < '009');
    await old.migrate.latest({ migrationSource: { ...migrationSource, getMigrations: () => Promise.resolve(before) } });
    await old('settings').count({ n: '*' });
    await old.destroy();
    expect(await applicationId(file)).toBe(0);
    const db = await openDatabase({ dataDir: dir });
    await closeDatabase(db);
    expect(await applicationId(file)).toBe(CERTDESK_APPLICATION_ID);
  });
});

describe('a foreign SQLite file in the data folder', () => {
  it('with table names that clash with ours: refused with a sentence, byte for byte untouched, nothing created beside it', async () => {
    const dir = folder();
    const file = databaseFile(dir);
    await exec(
      file,
      `CREATE TABLE contacts (id INTEGER PRIMARY KEY, full_name TEXT, phone TEXT);
       CREATE TABLE records (id INTEGER PRIMARY KEY, contact INTEGER, payload BLOB);
       INSERT INTO contacts (full_name, phone) VALUES ('Somebody Else', '555-0100'), ('Another', '555-0101');
       INSERT INTO records (contact, payload) VALUES (1, x'00ff00ff');`,
    );
    const hash = sha256(file);
    const listing = fs.readdirSync(dir).sort();

    const refused = await refusal(dir);
    expect(refused.code).toBe('DB_FOREIGN');
    expect(refused.message).toContain(dir);
    expect(refused.message).toMatch(/not a CertDesk database/);
    expect(refused.message).not.toMatch(/SQLITE|sqlite_master|CREATE|Error:/);
    expect(sha256(file)).toBe(hash);
    expect(fs.readdirSync(dir).sort()).toEqual(listing);
    // Refused again, still untouched.
    expect((await refusal(dir)).code).toBe('DB_FOREIGN');
    expect(sha256(file)).toBe(hash);
  });

  it('an empty SQLite file of another program (no tables) is refused too', async () => {
    const dir = folder();
    const file = databaseFile(dir);
    await exec(file, 'PRAGMA user_version = 7; CREATE TABLE t (x); DROP TABLE t;');
    const hash = sha256(file);
    expect((await refusal(dir)).code).toBe('DB_FOREIGN');
    expect(sha256(file)).toBe(hash);
  });

  it("another program's mark is refused even when its tables look like ours", async () => {
    const dir = folder();
    const file = databaseFile(dir);
    await closeDatabase(await openDatabase({ dataDir: dir }));
    await exec(file, 'PRAGMA application_id = 1234567');
    const hash = sha256(file);
    expect((await refusal(dir)).code).toBe('DB_FOREIGN');
    expect(sha256(file)).toBe(hash);
  });
});

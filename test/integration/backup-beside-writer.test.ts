/**
 * The daily backup reads the file on a connection of its own (issue 17): it never waits for the
 * writer, so a change being written while the backup is taken delays neither, and the backup holds
 * what was committed when it began — not the change still in its transaction.
 */
import sqlite3 from 'sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { takeBackup } from '../../main/db/backup';
import { freshDb, makeContact, type TestDb } from './support';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

function contactsWhere(file: string, where: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      db.get(`SELECT count(*) AS n FROM contacts WHERE ${where}`, (e, row: { n: number } | undefined) => {
        db.close();
        if (e) reject(e);
        else resolve(row?.n ?? -1);
      });
    });
  });
}

describe('daily backup beside the writer', () => {
  it('is taken while a change is being written, without waiting for it, and holds only what was committed', async () => {
    const t: TestDb = await freshDb();
    cleanup.push(() => t.dispose());
    await makeContact(t.ctx);

    // A change in the middle of its transaction: the writer (one connection) is taken until it commits.
    let commit: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (commit = resolve));
    const writing = t.db.transaction(async (trx) => {
      await trx('contacts').update({ organization: 'Being changed' });
      await held;
    });
    await new Promise((r) => setTimeout(r, 50));

    // Were the backup read through the writer, it would wait for the change, which waits for nothing here: it would never finish.
    const backup = await Promise.race([
      takeBackup(t.db, t.dir, 'daily', new Date('2026-03-10T15:00:00Z')),
      new Promise<null>((r) => setTimeout(() => r(null), 10_000)),
    ]);
    commit();
    await writing;
    expect(backup, 'the backup finished while the change was still being written').not.toBeNull();
    expect(backup).toMatch(/certdesk-20260310T150000-daily\.sqlite$/);
    expect(await contactsWhere(backup as string, '1')).toBe(1);
    expect(await contactsWhere(backup as string, "organization = 'Being changed'")).toBe(0);
  }, 30_000);
});

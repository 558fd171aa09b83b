/**
 * Daily backups and restoring one in place of a refused database: the refused
 * file is moved aside untouched, the backup opens with the rows it had.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBackups, restoreBackup, takeBackupIfDue } from '../../main/db/backup';
import { closeDatabase, databaseFile, openDatabase } from '../../main/db/database';
import { DatabaseRefusedError } from '../../main/db/errors';
import { createContact } from '../../main/services/contacts';

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('backups and restore', () => {
  it('takes a backup once a day, and restores the newest one in place of a corrupt file', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-restore-'));
    const day1 = new Date('2026-11-20T09:00:00Z');
    const db = await openDatabase({ dataDir });
    const ctx = { db, clock: { now: () => day1 } };
    await createContact(ctx, { firstName: 'Zoë', lastName: 'Ångström' });
    expect(await takeBackupIfDue(db, dataDir, day1)).not.toBeNull();
    expect(await takeBackupIfDue(db, dataDir, new Date('2026-11-20T15:00:00Z'))).toBeNull();
    await createContact(ctx, { firstName: 'After', lastName: 'Backup' });
    await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
    await closeDatabase(db);

    // Page 1 zeroed: refused, untouched.
    const file = databaseFile(dataDir);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096), 0, 4096, 0);
    fs.closeSync(fd);
    const damaged = sha(file);
    await expect(openDatabase({ dataDir })).rejects.toBeInstanceOf(DatabaseRefusedError);
    expect(sha(file)).toBe(damaged);

    const [newest] = listBackups(dataDir);
    expect(newest).toBeDefined();
    const { movedAside } = await restoreBackup(dataDir, newest as string, new Date('2026-11-21T08:00:00Z'));
    expect(movedAside && sha(movedAside)).toBe(damaged);
    const restored = await openDatabase({ dataDir });
    const names = (await restored('contacts').pluck('last_name')) as string[];
    expect(names).toEqual(['Ångström']);
    expect((await restored.raw('PRAGMA integrity_check')) as unknown).toEqual([{ integrity_check: 'ok' }]);
    await closeDatabase(restored);
  });
});

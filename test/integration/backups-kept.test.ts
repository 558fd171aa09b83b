/**
 * A backup is worth restoring (RELIABILITY.md promise 9): taken while the app
 * runs, never only at start-up; an empty backup is never the one offered when
 * one with the data exists or can be made; the last few daily backups are kept
 * with a weekly and a monthly one beside them. And the after-midnight sweep
 * follows a new office time zone at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backupToOffer, describeBackup, listBackups, takeBackupIfDue } from '../../main/db/backup';
import { closeDatabase, openDatabase } from '../../main/db/database';
import { createContact } from '../../main/services/contacts';
import { ok, signedInAdmin } from './door';
import { removeDir, tempDir, TestClock } from './support';

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const d of dirs.splice(0)) removeDir(d);
});

function folder(): string {
  const dir = tempDir('certdesk-backups-');
  dirs.push(dir);
  return dir;
}

const names = (dataDir: string) => listBackups(dataDir).map((f) => path.basename(f));

describe('backups worth restoring', () => {
  it('never leaves the empty day-one backup as the newest once there is data, and offers the one with the data', async () => {
    const dataDir = folder();
    const db = await openDatabase({ dataDir });
    const day1 = new Date('2026-11-20T09:00:00Z');
    expect(await takeBackupIfDue(db, dataDir, day1)).toMatch(/-monthly-empty\.sqlite$/);
    expect(backupToOffer(dataDir)).toMatch(/-empty\.sqlite$/); // the only one there is
    await createContact({ db, clock: { now: () => day1 } }, { firstName: 'Zoë', lastName: 'Ångström' });
    // An hour later, not a day: still taken, since the newest backup holds nothing.
    const withData = await takeBackupIfDue(db, dataDir, new Date('2026-11-20T10:00:00Z'));
    expect(withData).not.toBeNull();
    expect(describeBackup(withData ?? '')?.empty).toBe(false);
    expect(await takeBackupIfDue(db, dataDir, new Date('2026-11-20T11:00:00Z'))).toBeNull();
    expect(backupToOffer(dataDir)).toBe(withData);

    // A newer empty backup (the data deleted, say) is not the one offered while one with data exists.
    await db('contacts').delete();
    const emptied = await takeBackupIfDue(db, dataDir, new Date('2026-11-21T12:00:00Z'));
    expect(emptied).toMatch(/-empty\.sqlite$/);
    expect(listBackups(dataDir)[0]).toBe(emptied);
    expect(backupToOffer(dataDir)).toBe(withData);
    await closeDatabase(db);
  });

  it('keeps the last five daily backups, the newest weekly one and the newest monthly one', async () => {
    const dataDir = folder();
    const db = await openDatabase({ dataDir });
    await createContact({ db, clock: { now: () => new Date('2026-01-01T00:00:00Z') } }, { firstName: 'Ada', lastName: 'Lovelace' });
    // Sixty days of one backup a day.
    for (let day = 0; day < 60; day++) {
      expect(await takeBackupIfDue(db, dataDir, new Date(Date.UTC(2026, 0, 1 + day, 9)))).not.toBeNull();
    }
    const kept = listBackups(dataDir).map((f) => describeBackup(f));
    const shown = kept.map((b) => `${b?.takenAt.toISOString().slice(0, 10)} ${b?.label}`);
    // Monthly on day 1, 29, 57; weekly every 7 days after a monthly or weekly one.
    expect(shown).toEqual(['2026-03-01 daily', '2026-02-28 daily', '2026-02-27 daily', '2026-02-26 monthly', '2026-02-25 daily']);
    // Three days later the monthly one has left the last five, and is kept beside them, as is the newest weekly.
    for (let day = 60; day < 66; day++) await takeBackupIfDue(db, dataDir, new Date(Date.UTC(2026, 0, 1 + day, 9)));
    expect(listBackups(dataDir).map((f) => `${describeBackup(f)?.takenAt.toISOString().slice(0, 10)} ${describeBackup(f)?.label}`)).toEqual([
      '2026-03-07 daily',
      '2026-03-06 daily',
      '2026-03-05 weekly',
      '2026-03-04 daily',
      '2026-03-03 daily',
      '2026-02-26 monthly',
    ]);
    await closeDatabase(db);
  });

  it('takes the daily backup while the app runs, not only at start-up', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const clock = new TestClock('2026-03-10T15:00:00Z');
    const backend = await signedInAdmin(clock);
    const dataDir = backend.context.dataDir;
    expect(names(dataDir)).toHaveLength(1);
    clock.set('2026-03-11T15:30:00Z');
    vi.advanceTimersByTime(60_000);
    await backend.scheduler.backupIfDue(); // queued after the one the timer started: waits for it
    expect(names(dataDir)).toHaveLength(2);
    expect(names(dataDir)[0]).toMatch(/^certdesk-20260311T153000-/);
    expect(fs.existsSync(path.join(dataDir, 'backups'))).toBe(true);
  });

  it('moves the after-midnight sweep to the new office time zone when it is saved, without a restart', async () => {
    const backend = await signedInAdmin();
    const localTime = (zone: string, at: Date | null) =>
      at ? new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(at) : 'none';
    expect(localTime('America/New_York', backend.scheduler.nextSweepAt())).toBe('00:00:05');
    ok(await backend.invoke('settings.setTimeZone', { timeZone: 'Pacific/Kiritimati' }));
    const next = backend.scheduler.nextSweepAt();
    expect(localTime('Pacific/Kiritimati', next)).toBe('00:00:05');
    expect(localTime('America/New_York', next)).not.toBe('00:00:05');
  });
});

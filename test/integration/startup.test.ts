/**
 * Start-up behind the gate (main/startup.ts), on a real SQLite file: the phases
 * come in order with the sweep's progress, `startup.status` answers while the
 * backend starts, other calls wait for it, and a refused database is reported
 * with its newest backup, which `startup.restoreBackup` puts back and opens.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startBackend } from '../../main/backend';
import { takeBackup } from '../../main/db/backup';
import { databaseFile } from '../../main/db/database';
import { SYSTEM } from '../../main/services/context';
import { loadDemoData } from '../../main/services/demo';
import { startGated, StartupReporter, type StartupStatus } from '../../main/startup';
import { removeDir, TestClock, tempDir } from './support';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

let template: string | null = null;

/** A fresh copy of a data folder holding the demo data, dated 2026-06-15 (made once). */
async function demoFolder(): Promise<string> {
  if (!template) {
    template = tempDir('certdesk-startup-template-');
    dirs.push(template);
    const backend = await startBackend({ dataDir: template, version: 'test', clock: new TestClock('2026-06-15T12:00:00Z') });
    await loadDemoData(backend.context.services, SYSTEM);
    await backend.close();
  }
  const dataDir = tempDir('certdesk-startup-');
  dirs.push(dataDir);
  fs.cpSync(template, dataDir, { recursive: true });
  return dataDir;
}

describe('start-up gate', () => {
  it('reports checking the database, the daily backup and the sweep with its progress, in order, then ready', async () => {
    const dataDir = await demoFolder();
    // Two years later many records must move: the sweep has work to report.
    const clock = new TestClock('2028-06-15T12:00:00Z');
    const seen: StartupStatus[] = [];
    const reporter = new StartupReporter();
    reporter.onChange((s) => seen.push(s));
    const gate = startGated({ dataDir, reporter, start: (r) => startBackend({ dataDir, version: 'test', clock, startup: r }) });

    // Asked at once: answered while the backend is still starting; app.info waits for it.
    const first = await gate.invoke('startup.status', {});
    expect(first).toMatchObject({ ok: true, value: { plan: ['Checking the database', 'Taking the daily backup', 'Bringing statuses up to date'] } });
    expect((first as { value: StartupStatus }).value.phase).not.toBe('ready');
    const info = await gate.invoke('app.info', {});
    expect(info).toMatchObject({ ok: true, value: { needsFirstAdmin: true } });
    expect(gate.reporter.status.phase).toBe('ready');

    const phases = seen.map((s) => s.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['database', 'backup', 'sweep', 'ready']);
    expect(seen.map((s) => s.step).filter((p, i, all) => p !== all[i - 1])).toEqual([1, 2, 3]);
    const sweep = seen.filter((s) => s.phase === 'sweep' && s.total !== null);
    expect(sweep.length).toBeGreaterThan(1);
    const total = sweep[0]?.total ?? 0;
    expect(total).toBeGreaterThan(0);
    expect(sweep.at(-1)).toMatchObject({ done: total, total });
    await gate.close();
  });

  it('refuses calls while the database is refused, names the newest backup, and opens it after restoreBackup', async () => {
    const dataDir = await demoFolder();
    const clock = new TestClock('2026-06-16T12:00:00Z');
    const opened = await startBackend({ dataDir, version: 'test', clock });
    const backup = await takeBackup(opened.context.services.db, dataDir, 'daily', clock.now());
    await opened.close();
    // Page 1 zeroed: SQLite cannot read the file.
    const fd = fs.openSync(databaseFile(dataDir), 'r+');
    fs.writeSync(fd, Buffer.alloc(4096), 0, 4096, 0);
    fs.closeSync(fd);

    const gate = startGated({ dataDir, now: () => clock.now(), start: (r) => startBackend({ dataDir, version: 'test', clock, startup: r }) });
    expect(await gate.whenReady()).toBeNull();
    const status = await gate.invoke('startup.status', {});
    expect(status).toMatchObject({
      ok: true,
      value: { phase: 'refused', refused: { dataDir, newestBackup: backup.split(/[\\/]/).at(-1), message: expect.stringMatching(/database/i) } },
    });
    expect(await gate.invoke('app.info', {})).toMatchObject({ ok: false, error: { code: 'REFUSED' } });

    const restored = await gate.invoke('startup.restoreBackup', {});
    expect(restored).toMatchObject({ ok: true, value: { restored: backup.split(/[\\/]/).at(-1), movedAside: expect.any(String) } });
    expect(fs.existsSync((restored as { value: { movedAside: string } }).value.movedAside)).toBe(true);
    expect(await gate.whenReady()).not.toBeNull();
    expect(await gate.invoke('app.info', {})).toMatchObject({ ok: true, value: { needsFirstAdmin: true } });
    // Once open, there is nothing to restore.
    expect(await gate.invoke('startup.restoreBackup', {})).toMatchObject({ ok: false, error: { code: 'REFUSED' } });
    await gate.close();
  });
});

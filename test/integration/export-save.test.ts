/**
 * A finished CSV export goes where the user says: the desktop app asks (its
 * DesktopActions; here a stand-in for the save dialog that picks a real path),
 * the browser harness gets a download URL; "Show in folder" names a job, never a
 * path, and only shows a file that was saved.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../../main/backend';
import type { Envelope } from '../../main/ipc/contract';
import type { DesktopActions } from '../../main/ipc/handlers';
import { freshDb, removeDir, TEST_PASSWORD_COST, TestClock, tempDir } from './support';

const dirs: string[] = [];
const backends: Backend[] = [];
afterAll(async () => {
  for (const b of backends) await b.close();
  dirs.forEach(removeDir);
});

const value = <T>(e: Envelope<unknown>): T => {
  if (!e.ok) throw new Error(`${e.error.code}: ${e.error.message}`);
  return e.value as T;
};

async function exported(desktop?: DesktopActions): Promise<{ backend: Backend; id: string; file: string }> {
  const t = await freshDb();
  await t.close();
  dirs.push(t.dir);
  const backend = await startBackend({
    dataDir: t.dir,
    version: 'test',
    clock: new TestClock('2026-03-10T15:00:00Z'),
    desktop,
    passwordCost: TEST_PASSWORD_COST,
  });
  backends.push(backend);
  value(await backend.invoke('auth.createFirstAdmin', { username: 'ada', displayName: 'Ada Admin', password: 'correct horse battery', loadDemoData: false }));
  let job = value<{ id: string; state: string; result: { file: string } | null }>(
    await backend.invoke('tracking.exportCsv', { quick: { kind: 'all' }, sort: { column: 'contactName', direction: 'asc' } }),
  );
  while (job.state === 'running') {
    await new Promise((r) => setTimeout(r, 20));
    job = value(await backend.invoke('jobs.get', { id: job.id }));
  }
  expect(job.state).toBe('done');
  return { backend, id: job.id, file: job.result?.file ?? '' };
}

describe('saving a CSV export', () => {
  it('in the harness: answers with the download URL of that job; nothing to show or close', async () => {
    const { backend, id } = await exported();
    expect(value(await backend.invoke('tracking.saveExport', { id }))).toEqual({ savedTo: null, download: `/exports/${id}` });
    expect(value(await backend.invoke('tracking.showExport', { id }))).toEqual({ shown: false });
    expect(value(await backend.invoke('app.closeSettings', {}))).toEqual({ closed: false });
  });

  it('in the desktop app: copies the file where the user chose, and shows that file (and only it) in its folder', async () => {
    const target = tempDir('certdesk-saved-');
    dirs.push(target);
    const shown: string[] = [];
    let asked: { file: string; suggestedName: string } | null = null;
    const desktop: DesktopActions = {
      closeSettingsWindow: () => undefined,
      saveFileAs: (file, suggestedName) => {
        asked = { file, suggestedName };
        const chosen = path.join(target, 'my tracking list.csv');
        fs.copyFileSync(file, chosen);
        return Promise.resolve(chosen);
      },
      showInFolder: (file) => void shown.push(file),
    };
    const { backend, id, file } = await exported(desktop);
    const saved = value<{ savedTo: string }>(await backend.invoke('tracking.saveExport', { id }));
    expect(saved).toEqual({ savedTo: path.join(target, 'my tracking list.csv'), download: null });
    expect(asked).toEqual({ file, suggestedName: path.basename(file) });
    expect(fs.readFileSync(saved.savedTo, 'utf8')).toBe(fs.readFileSync(file, 'utf8'));
    expect(fs.readFileSync(saved.savedTo, 'utf8')).toContain('Contact,Email,Certification,Status');
    expect(value(await backend.invoke('tracking.showExport', { id }))).toEqual({ shown: true });
    expect(shown).toEqual([saved.savedTo]);
    // Another job id: not found, and nothing shown.
    const other = '00000000-0000-4000-8000-000000000000';
    expect(await backend.invoke('tracking.saveExport', { id: other })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(value(await backend.invoke('tracking.showExport', { id: other }))).toEqual({ shown: false });
    expect(await backend.invoke('tracking.showExport', { id: '../../etc/passwd' })).toMatchObject({ ok: false, error: { code: 'INVALID' } });
  });
});

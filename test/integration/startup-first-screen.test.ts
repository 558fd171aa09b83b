/**
 * Start-up's background work (quick_check, the daily backup, the sweep) shares the cores with the window
 * drawing its first screen (issue 17): it starts when the window says its first rows are shown, or a while
 * after the first screen's answer when the window never says so, or, when no window asks, a while after
 * ready. The list answers at once either way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startBackend } from '../../main/backend';
import { FIRST_SCREEN_DRAWN_MS, loadProgram, PROGRAM_FILES_BROKEN, startGated } from '../../main/startup';
import { removeDir, TEST_PASSWORD_COST, TestClock, tempDir } from './support';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

/** A gate on a new data folder whose check only records when it ran. */
function gateWithCheck(backgroundWaitMs?: number) {
  const dataDir = tempDir('certdesk-first-screen-');
  dirs.push(dataDir);
  const checked: number[] = [];
  const gate = startGated({
    dataDir,
    ...(backgroundWaitMs === undefined ? {} : { backgroundWaitMs }),
    start: (r) =>
      startBackend({
        dataDir,
        version: 'test',
        clock: new TestClock('2026-06-15T12:00:00Z'),
        startup: r,
        passwordCost: TEST_PASSWORD_COST,
        check: () => {
          checked.push(Date.now());
          return Promise.resolve();
        },
      }),
  });
  return { gate, checked };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('start-up background work and the first screen', () => {
  it('waits for the first screen, then starts as soon as the window says its rows are shown', async () => {
    const { gate, checked } = gateWithCheck(60_000);
    expect((await gate.invoke('startup.firstScreenShown', {})).ok).toBe(true); // before ready: nothing to start yet
    await gate.whenReady();
    await sleep(300);
    expect(checked).toEqual([]);
    expect((await gate.invoke('app.firstScreen', { tracking: true })).ok).toBe(true);
    await sleep(300);
    expect(checked).toEqual([]);
    const shown = Date.now();
    expect((await gate.invoke('startup.firstScreenShown', {})).ok).toBe(true);
    await expect.poll(() => checked.length, { timeout: 1000 }).toBe(1);
    expect((checked[0] ?? 0) - shown).toBeLessThan(500);
    // Said again (a second window, a reload): the work does not start twice.
    expect((await gate.invoke('startup.firstScreenShown', {})).ok).toBe(true);
    await sleep(300);
    expect(checked.length).toBe(1);
    await gate.close();
  });

  it('starts a while after the first screen is answered when the window never says it is shown', async () => {
    const { gate, checked } = gateWithCheck(60_000);
    await gate.whenReady();
    const answered = await gate.invoke('app.firstScreen', { tracking: true });
    expect(answered.ok).toBe(true);
    const at = Date.now();
    await sleep(1000);
    expect(checked).toEqual([]);
    await expect.poll(() => checked.length, { timeout: FIRST_SCREEN_DRAWN_MS + 3000 }).toBe(1);
    expect((checked[0] ?? 0) - at).toBeGreaterThanOrEqual(FIRST_SCREEN_DRAWN_MS - 100);
    await gate.close();
  });

  it('starts on its own a while after ready when no window asks for a first screen', async () => {
    const { gate, checked } = gateWithCheck(400);
    const ready = Date.now();
    await gate.whenReady();
    await expect.poll(() => checked.length, { timeout: 5000 }).toBe(1);
    expect((checked[0] ?? 0) - ready).toBeGreaterThanOrEqual(350);
    await gate.close();
  });

  it("a backend that cannot be loaded (a broken install) is the program's fault: the screen says so and offers no backup", async () => {
    const dataDir = tempDir('certdesk-program-files-');
    dirs.push(dataDir);
    const gate = startGated({ dataDir, start: () => loadProgram(() => import(`${'./no-such-backend'}.js`)) });
    expect(await gate.whenReady()).toBeNull();
    const refused = gate.reporter.status.refused;
    expect(refused?.kind).toBe('program');
    expect(refused?.message).toBe(PROGRAM_FILES_BROKEN);
    expect(refused?.newestBackup).toBeNull();
    await gate.close();
  });
});

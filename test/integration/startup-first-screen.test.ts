/**
 * Start-up's background work (quick_check, the daily backup, the sweep) shares the cores with the window
 * drawing its first screen (issue 17): it waits until the first screen has been answered (and a second to
 * draw it), or, when no window asks, a while after ready. The list answers at once either way.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startBackend } from '../../main/backend';
import { startGated } from '../../main/startup';
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
  it('waits for the first screen to be answered, then starts about a second later', async () => {
    const { gate, checked } = gateWithCheck(60_000);
    await gate.whenReady();
    await sleep(300);
    expect(checked).toEqual([]);
    const answered = await gate.invoke('app.firstScreen', { tracking: true });
    expect(answered.ok).toBe(true);
    const at = Date.now();
    await sleep(500);
    expect(checked).toEqual([]);
    await expect.poll(() => checked.length, { timeout: 5000 }).toBe(1);
    expect((checked[0] ?? 0) - at).toBeGreaterThanOrEqual(900);
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
});

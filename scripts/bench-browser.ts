/**
 * The first Tracking screen in real Chromium over the bench database: what
 * `npm run web` serves, signed in, from navigation until the first rows are on
 * screen. Each run is a fresh browser context (no cache, no stored state), so it
 * includes loading the renderer, the saved view, the counts and the first page.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, startHarness, type Harness } from '../test/support/harness';

/**
 * Resolves once a record row is visible, checked in the page at every animation frame. Not
 * `locator.waitFor`: Playwright polls that at 0, 20, 50, 100, 100 ms and then every 500 ms, so a
 * first screen of about two seconds was measured up to half a second late (a quarter on average).
 */
export async function firstRowVisible(page: Page, timeout: number): Promise<void> {
  await page.waitForFunction(
    () => {
      const row = document.querySelector('[data-record-id]');
      return row !== null && row.checkVisibility() && row.getBoundingClientRect().height > 0;
    },
    null,
    { polling: 'raf', timeout },
  );
}

export interface FirstScreen {
  /** Milliseconds from navigation to the first record row visible, one per run. */
  samples: number[];
  /** Milliseconds from starting the harness process until it served (open, checks, start-up sweep). */
  harnessStartMs: number;
}

/** Null with a reason when there is no Chromium to drive. */
export function browserUnavailable(): string | null {
  const executable = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  return fs.existsSync(executable) ? null : `no Chromium at ${executable} (set CHROMIUM_PATH)`;
}

export async function measureFirstScreen(dataDir: string, now: Date, runs = 5): Promise<FirstScreen> {
  const t0 = performance.now();
  const harness: Harness = await startHarness({ dataDir, as: 'admin', now, bundled: true });
  const harnessStartMs = performance.now() - t0;
  const browser = await launchChromium();
  try {
    const samples: number[] = [];
    // One unmeasured run first: the harness's first requests warm SQLite's page cache.
    for (let run = 0; run <= runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      const start = performance.now();
      await page.goto(`${harness.url}/#tracking`);
      await firstRowVisible(page, 60_000);
      if (run > 0) samples.push(performance.now() - start);
      await context.close();
    }
    return { samples, harnessStartMs };
  } finally {
    await browser.close();
    await harness.stop();
  }
}

export interface LaunchCase {
  name: string;
  /** The clock the harness starts with: the bench's day, the next day (the daily backup is due), a year later (a year's sweep). */
  now: Date;
  /** Drop the database file's pages from the page cache first (posix_fadvise DONTNEED through `dd iflag=nocache`). */
  cold: boolean;
  runs: number;
  target: number;
}

/**
 * Launch to first rows, as staff feel it: from starting the harness process (open, migrations,
 * the gate) until the first record row is visible in Chromium, each run on a copy of the
 * database (with the data folder's backups linked beside it, so "same day" has today's backup).
 * The background work (check, backup, sweep) goes on after the rows show; the harness is then
 * killed, so a run never waits for it (a copy is thrown away at the end). The harness runs bundled like
 * the app's main process (test/support/bundled-harness.ts): tsx would add its transpiling to every launch.
 */
export async function measureLaunches(dataDir: string, scratch: string, cases: readonly LaunchCase[]): Promise<Array<{ case: LaunchCase; samples: number[] }>> {
  const copy = path.join(scratch, 'launch');
  fs.rmSync(copy, { recursive: true, force: true });
  fs.mkdirSync(path.join(copy, 'backups'), { recursive: true });
  fs.copyFileSync(path.join(dataDir, 'certdesk.sqlite'), path.join(copy, 'certdesk.sqlite'));
  const backups = path.join(dataDir, 'backups');
  if (fs.existsSync(backups)) {
    for (const name of fs.readdirSync(backups)) if (name.endsWith('.sqlite')) fs.linkSync(path.join(backups, name), path.join(copy, 'backups', name));
  }
  // The copy's write-back (1–3 GB) would otherwise overlap the first launches: a desk is not copying its database when opened.
  spawnSync('sync', { stdio: 'ignore' });
  const browser = await launchChromium();
  const out: Array<{ case: LaunchCase; samples: number[] }> = [];
  try {
    for (const c of cases) {
      const samples: number[] = [];
      for (let run = 0; run < c.runs; run++) {
        if (c.cold) dropFromPageCache(path.join(copy, 'certdesk.sqlite'));
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        const start = performance.now();
        const harness = await startHarness({ dataDir: copy, as: 'admin', now: c.now, until: 'listening', bundled: true });
        try {
          const page = await context.newPage();
          await page.goto(`${harness.url}/#tracking`);
          await firstRowVisible(page, 300_000);
          samples.push(performance.now() - start);
        } finally {
          await context.close();
          await harness.kill();
        }
      }
      out.push({ case: c, samples });
    }
  } finally {
    await browser.close();
    fs.rmSync(copy, { recursive: true, force: true });
  }
  return out;
}

/** Evicts a file's pages from the page cache (GNU dd's iflag=nocache with count=0 advises DONTNEED on the whole file). */
function dropFromPageCache(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (fs.existsSync(f)) spawnSync('dd', [`if=${f}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore' });
  }
}

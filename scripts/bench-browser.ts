/**
 * The first Tracking screen in real Chromium over the bench database: what
 * `npm run web` serves, signed in, from navigation until the first rows are on
 * screen. Each run is a fresh browser context (no cache, no stored state), so it
 * includes loading the renderer, the saved view, the counts and the first page.
 */
import fs from 'node:fs';
import { launchChromium, startHarness, type Harness } from '../test/support/harness';

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
  const harness: Harness = await startHarness({ dataDir, as: 'admin', now });
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
      await page.locator('[data-record-id]').first().waitFor({ state: 'visible', timeout: 60_000 });
      if (run > 0) samples.push(performance.now() - start);
      await context.close();
    }
    return { samples, harnessStartMs };
  } finally {
    await browser.close();
    await harness.stop();
  }
}

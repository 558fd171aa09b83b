/**
 * Steps most end-to-end suites share: one signed-in demo browser session per describe,
 * the Tracking list opened with its first rows shown, and a call through the harness's door.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startBrowserSession, type BrowserSession, type Harness } from './harness';

/**
 * Starts a browser session (`startBrowserSession`) before the enclosing describe's tests and closes it
 * after them. `started` receives it (to keep its page and harness at hand, or to prepare the page);
 * `setupTimeout`: how long that start may take, where the describe needs more than vitest's default.
 */
export function browserSessionPerSuite(
  options: { as?: 'admin' | 'staff'; timeout?: number; setupTimeout?: number },
  started: (session: BrowserSession) => void | Promise<void>,
): void {
  let session: BrowserSession | undefined;
  beforeAll(async () => {
    session = await startBrowserSession(options);
    await started(session);
  }, options.setupTimeout);
  afterAll(async () => {
    await session?.close();
  });
}

/** Opens the Tracking list and waits for its rows; `timeout` for a slow first load (then the DOM need not finish loading). */
export async function openTracking(page: Page, harness: Harness, timeout?: number): Promise<void> {
  if (timeout === undefined) {
    await page.goto(`${harness.url}/#tracking`);
    await page.waitForSelector('[data-record-id]');
  } else {
    await page.goto(`${harness.url}/#tracking`, { waitUntil: 'domcontentloaded', timeout });
    await page.waitForSelector('[data-record-id]', { timeout });
  }
}

/** The total under the Tracking list ("1–50 of 1,234 records"); 0 while none is shown. */
export async function listTotal(page: Page): Promise<number> {
  const text =
    (await page
      .locator('.mantine-datatable-pagination-text')
      .innerText()
      .catch(() => '')) || '';
  const m = /of ([\d,]+) records/.exec(text);
  return m?.[1] ? Number(m[1].replace(/,/g, '')) : 0;
}

/** What a call through the harness's door answers (the IPC door's `{ ok, value | error }`). */
export interface HarnessAnswer {
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string };
}

/** A call through the harness's HTTP door (`POST /api/<call>`), as whoever the harness is signed in as. */
export async function harnessCall(harness: Harness, name: string, input: unknown): Promise<HarnessAnswer> {
  const r = await fetch(`${harness.url}/api/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
  return (await r.json()) as HarnessAnswer;
}

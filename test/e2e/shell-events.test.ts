/**
 * Windows that stay in step (Chromium over the harness): a settings change made
 * elsewhere reaches an open Tracking page without a reload (server-sent events,
 * as the desktop app's "settings changed" event), and "Back to Tracking" leaves
 * the settings screen.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, SCREENSHOT_DIR, startBrowserSession, type BrowserSession } from '../support/harness';

describe('Settings changes reach every window (Chromium, npm run web)', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await startBrowserSession({ timeout: 20_000 });
  });
  afterAll(async () => {
    await session?.close();
  });

  it('shows the new n in the Tracking header as soon as another window changes it', async () => {
    const { page, harness } = session;
    await page.goto(harness.url);
    const header = page.getByText(/Today .* · n = \d+/);
    await expect.poll(() => header.innerText(), { timeout: 30_000 }).toMatch(/n = 30$/);
    // Another window (here: a direct call, as the settings window's page makes it).
    await apiCall(harness, 'settings.setExpiringDays', { expiringDays: 45 });
    await expect.poll(() => header.innerText(), { timeout: 10_000 }).toMatch(/n = 45$/);
  });

  it('"Back to Tracking" on the settings screen returns to Tracking (the harness has no second window to close)', async () => {
    const { page, harness } = session;
    await page.goto(`${harness.url}/#settings`);
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'settings-before-back.png') });
    await page.getByRole('link', { name: 'Back to Tracking' }).click();
    await page.getByRole('heading', { name: 'Tracking' }).waitFor();
    expect(new URL(page.url()).hash).toBe('#tracking');
  });
});

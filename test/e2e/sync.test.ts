/**
 * Sync export from the admin settings window (Chromium, `npm run web`): set the
 * folder and schedule, Export now, see the run listed, and the batches verify.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { verifyFolder } from '../../main/sync/verify';
import { SCREENSHOT_DIR, type Harness } from '../support/harness';
import { browserSessionPerSuite } from '../support/e2e';

describe('Sync export settings (Chromium, npm run web)', () => {
  let harness: Harness;
  let page: Page;

  browserSessionPerSuite({ timeout: 15_000 }, (session) => {
    ({ harness, page } = session);
  });

  it('sets the folder and schedule, exports now, lists the run, and the batches verify', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-sync-'));
    await page.goto(`${harness.url}/#settings`);
    await page.getByRole('tab', { name: 'Sync export' }).click();
    // A relative folder is refused with a message next to nothing half-saved.
    await page.getByLabel('Folder', { exact: true }).fill('exports');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('sync-error').innerText()).toContain('full path');
    await page.getByLabel('Folder', { exact: true }).fill(folder);
    await page.getByRole('combobox', { name: 'Schedule' }).click();
    await page.getByRole('option', { name: 'Every hour' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Export now' }).isEnabled()).toBe(true);
    await page.getByRole('button', { name: 'Export now' }).click();
    const runs = page.getByTestId('sync-runs');
    await expect.poll(() => runs.innerText(), { timeout: 20_000 }).toMatch(/manual.*exported/is);
    await expect.poll(() => page.getByTestId('sync-pending').innerText()).toContain('0 changes waiting');
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'settings-sync.png') });
    const report = await verifyFolder(folder);
    expect(report.problems).toEqual([]);
    expect(report.batches.length).toBeGreaterThan(0);
  });
});

/**
 * A big CSV file's preview shows its progress (issue #17: long work shows
 * progress): the Import dialog says it is reading the file, with a bar, until
 * the counts arrive; meanwhile the Tracking list behind it still answers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { queryDb } from '../support/db';
import { SCREENSHOT_DIR, type Harness } from '../support/harness';
import { browserSessionPerSuite, openTracking } from '../support/e2e';

const ROWS = 50_000;

describe('a big import preview shows progress (Chromium, npm run web)', () => {
  let harness: Harness;
  let page: Page;

  browserSessionPerSuite({ timeout: 20_000 }, (session) => {
    ({ harness, page } = session);
  });

  it('50,000 contacts: "Reading the file" with a bar, then the counts; the import adds every one', async () => {
    const lines = ['Member Number,First Name,Last Name,Email,Organization'];
    for (let i = 0; i < ROWS; i++) lines.push(`P-${100000 + i},Zoë,Preview${i},zoe.preview${i}@example.org,"Regional Health, Unit ${i % 40}"`);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-csv-')), 'contacts.csv');
    fs.writeFileSync(file, `${lines.join('\r\n')}\r\n`);
    await openTracking(page, harness);
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByTestId('import-modal').waitFor();
    await page.locator('input[type=file]').setInputFiles(file);

    const progress = page.getByTestId('import-preview-progress');
    await progress.waitFor({ timeout: 20_000 });
    expect(await progress.innerText()).toMatch(/Reading the file|Checking 50,000 rows/);
    expect(await progress.getByRole('progressbar', { name: 'Preview progress' }).count()).toBe(1);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'import-preview-progress.png') });

    await expect.poll(() => page.getByTestId('import-preview').innerText(), { timeout: 60_000 }).toMatch(/50,000\s*new/);
    expect(await progress.count(), 'the progress is gone once the counts show').toBe(0);
    await page.getByRole('button', { name: /^Import 50,000 rows/ }).click();
    await expect
      .poll(async () => (await queryDb<{ n: number }>(harness.dataDir, "select count(*) as n from contacts where member_number like 'P-%'"))[0]?.n, {
        timeout: 90_000,
      })
      .toBe(ROWS);
  }, 240_000);
});

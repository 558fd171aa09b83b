/**
 * CSV import from the Tracking page (Chromium, `npm run web`): a preview with
 * counts and rejected lines, then the import; the contacts are then found.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDb } from '../support/db';
import { SCREENSHOT_DIR, startBrowserSession, type BrowserSession, type Harness } from '../support/harness';


describe('CSV import (Chromium, npm run web)', () => {
  let session: BrowserSession;
  let harness: Harness;
  let page: Page;

  beforeAll(async () => {
    session = await startBrowserSession({ timeout: 15_000 });
    ({ harness, page } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  it('previews new and rejected rows, imports exactly the valid ones, and finds the new contacts', async () => {
    const csv = [
      'Member Number,First Name,Last Name,Email,Organization',
      'Z-9001,Zoë,Öztürk,zoe.ozturk@example.org,Ankara Nurses',
      'Z-9002,İlkay,Yıldırım,ilkay@example.org,"Istanbul, Medical"',
      'Z-9003,,,broken-email,',
    ].join('\r\n');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-csv-')), 'contacts.csv');
    fs.writeFileSync(file, `\uFEFF${csv}\r\n`);
    await page.goto(harness.url);
    await page.waitForSelector('[data-record-id]');
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByTestId('import-modal').waitFor();
    await page.locator('input[type=file]').setInputFiles(file);
    const preview = page.getByTestId('import-preview');
    await expect.poll(() => preview.innerText()).toMatch(/2\s*new/);
    await expect.poll(() => page.getByTestId('import-rejected').innerText()).toContain('Line 4');
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'import-preview.png') });
    const before = (await queryDb<{ n: number }>(harness.dataDir, 'select count(*) as n from contacts'))[0]?.n ?? 0;
    await page.getByRole('button', { name: /^Import 2 rows/ }).click();
    await expect.poll(async () => (await queryDb<{ n: number }>(harness.dataDir, 'select count(*) as n from contacts'))[0]?.n).toBe(before + 2);
    const [zoe] = await queryDb<{ first_name: string; last_name: string; organization: string }>(
      harness.dataDir,
      "select first_name, last_name, organization from contacts where member_number = 'Z-9001'",
    );
    expect(zoe).toEqual({ first_name: 'Zoë', last_name: 'Öztürk', organization: 'Ankara Nurses' });

    // Not enrolled anywhere yet: the list says so when searched, case-insensitively beyond ASCII.
    await page.getByLabel('Contact name').fill('zoë ÖZTÜRK');
    await expect.poll(() => page.getByTestId('not-enrolled-hint').innerText()).toContain('Zoë Öztürk');
  });
});

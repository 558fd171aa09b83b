/**
 * Moving in (issue #15): existing certification records from the previous
 * system through the Import dialog (Chromium, `npm run web`). The preview says
 * line by line what will be stored — an Active certificate that lapsed last
 * year becomes Expired, with the reason — and the Tracking list then shows the
 * records with the engine's statuses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { addDays, addYears } from '../../main/rules/calendar';
import { queryDb } from '../support/db';
import { SCREENSHOT_DIR, type Harness } from '../support/harness';
import { browserSessionPerSuite, openTracking } from '../support/e2e';

describe('records CSV through the Import dialog (Chromium, npm run web)', () => {
  let harness: Harness;
  let page: Page;

  browserSessionPerSuite({ timeout: 20_000 }, (session) => {
    ({ harness, page } = session);
  });

  async function importFile(kind: string, file: string, rows: number): Promise<void> {
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByTestId('import-modal').waitFor();
    await page.getByTestId('import-modal').getByText(kind, { exact: true }).click();
    await page.locator('input[type=file]').setInputFiles(file);
    await expect.poll(() => page.getByTestId('import-preview').innerText()).toMatch(new RegExp(`${rows}\\s*new`));
  }

  it('previews each line with the status the engine derives, imports, and the Tracking list shows the statuses', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-records-'));
    const contacts = path.join(dir, 'contacts.csv');
    fs.writeFileSync(
      contacts,
      'Member Number,First Name,Last Name,Email\r\nR-1,Ingrid,Halvorsen,ingrid@example.org\r\nR-2,Tomás,Quiroga,tomas@example.org\r\nR-3,Wanjiru,Kamau,wanjiru@example.org\r\n',
    );
    await openTracking(page, harness);
    await importFile('Contacts', contacts, 3);
    await page.getByRole('button', { name: /^Import 3 rows/ }).click();
    await expect
      .poll(async () => (await queryDb<{ n: number }>(harness.dataDir, "select count(*) as n from contacts where member_number like 'R-%'"))[0]?.n)
      .toBe(3);

    // ETH is valid one year: a completion 20 days short of a year ago expires in 20 days (Expiring, n = 30).
    const today = new Date().toISOString().slice(0, 10);
    const expiringCompletion = addDays(addYears(today, -1), 20);
    const records = path.join(dir, 'old-system-records.csv');
    fs.writeFileSync(
      records,
      [
        'Member Number,Certification Code,Status,Applied,Started,Completed,Approved,Expires,Cycle,Completed Components',
        'R-1,ETH,Active,,2023-01-10,2023-02-01,,,,Ethics in Practice; Case study review',
        'R-1,CAE,active,,2025-01-05,2025-06-01,,,,',
        `R-2,ETH,ACTIVE,,,${expiringCompletion},,,,`,
        'R-3,FNM,cancelled,2024-01-02,2024-01-02,,,,,Nonprofit Basics',
        'R-3,CMP,Active,,,,,,,',
      ].join('\r\n') + '\r\n',
    );
    await importFile('Existing records', records, 4);
    const changes = page.getByTestId('import-changes');
    await expect.poll(() => changes.innerText()).toContain('Status: Active in the file → Expired');
    await expect.poll(() => changes.innerText()).toContain('The file says Active; expiration date 2024-02-01 has passed');
    await expect.poll(() => page.getByTestId('import-rejected').innerText()).toContain('Active needs a completed date.');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'import-records-preview.png') });
    await page.getByRole('button', { name: /^Import 4 rows/ }).click();
    await expect
      .poll(
        async () =>
          (
            await queryDb<{ n: number }>(
              harness.dataDir,
              "select count(*) as n from records r join contacts c on c.id = r.contact_id where c.member_number like 'R-%'",
            )
          )[0]?.n,
        { timeout: 20_000 },
      )
      .toBe(4);

    // The Tracking list: the engine's statuses, not the file's words.
    await page.getByLabel('Contact name').fill('halvorsen');
    const row = (name: string, certification: string) => page.locator('[data-record-id]', { hasText: name }).filter({ hasText: certification });
    await expect.poll(() => row('Ingrid Halvorsen', 'Continuing Education in Ethics').textContent()).toContain('Expired');
    await expect.poll(() => row('Ingrid Halvorsen', 'Certified Association Executive').textContent()).toContain('Active');
    await page.getByLabel('Contact name').fill('quiroga');
    await expect.poll(() => row('Tomás Quiroga', 'Continuing Education in Ethics').textContent()).toContain('Expiring');
    await page.getByLabel('Contact name').fill('kamau');
    await expect.poll(() => row('Wanjiru Kamau', 'Foundations of Nonprofit Management').textContent()).toContain('Cancelled');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'import-records-tracking.png') });
  }, 180_000);
});

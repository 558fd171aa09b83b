/**
 * End to end through `npm run web` in Debian Chromium: the Tracking page shows
 * the demo records, and a status change made through the API shows on the page
 * and in the record's history.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { queryDb } from '../support/db';
import { apiCall, SCREENSHOT_DIR, type Harness } from '../support/harness';
import { browserSessionPerSuite, openTracking } from '../support/e2e';

describe('Tracking page in Chromium (npm run web)', () => {
  let harness: Harness;
  let page: Page;

  browserSessionPerSuite({ timeout: 10_000 }, (session) => {
    ({ harness, page } = session);
  });

  it('shows the demo records with their status and dates, and the total from the database', async () => {
    await openTracking(page, harness);
    const [countRow] = await queryDb<{ n: number }>(harness.dataDir, 'select count(*) as n from records');
    const n = countRow?.n ?? 0;
    expect(n).toBeGreaterThan(300);
    await expect.poll(() => page.getByText(`1–50 of ${n} records`).count()).toBe(1);
    expect(await page.locator('[data-record-id]').count()).toBe(50);

    // The first row is the first record by contact name, as the database orders it.
    const [first] = await queryDb<{ id: number; status: string; first_name: string; last_name: string }>(
      harness.dataDir,
      `select r.id, r.status, c.first_name, c.last_name from records r join contacts c on c.id = r.contact_id
       order by r.sort_name, r.id limit 1`,
    );
    const row = page.locator('[data-record-id]').first();
    await expect.poll(() => row.getAttribute('data-record-id')).toBe(String(first?.id));
    expect(await row.innerText()).toContain(`${first?.first_name} ${first?.last_name}`);
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe(first?.status);

    // All ten statuses exist in the demo data.
    const statuses = await queryDb<{ status: string }>(harness.dataDir, 'select distinct status from records');
    expect(statuses.length).toBe(10);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'tracking-list.png') });
  });

  it('shows a status change made through the API on the page and in history', async () => {
    const [applied] = await queryDb<{ id: number }>(harness.dataDir, "select id from records where status = 'Applied' order by id limit 1");
    expect(applied).toBeDefined();
    const id = applied?.id as number;
    await apiCall(harness, 'records.setStatus', { id, to: 'Declined', reason: 'Incomplete application form' });

    await page.reload();
    await page.getByRole('combobox', { name: 'Quick Filter' }).click();
    await page.getByRole('option', { name: /^Declined \(\d+\)$/ }).click();
    const row = page.locator(`[data-record-id="${id}"]`);
    // The declined record may be on a later page: page until it shows.
    for (let i = 0; i < 10 && (await row.count()) === 0; i++) await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => row.locator('[data-status]').getAttribute('data-status')).toBe('Declined');

    await row.click();
    const history = page.getByTestId('record-history');
    await history.waitFor();
    const newest = history.locator('.mantine-Timeline-item').first();
    await expect.poll(() => newest.innerText()).toContain('Incomplete application form');
    const text = await newest.innerText();
    expect(text).toMatch(/APPLIED\s*→\s*DECLINED/i);
    expect(text).toContain('Avery Admin');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'record-history.png') });

    const [h] = await queryDb<{ from_status: string; to_status: string; actor_name: string }>(
      harness.dataDir,
      'select from_status, to_status, actor_name from record_history where record_id = ? order by id desc limit 1',
      [id],
    );
    expect(h).toEqual({ from_status: 'Applied', to_status: 'Declined', actor_name: 'Avery Admin' });
  });
});

/**
 * End to end through `npm run web` in Debian Chromium: the Tracking page shows
 * the demo records, and a status change made through the API shows on the page
 * and in the record's history.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { queryDb } from '../support/db';
import { apiCall, SCREENSHOT_DIR, type BrowserSession, type Harness } from '../support/harness';
import { browserSessionPerSuite, openTracking } from '../support/e2e';

describe('Tracking page in Chromium (npm run web)', () => {
  let harness: Harness;
  let page: Page;
  let browser: BrowserSession['browser'];

  browserSessionPerSuite({ timeout: 10_000 }, (session) => {
    ({ harness, page, browser } = session);
  });

  it("opens on the first screen's one answer: the rows show while start-up is never asked about", async () => {
    // The answer to app.firstScreen comes only once start-up is ready, so the page needs no startup.status to open.
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const fresh = await context.newPage();
      const asked: string[] = [];
      fresh.on('request', (r) => asked.push(new URL(r.url()).pathname));
      await fresh.route('**/api/startup.status', () => undefined); // never answered
      await fresh.goto(`${harness.url}/#tracking`);
      await fresh.locator('[data-record-id]').first().waitFor({ timeout: 10_000 });
      await expect.poll(() => fresh.locator('[data-record-id]').count()).toBe(50);
      // One call brought the first screen: no separate app.info, view, list, counts or programs.
      const calls = asked.filter((p) => p.startsWith('/api/') && p !== '/api/startup.status');
      expect(calls[0]).toBe('/api/app.firstScreen');
      expect(calls).not.toContain('/api/tracking.list');
      expect(calls).not.toContain('/api/app.info');
      // Once its rows are on screen the page tells main, which starts the check, backup and sweep then.
      await expect.poll(() => asked.filter((p) => p === '/api/startup.firstScreenShown').length).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('shows the demo records with their status and dates, and the total from the database', async () => {
    await openTracking(page, harness);
    const [countRow] = await queryDb<{ n: number }>(harness.dataDir, 'select count(*) as n from records');
    const n = countRow?.n ?? 0;
    expect(n).toBeGreaterThan(300);
    await expect.poll(() => page.getByText(`1–50 of ${n} records`).count()).toBe(1);
    // The first 20 rows are drawn first, the rest right after they are painted.
    await expect.poll(() => page.locator('[data-record-id]').count()).toBe(50);

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

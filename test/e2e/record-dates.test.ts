/**
 * Dates in the record drawer, in Debian Chromium (SPEC §6): a typed day that
 * does not exist is an error on the field and nothing is saved (2026-02-30
 * never becomes 2 March); a date that makes the record Expired is saved only
 * after staff confirm it.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeFindings } from '../support/axe';
import { queryDb } from '../support/db';
import { SCREENSHOT_DIR, type Harness } from '../support/harness';
import { browserSessionPerSuite, openTracking } from '../support/e2e';

describe('dates in the record drawer (Chromium, npm run web)', () => {
  let harness: Harness;
  let page: Page;

  browserSessionPerSuite({ timeout: 10_000 }, async (session) => {
    ({ harness, page } = session);
    await openTracking(page, harness);
  });

  it('refuses 2026-02-30 on the field, then asks before a past date makes the record Expired', async () => {
    const [rec] = await queryDb<{ id: number; name: string; expires_on: string; completed_on: string }>(
      harness.dataDir,
      "select r.id, c.first_name || ' ' || c.last_name as name, r.expires_on, r.completed_on from records r join contacts c on c.id = r.contact_id where r.status = 'Active' and r.expires_on is not null order by r.id limit 1",
    );
    const stored = async () =>
      (await queryDb<{ status: string; expires_on: string }>(harness.dataDir, 'select status, expires_on from records where id = ?', [rec?.id]))[0];
    await page.getByLabel('Contact name').fill(rec?.name ?? '');
    await page.waitForTimeout(300);
    await page.locator(`[data-record-id="${rec?.id}"]`).click();
    await page.getByRole('button', { name: 'Change', exact: true }).click();
    const field = page.getByLabel('New expiration date');
    await field.fill('2026-02-30');
    await field.press('Tab');
    await page.getByLabel('Reason').fill('Typo test');
    const dropdown = page.locator('.mantine-Popover-dropdown').filter({ has: field });
    await expect.poll(() => dropdown.innerText()).toContain('2026-02-30 is not a date: February 2026 has 28 days.');
    const submit = dropdown.getByRole('button', { name: 'Change expiration date' });
    expect(await submit.isDisabled()).toBe(true);
    expect(await field.inputValue()).toBe('2026-02-30');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'record-date-refused.png') });
    expect(await stored()).toEqual({ status: 'Active', expires_on: rec?.expires_on });

    // A real day, but after the completion and before today: Expired at once, so staff confirm.
    await field.fill(rec?.completed_on ?? '');
    await field.press('Tab');
    await expect.poll(() => submit.isDisabled()).toBe(false);
    await submit.click();
    await expect.poll(() => dropdown.innerText()).toContain('this certification becomes Expired at once');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'record-date-confirm.png') });
    expect(await stored()).toEqual({ status: 'Active', expires_on: rec?.expires_on });
    await dropdown.getByRole('button', { name: 'Yes, change expiration date' }).click();
    await expect.poll(async () => (await stored())?.status).toBe('Expired');
    expect((await stored())?.expires_on).toBe(rec?.completed_on);
  });

  it('Record completion with the mouse: the calendar opens beside the date, so Save is clickable at once and records today', async () => {
    const [rec] = await queryDb<{ id: number; name: string }>(
      harness.dataDir,
      "select r.id, c.first_name || ' ' || c.last_name as name from records r join contacts c on c.id = r.contact_id where r.status = 'In Progress' order by r.id limit 1",
    );
    const done = async () =>
      (await queryDb<{ n: number }>(harness.dataDir, 'select count(*) as n from component_progress where record_id = ?', [rec?.id]))[0]?.n ?? 0;
    const before = await done();
    await page.keyboard.press('Escape');
    await page.getByLabel('Contact name').fill(rec?.name ?? '');
    await page.waitForTimeout(300);
    await page.locator(`[data-record-id="${rec?.id}"]`).click();
    await page.getByRole('button', { name: 'Record completion' }).first().click();
    const field = page.getByLabel(/ completed on$/);
    await field.waitFor();
    // The field has the focus, and its calendar opens with it: beside the form, not over the Save button.
    const form = page.locator('.mantine-Popover-dropdown').filter({ has: field }).first();
    await form.getByRole('table').first().waitFor();
    expect(await seriousAxeFindings(page)).toEqual([]);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'record-completion-calendar.png') });
    await form.getByRole('button', { name: 'Save', exact: true }).click({ timeout: 5_000 });
    await expect.poll(done).toBe(before + 1);
  });
});

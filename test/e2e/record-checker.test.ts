/**
 * The record checker and the reminder schedule end to end (Chromium, `npm run web`, #settings):
 * contradictions written straight into the harness's database file are found by "Check all
 * records" under the rule they break, and one click fixes one through the rules engine, with a
 * history entry; an admin adds a reminder to a certification's schedule and it is stored.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { queryDb, scalar, writeDb } from '../support/db';
import { backgroundSettled, SCREENSHOT_DIR, type Harness } from '../support/harness';
import { browserSessionPerSuite } from '../support/e2e';

describe('Record checker and reminder schedule (Chromium, npm run web)', () => {
  let harness: Harness;
  let page: Page;

  browserSessionPerSuite({ timeout: 20_000, setupTimeout: 180_000 }, (session) => {
    ({ harness, page } = session);
  });

  it('finds records seeded with contradictions and fixes one in one click, with history', { timeout: 120_000 }, async () => {
    // The contradictions are written behind the app's back: after start-up's sweep, which would mend the second.
    await backgroundSettled(harness);
    const [noStart] = await queryDb<{ id: number }>(harness.dataDir, "select min(id) as id from records where status = 'In Progress'");
    const [early] = await queryDb<{ id: number }>(harness.dataDir, "select min(id) as id from records where status = 'Active' and expires_on is not null");
    expect(noStart?.id).toBeGreaterThan(0);
    expect(early?.id).toBeGreaterThan(0);
    await writeDb(harness.dataDir, 'update records set started_on = null where id = ?', [noStart?.id]);
    await writeDb(harness.dataDir, "update records set status = 'Expired' where id = ?", [early?.id]);

    await page.goto(`${harness.url}/#settings`);
    await page.getByRole('tab', { name: 'Record checker' }).click();
    await page.getByRole('button', { name: 'Check all records' }).click();
    await expect.poll(() => page.getByTestId('checker-summary').innerText()).toMatch(/records checked on/);
    const rule = page.getByTestId('rule-cycle-without-start');
    await expect.poll(() => rule.innerText()).toContain('A cycle with no start date');
    expect(await rule.innerText()).toContain('has a cycle that started on a day');
    expect(await page.getByTestId('rule-expired-before-date').innerText()).toContain(`${early?.id} (cycle`);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'record-checker.png') });
    // Dark: the page opened in the dark scheme (switching an open page left Mantine's cards light in the screenshot).
    const checkIn = async (scheme: 'dark' | 'light') => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.reload();
      await page.getByRole('tab', { name: 'Record checker' }).click();
      await page.getByRole('button', { name: 'Check all records' }).click();
      await expect.poll(() => page.getByTestId('rule-cycle-without-start').count()).toBe(1);
    };
    await checkIn('dark');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'record-checker-dark.png') });
    await checkIn('light');

    await rule.getByRole('button', { name: `Fix record ${noStart?.id}` }).click();
    await expect.poll(() => scalar(harness.dataDir, 'select count(*) as n from records where id = ? and started_on is not null', [noStart?.id])).toBe(1);
    // The list is checked again after the fix: that rule is gone, the other one stays.
    await expect.poll(() => page.getByTestId('rule-cycle-without-start').count()).toBe(0);
    expect(await page.getByTestId('rule-expired-before-date').count()).toBe(1);
    expect(
      await scalar(harness.dataDir, "select count(*) as n from record_history where record_id = ? and kind = 'check' and detail like 'Record checker:%'", [
        noStart?.id,
      ]),
    ).toBe(1);
    expect(await scalar(harness.dataDir, "select count(*) as n from change_log where entity = 'record' and entity_id = ?", [noStart?.id])).toBeGreaterThan(0);
  });

  it('adds a reminder to a certification’s schedule in the program editor', { timeout: 120_000 }, async () => {
    await page.goto(`${harness.url}/#settings`);
    await page.getByRole('tab', { name: 'Certification programs' }).click();
    await page.locator('[data-program=ETH]').getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: /Edit / });
    const schedule = dialog.getByTestId('reminder-schedule');
    await schedule.getByRole('button', { name: '+ Reminder' }).click();
    await schedule.getByRole('button', { name: '+ Reminder' }).click();
    await schedule.getByLabel('Reminder 1 subject').fill('Renew soon');
    await schedule.getByRole('button', { name: 'Save reminders' }).click();
    await expect.poll(() => scalar(harness.dataDir, "select count(*) as n from programs where code = 'ETH' and reminder_schedule like '%Renew soon%'")).toBe(1);
    const [stored] = await queryDb<{ s: string }>(harness.dataDir, "select reminder_schedule as s from programs where code = 'ETH'");
    expect((JSON.parse(stored?.s ?? '[]') as Array<{ days: number; when: string }>).map((r) => `${r.days} ${r.when}`)).toEqual(['90 before', '60 before']);
    await dialog.getByTestId('reminder-schedule').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'reminder-schedule.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'reminder-schedule-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

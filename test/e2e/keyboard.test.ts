/**
 * The Tracking page with the keyboard only (Chromium, `npm run web`): rows reached
 * with Tab and the arrow keys and opened with Enter; Esc closes a pop-over before the
 * record; the page's shortcuts; the colour scheme switch; dates in the user's locale.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDb } from '../support/db';
import { apiCall, launchChromium, SCREENSHOT_DIR, startHarness, type Harness } from '../support/harness';
import { openTracking } from '../support/e2e';

describe('Keyboard, colour scheme and dates (Chromium, npm run web)', { timeout: 90_000 }, () => {
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  const focusedRecord = () => page.evaluate(() => document.activeElement?.getAttribute('data-record-id') ?? null);
  const listShown = () => page.waitForFunction(() => document.querySelector('[data-testid="tracking-table"]')?.getAttribute('aria-busy') === 'false');

  beforeAll(async () => {
    harness = await startHarness({ demo: true, as: 'admin' });
    browser = await launchChromium();
    // A locale that writes dates its own way, and a time zone far behind UTC: a calendar date must not move a day.
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'de-DE', timezoneId: 'Pacific/Honolulu' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    // Records being worked on, sorted by name: the first rows have a completion to record.
    await apiCall(harness, 'tracking.saveView', {
      quick: { kind: 'status', status: 'In Progress' },
      filter: null,
      search: '',
      sort: { column: 'contactName', direction: 'asc' },
      pageSize: 50,
    });
    await openTracking(page, harness);
    await listShown();
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.stop();
  });

  it('reaches the rows with Tab, moves with the arrow keys, and opens the record with Enter', async () => {
    const ids = await page.locator('[data-record-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-record-id')));
    await page.keyboard.press('Control+F');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('placeholder'))).toBe('Search by name');
    for (let i = 0; i < 60 && (await focusedRecord()) === null; i++) await page.keyboard.press('Tab');
    expect(await focusedRecord()).toBe(ids[0]);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    expect(await focusedRecord()).toBe(ids[1]);
    await page.keyboard.press('Enter');
    const drawer = page.getByRole('dialog', { name: 'Certification record' });
    await page.getByTestId('record-history').waitFor();
    const [contact] = await queryDb<{ name: string }>(
      harness.dataDir,
      "select c.first_name || ' ' || c.last_name as name from records r join contacts c on c.id = r.contact_id where r.id = ?",
      [Number(ids[1])],
    );
    expect(await drawer.getByRole('heading', { level: 3 }).innerText()).toBe(contact?.name);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'record-drawer-keyboard.png') });
  });

  it('Esc in a pop-over closes the pop-over, the next Esc the record, and focus returns to the row', async () => {
    const trigger = page.getByRole('button', { name: 'Record completion' }).first();
    await trigger.focus();
    await page.keyboard.press('Enter');
    const save = page.getByRole('dialog').getByRole('button', { name: 'Save', exact: true });
    await save.waitFor();
    await page.keyboard.press('Escape');
    await save.waitFor({ state: 'detached' });
    expect(await page.getByTestId('record-history').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByTestId('record-history').waitFor({ state: 'detached' });
    await expect.poll(focusedRecord).not.toBeNull();
  });

  it('Record application and Enroll contact open with Enter at the field to type in, and Esc returns focus to their button', async () => {
    const focusedLabel = () =>
      page.evaluate(() => {
        const e = document.activeElement;
        return e?.id ? (document.querySelector(`label[for="${e.id}"]`)?.textContent ?? e.textContent) : (e?.textContent ?? null);
      });
    for (const [button, title, first] of [
      ['Record application', 'Record application', 'Contact'],
      ['Enroll contact', 'Enroll a contact in a certification', 'Contact'],
      ['Import…', 'Import from CSV', null],
    ] as const) {
      await page.getByRole('button', { name: button, exact: true }).first().focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: title });
      await dialog.waitFor();
      if (first) {
        await expect.poll(focusedLabel).toBe(first);
        // Its list opens with it ("Type at least two letters"); the first Esc closes the list, as in any combobox.
        await page.getByRole('listbox').waitFor();
        await page.keyboard.press('Escape');
        await page.getByRole('listbox').waitFor({ state: 'detached' });
      }
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await expect.poll(focusedLabel).toBe(button);
    }
  });

  it('Ctrl+Shift+F opens the Customize Filter, Ctrl+E exports the list to CSV', async () => {
    await page.keyboard.press('Control+Shift+F');
    await page.getByTestId('filter-builder').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('filter-builder').waitFor({ state: 'detached' });
    // The harness hands the file to the browser as a download (the desktop app asks where to save).
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.keyboard.press('Control+E')]);
    const lines = fs
      .readFileSync(await download.path(), 'utf8')
      .trimEnd()
      .split('\r\n');
    const [inProgress] = await queryDb<{ n: number }>(harness.dataDir, "select count(*) as n from records where status = 'In Progress'");
    expect(lines.length - 1).toBe(inProgress?.n);
  });

  it('shows every date in the user locale without moving it a day', async () => {
    const [rec] = await queryDb<{ id: number; applied_on: string }>(
      harness.dataDir,
      "select id, applied_on from records where status = 'In Progress' and applied_on is not null order by id limit 1",
    );
    const [y, m, d] = (rec?.applied_on ?? '').split('-').map(Number) as [number, number, number];
    const expected = new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
    expect(expected).toMatch(/^\d{2}\.\d{2}\.\d{4}$/);
    const row = page.locator(`[data-record-id="${rec?.id}"]`);
    await expect.poll(() => row.innerText()).toContain(expected);
    expect(await row.innerText()).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  it('follows the system colour scheme, and the user menu switch overrides it and is kept', async () => {
    const scheme = () => page.locator('html').getAttribute('data-mantine-color-scheme');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(scheme).toBe('dark');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'tracking-dark.png') });
    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: /^Light/ }).click();
    await expect.poll(scheme).toBe('light');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'tracking-light.png') });
    await page.reload();
    await page.waitForSelector('[data-record-id]');
    expect(await scheme()).toBe('light');
    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: /^Follow the system/ }).click();
    await expect.poll(scheme).toBe('dark');
  });
});

/**
 * The Tracking page end to end in Debian Chromium through `npm run web`:
 * Quick Filter counts, Customize Filter, saved filters, the record, bulk work,
 * CSV export and the "not enrolled" pitfall — each checked against the database.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { queryDb } from '../support/db';
import { STATUSES } from '../../main/rules/statuses';
import { apiCall, SCREENSHOT_DIR, type Harness } from '../support/harness';
import { browserSessionPerSuite, listTotal, openTracking } from '../support/e2e';

const count = async (dataDir: string, where: string, params: unknown[] = []) =>
  (await queryDb<{ n: number }>(dataDir, `select count(*) as n from records r where ${where}`, params))[0]?.n ?? -1;

describe('Tracking page (Chromium, npm run web)', () => {
  let harness: Harness;
  let page: Page;

  const total = () => listTotal(page);
  const chooseQuick = async (label: RegExp) => {
    await page.getByRole('combobox', { name: 'Quick Filter' }).click();
    await page.getByRole('option', { name: label }).click();
  };
  /** Waits until the list shows what was asked: no search waiting for its pause, no list being fetched. */
  const settle = async () => {
    await page.waitForFunction(() => document.querySelector('[data-testid="tracking-table"]')?.getAttribute('aria-busy') === 'false');
  };

  browserSessionPerSuite({ timeout: 10_000 }, async (session) => {
    ({ harness, page } = session);
    await openTracking(page, harness);
  });

  it('each Quick Filter status shows exactly its records, and the drop-down count equals the rows', async () => {
    for (const status of STATUSES) {
      await chooseQuick(new RegExp(`^${status} \\(\\d+\\)$`));
      await settle();
      const inDb = await count(harness.dataDir, 'r.status = ?', [status]);
      await expect.poll(total).toBe(inDb);
      const label = await page.getByRole('combobox', { name: 'Quick Filter' }).inputValue();
      expect(label).toBe(`${status} (${inDb})`);
      const shown = await page.locator('[data-record-id] [data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
      expect(shown.length).toBe(Math.min(inDb, 50));
      expect(new Set(shown)).toEqual(new Set(inDb ? [status] : []));
    }
    await chooseQuick(/^All \(\d+\)$/);
    await settle();
    await expect.poll(total).toBe(await count(harness.dataDir, '1 = 1'));
    // Eleven lists, each waited for until it is shown: more than one default test time on a busy machine.
  }, 90_000);

  it('a Customize Filter with an OR group and a relative date returns the records the database says', async () => {
    const [today] = await queryDb<{ d: string }>(harness.dataDir, "select date('now') as d");
    expect(today).toBeDefined();
    const tree = {
      combinator: 'and',
      not: false,
      rules: [
        { field: 'expiresOn', operator: 'inNextDays', value: 30 },
        {
          combinator: 'or',
          not: false,
          rules: [
            { field: 'status', operator: '=', value: 'Expiring' },
            { field: 'status', operator: '=', value: 'Active' },
          ],
        },
      ],
    };
    await apiCall(harness, 'filters.save', { name: 'Renewals this month', tree });
    await page.reload();
    await page.waitForSelector('[data-record-id]');
    await page.getByTestId('saved-filters').click();
    await page.getByRole('menuitem', { name: 'Renewals this month' }).click();
    await page.keyboard.press('Escape');
    await settle();
    const info = await apiCall<{ today: string }>(harness, 'app.info', {});
    const expected = await count(harness.dataDir, "r.expires_on between ? and date(?, '+30 days') and r.status in ('Expiring', 'Active')", [
      info.today,
      info.today,
    ]);
    expect(expected).toBeGreaterThan(0);
    await expect.poll(total).toBe(expected);
    await expect.poll(() => page.getByTestId('active-filter').innerText()).toContain('in the next');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'tracking-filtered.png') });

    // The current filter survives a restart of the page (saved in main).
    await page.reload();
    await page.waitForSelector('[data-record-id]');
    await expect.poll(total).toBe(expected);

    // And the builder opens on it.
    await page.getByTestId('customize-filter').click();
    await page.getByTestId('filter-builder').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'filter-builder.png') });
    await page.getByRole('button', { name: 'Clear filter' }).click();
    await settle();
    await expect.poll(total).toBe(await count(harness.dataDir, '1 = 1'));
  });

  it('a manual status change from the record updates the list, the count and the history', async () => {
    const [rec] = await queryDb<{ id: number; name: string }>(
      harness.dataDir,
      "select r.id, c.first_name || ' ' || c.last_name as name from records r join contacts c on c.id = r.contact_id where r.status = 'In Progress' order by r.id limit 1",
    );
    const inactiveBefore = await count(harness.dataDir, "r.status = 'Inactive'");
    await page.getByLabel('Contact name').fill(rec?.name ?? '');
    await settle();
    const row = page.locator(`[data-record-id="${rec?.id}"]`);
    await row.click();
    await page.getByRole('button', { name: 'Mark inactive' }).click();
    const dialog = page.getByRole('dialog', { name: /Mark inactive/ });
    await expect.poll(() => dialog.getByRole('button', { name: 'Set Inactive' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Reason').fill('On parental leave until spring');
    await dialog.getByRole('button', { name: 'Set Inactive' }).click();
    const history = page.getByTestId('record-history');
    await expect.poll(() => history.locator('.mantine-Timeline-item').first().innerText()).toContain('On parental leave until spring');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'record-drawer.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => row.locator('[data-status]').getAttribute('data-status')).toBe('Inactive');
    await expect.poll(() => count(harness.dataDir, "r.status = 'Inactive'")).toBe(inactiveBefore + 1);
    await page.getByRole('combobox', { name: 'Quick Filter' }).click();
    await expect.poll(() => page.getByRole('option', { name: `Inactive (${inactiveBefore + 1})` }).count()).toBe(1);
    await page.keyboard.press('Escape');
    await page.getByLabel('Contact name').fill('');
    await settle();
  });

  it('a refused move shows its reason and changes nothing', async () => {
    const [rec] = await queryDb<{ id: number; name: string }>(
      harness.dataDir,
      "select r.id, c.first_name || ' ' || c.last_name as name from records r join contacts c on c.id = r.contact_id where r.status = 'Applied' order by r.id desc limit 1",
    );
    await page.getByLabel('Contact name').fill(rec?.name ?? '');
    await settle();
    await page.locator(`[data-record-id="${rec?.id}"]`).click();
    await page.getByRole('button', { name: 'Decline application' }).waitFor();
    // Someone else cancels the application meanwhile; this drawer still offers the old moves.
    await apiCall(harness, 'records.setStatus', { id: rec?.id, to: 'Cancelled', reason: 'Withdrawn by phone' });
    const historyBefore = (await queryDb<{ n: number }>(harness.dataDir, 'select count(*) as n from record_history where record_id = ?', [rec?.id]))[0]?.n;
    await page.getByRole('button', { name: 'Decline application' }).click();
    const dialog = page.getByRole('dialog', { name: /Decline application/ });
    await dialog.getByLabel('Reason').fill('Missing transcript');
    await dialog.getByRole('button', { name: 'Set Declined' }).click();
    await expect.poll(() => dialog.innerText()).toContain('Not allowed from Cancelled to Declined');
    const historyAfter = (await queryDb<{ n: number }>(harness.dataDir, 'select count(*) as n from record_history where record_id = ?', [rec?.id]))[0]?.n;
    expect(historyAfter).toBe(historyBefore);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.getByLabel('Contact name').fill('');
    await settle();
  });

  it('a bulk change applies to the allowed rows and lists every refusal with its reason', async () => {
    await chooseQuick(/^All \(\d+\)$/);
    await settle();
    const ids = await page.locator('[data-record-id]').evaluateAll((els) => els.slice(0, 12).map((e) => Number(e.getAttribute('data-record-id'))));
    const rows = await queryDb<{ id: number; status: string }>(
      harness.dataDir,
      `select id, status from records where id in (${ids.map(() => '?').join(',')})`,
      ids,
    );
    const allowedFrom = new Set(['Applied', 'In Progress', 'Admin Review', 'Inactive', 'Not Completed', 'Declined', 'Active', 'Expiring']);
    const expectedChanged = rows.filter((r) => allowedFrom.has(r.status)).length;
    expect(expectedChanged).toBeGreaterThan(0);
    expect(expectedChanged).toBeLessThan(rows.length);
    // Select the first row, then shift-click the twelfth: a range.
    const boxes = page.locator('[data-record-id] input[type=checkbox]');
    await boxes.nth(0).click();
    await boxes.nth(11).click({ modifiers: ['Shift'] });
    await expect.poll(() => page.getByTestId('bulk-bar').innerText()).toContain('12 selected');
    await page.getByRole('button', { name: 'Change status…' }).click();
    const dialog = page.getByRole('dialog', { name: /Change the status of 12 records/ });
    await dialog.getByRole('combobox', { name: 'New status' }).click();
    await page.getByRole('option', { name: 'Cancelled', exact: true }).click();
    await dialog.getByLabel('Reason').fill('Programme closed');
    await dialog.getByRole('button', { name: 'Apply to 12 records' }).click();
    const result = page.getByTestId('bulk-result');
    await expect.poll(() => result.innerText()).toContain(`${expectedChanged} records changed`);
    expect(await result.locator('tbody tr').count()).toBe(rows.length - expectedChanged);
    expect(await result.innerText()).toMatch(/Not allowed from (Cancelled|Expired) to Cancelled|already Cancelled/);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'bulk-result.png') });
    await page.keyboard.press('Escape');
    const after = await queryDb<{ n: number }>(
      harness.dataDir,
      `select count(*) as n from records where status = 'Cancelled' and id in (${ids.map(() => '?').join(',')})`,
      ids,
    );
    expect(after[0]?.n).toBe(expectedChanged + rows.filter((r) => r.status === 'Cancelled').length);
  });

  it('exports every matching row to CSV as a download, with formula-looking cells neutralised', async () => {
    const programs = await apiCall<Array<{ id: number }>>(harness, 'programs.list', {});
    const contact = await apiCall<{ id: number }>(harness, 'contacts.create', { firstName: '=HYPERLINK("http://x")', lastName: 'Zz-Formula', email: '' });
    await apiCall(harness, 'records.enroll', { contactId: contact.id, programId: programs[0]?.id });
    await page.reload();
    await page.waitForSelector('[data-record-id]');
    await chooseQuick(/^All \(\d+\)$/);
    await settle();
    const expected = await count(harness.dataDir, '1 = 1');
    // The harness hands the file to the browser as a download (the desktop app asks where to save).
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^tracking-.+\.csv$/);
    await page.getByText('Downloaded by the browser.').waitFor();
    const text = fs.readFileSync(await download.path(), 'utf8');
    const lines = text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toContain('Contact,Email,Certification,Status');
    expect(lines.length - 1).toBe(expected);
    const formulaLine = lines.find((l) => l.includes('Zz-Formula'));
    expect(formulaLine).toBeDefined();
    expect(formulaLine?.startsWith(`"'=HYPERLINK(""http://x"") Zz-Formula"`)).toBe(true);
  });

  it('searching a contact who is enrolled nowhere says so and offers to enroll them', async () => {
    const [loner] = await queryDb<{ id: number; first_name: string; last_name: string }>(
      harness.dataDir,
      'select c.id, c.first_name, c.last_name from contacts c where not exists (select 1 from records r where r.contact_id = c.id) order by c.id limit 1',
    );
    expect(loner).toBeDefined();
    await page.getByLabel('Contact name').fill(`${loner?.first_name} ${loner?.last_name}`);
    const hint = page.getByTestId('not-enrolled-hint');
    await expect.poll(() => hint.innerText()).toContain('is not enrolled in any certification');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'not-enrolled.png') });
    await hint.getByRole('button', { name: `Enroll ${loner?.first_name}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Enroll a contact in a certification' });
    await dialog.getByRole('combobox', { name: 'Certification' }).click();
    await page.getByRole('option', { name: /Foundations of Nonprofit Management/ }).click();
    await dialog.getByRole('button', { name: 'Enroll' }).click();
    await page.getByRole('dialog', { name: 'Certification record' }).waitFor();
    await expect.poll(() => count(harness.dataDir, 'r.contact_id = ?', [loner?.id])).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-record-id]').count()).toBe(1);
  });
  it('a broad Customize Filter shows its rows at once and its total once counted, never a number it was not counted for', async () => {
    const programs = await apiCall<Array<{ id: number }>>(harness, 'programs.list', {});
    const programId = programs[0]?.id as number;
    const filter = {
      combinator: 'or',
      rules: [
        { field: 'status', operator: '=', value: 'Active' },
        { field: 'certification', operator: '=', value: programId },
      ],
    };
    const expected = await count(harness.dataDir, "r.status = 'Active' or r.program_id = ?", [programId]);
    expect(expected, 'more than a page: the page alone cannot tell the total').toBeGreaterThan(50);
    await apiCall(harness, 'tracking.saveView', {
      quick: { kind: 'all' },
      filter,
      search: '',
      sort: { column: 'contactName', direction: 'asc' },
      pageSize: 50,
    });
    // The count is held back until the test lets it go, as a slow count at a million records would be.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let asked = 0;
    await page.route('**/api/tracking.total', async (route) => {
      asked += 1;
      await released;
      await route.continue();
    });
    try {
      await page.reload();
      await page.waitForSelector('[data-record-id]');
      await expect.poll(() => asked).toBe(1);
      const text = page.locator('.mantine-datatable-pagination-text');
      expect(await text.innerText()).toBe('1–50 of … records (counting)');
      expect(await page.locator('[data-record-id]').count()).toBe(50);
      await page.locator('.mantine-datatable-pagination').screenshot({ path: path.join(SCREENSHOT_DIR, 'tracking-counting.png') });
      release();
      await expect.poll(total).toBe(expected);
      expect(await text.innerText()).toBe(`1–50 of ${expected.toLocaleString('en-US')} records`);
      // The next page comes with the kept total: no second count.
      await page.getByRole('button', { name: '2', exact: true }).click();
      await settle();
      expect(await text.innerText()).toBe(`51–${Math.min(100, expected)} of ${expected.toLocaleString('en-US')} records`);
      expect(asked).toBe(1);
      await page.locator('.mantine-datatable-pagination').screenshot({ path: path.join(SCREENSHOT_DIR, 'tracking-counted.png') });
    } finally {
      release();
      await page.unroute('**/api/tracking.total');
      await page.getByRole('button', { name: 'Clear Customize Filter' }).click();
      await settle();
    }
  });
});

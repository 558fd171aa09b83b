/**
 * The Customize Filter's values (SPEC §6, issue 16 §7), in Chromium at 1440×900 and
 * 1920×1080: a date that is no date shows on its field as it is typed and holds Apply
 * (never "filter.rules.0.value: …" after Apply); the calendar of an absolute date
 * condition opens fully on screen (not clipped by the dialog), and a "between" set with
 * it filters the list to exactly the records the database holds in that range.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { queryDb } from '../support/db';
import { SCREENSHOT_DIR, type Harness } from '../support/harness';
import { browserSessionPerSuite, listTotal, openTracking } from '../support/e2e';

describe('Customize Filter values (Chromium, npm run web)', () => {
  let harness: Harness;
  let page: Page;

  const total = () => listTotal(page);

  browserSessionPerSuite({ timeout: 30_000, setupTimeout: 300_000 }, async (session) => {
    ({ harness, page } = session);
    page.on('pageerror', (err) => console.log(`page error: ${err.message}`));
    await openTracking(page, harness, 120_000);
  });

  /** Opens the builder with one condition: Expires is between … */
  async function betweenCondition(): Promise<void> {
    await page.getByTestId('customize-filter').click();
    const builder = page.getByTestId('filter-builder');
    await builder.waitFor();
    await builder.getByRole('button', { name: '+ Condition' }).click();
    const rule = builder.locator('.rule').last();
    await rule.getByRole('combobox').nth(0).click();
    await page.getByRole('option', { name: 'Expires', exact: true }).click();
    await rule.getByRole('combobox').nth(1).click();
    await page.getByRole('option', { name: 'is between', exact: true }).click();
    await builder
      .getByLabel('Expires from')
      .waitFor()
      .catch(async (err: unknown) => {
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'filter-between-failed.png') });
        console.log(await rule.innerHTML());
        throw err;
      });
  }

  it('a date that is no date shows on its field as it is typed, and Apply waits', async () => {
    await betweenCondition();
    const dialog = page.getByRole('dialog', { name: 'Customize Filter' });
    const apply = dialog.getByRole('button', { name: 'Apply', exact: true });
    // An empty condition holds Apply without an error on the field yet.
    expect(await apply.isDisabled()).toBe(true);
    await dialog.getByLabel('Expires from').pressSequentially('2026-02-30');
    // On the field itself (and repeated beside Apply, which says why it waits).
    const fieldError = (text: string) => dialog.locator('.mantine-InputWrapper-error', { hasText: text });
    await expect.poll(() => fieldError('2026-02-30 is not a date: February 2026 has 28 days.').count()).toBe(1);
    expect(await page.getByTestId('filter-problem').innerText()).toContain('2026-02-30 is not a date');
    expect(await apply.isDisabled()).toBe(true);
    expect(await dialog.innerText()).not.toContain('filter.rules');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'filter-bad-date.png') });
    // Corrected, the error goes; the range's order is checked on the field too.
    await dialog.getByLabel('Expires from').fill('');
    await dialog.getByLabel('Expires from').pressSequentially('2026-05-10');
    await dialog.getByLabel('Expires to').pressSequentially('2026-05-01');
    await dialog.getByLabel('Expires to').blur();
    await expect.poll(() => fieldError('The range for Expires ends before it starts.').count()).toBe(1);
    expect(await apply.isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByTestId('filter-builder').waitFor({ state: 'detached' });
  }, 120_000);

  for (const viewport of [
    { width: 1920, height: 1080 },
    { width: 1440, height: 900 },
  ]) {
    it(`at ${viewport.width}×${viewport.height} the calendar opens whole and sets a "between" that filters the list`, async () => {
      await page.setViewportSize(viewport);
      await betweenCondition();
      const dialog = page.getByRole('dialog', { name: 'Customize Filter' });
      const month = await page.evaluate(() => {
        const d = new Date();
        return { year: d.getFullYear(), month: d.getMonth() + 1, name: d.toLocaleString('en-GB', { month: 'long' }) };
      });
      const pick = async (label: string, day: number) => {
        await dialog.getByLabel(label).click();
        const calendar = page.locator('[data-dates-dropdown]');
        await calendar.waitFor();
        const box = await calendar.boundingBox();
        // Whole on screen, not cut by the dialog.
        expect(box && box.y >= 0 && box.y + box.height <= viewport.height && box.x >= 0 && box.x + box.width <= viewport.width).toBe(true);
        if (day === 1) await page.screenshot({ path: path.join(SCREENSHOT_DIR, `filter-calendar-${viewport.width}.png`) });
        await calendar.getByRole('button', { name: `${day} ${month.name} ${month.year}`, exact: true }).click();
        await calendar.waitFor({ state: 'detached' });
      };
      await pick('Expires from', 1);
      await pick('Expires to', 28);
      const mm = String(month.month).padStart(2, '0');
      const from = `${month.year}-${mm}-01`;
      const to = `${month.year}-${mm}-28`;
      expect(await dialog.getByLabel('Expires from').inputValue()).toMatch(/^1 \w{3} \d{4}$/);
      await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
      const [row] = await queryDb<{ n: number }>(harness.dataDir, 'select count(*) as n from records where expires_on between ? and ?', [from, to]);
      const expected = row?.n ?? -1;
      expect(expected).toBeGreaterThan(0);
      await expect.poll(total).toBe(expected);
      await expect.poll(() => page.getByTestId('active-filter').innerText()).toContain('Expires is between');
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `filter-between-applied-${viewport.width}.png`) });
      // Back to no filter for the next size.
      await page.getByTestId('customize-filter').click();
      await page.getByRole('dialog', { name: 'Customize Filter' }).getByRole('button', { name: 'Clear filter' }).click();
      await page.getByTestId('filter-builder').waitFor({ state: 'detached' });
    }, 120_000);
  }
});

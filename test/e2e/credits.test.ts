/**
 * Renewal credits in Debian Chromium (`npm run web`, demo data): an admin keeps credit categories and sets
 * a certification's renewal requirement (a total and a category minimum) in the program editor; staff record
 * CE activities in the record drawer and see progress per category; an activity dated outside the cycle is
 * kept and says it does not count; the Tracking list filtered by "Credits needed" shows exactly the records
 * the database holds. Screenshots of the editor and the drawer.
 */
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../main/rules/calendar';
import { queryDb, scalar } from '../support/db';
import { harnessCall } from '../support/e2e';
import { SCREENSHOT_DIR, startBrowserSession, type BrowserSession, type Harness } from '../support/harness';

interface Target {
  id: number;
  name: string;
  programId: number;
  code: string;
  completed_on: string;
  expires_on: string;
}

describe('Renewal credits (Chromium, npm run web)', { timeout: 180_000 }, () => {
  let session: BrowserSession;
  let harness: Harness;
  let page: Page;
  let rec: Target;

  const post = async (name: string, input: unknown): Promise<boolean> => (await harnessCall(harness, name, input)).ok;
  /** The total under the Tracking list ("1–3 of 3 records"), once the list has loaded. */
  const trackingTotal = async (): Promise<number> => {
    await page.locator('[data-testid=tracking-table][aria-busy=false]').waitFor();
    const text = await page.locator('.mantine-datatable-pagination-text').innerText();
    const m = /of ([\d,]+) records/.exec(text);
    return m?.[1] ? Number(m[1].replace(/,/g, '')) : 0;
  };
  const openTracking = async () => {
    await page.goto(`${harness.url}/#tracking`);
    // Only the fragment changed when coming from #settings: reload so the page starts on the Tracking list.
    await page.reload();
    await page.waitForSelector('[data-record-id]').catch(async (err: unknown) => {
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'credits-tracking-failed.png') });
      throw err;
    });
  };

  beforeAll(async () => {
    session = await startBrowserSession({ timeout: 20_000 });
    ({ harness, page } = session);
    // An Active record of a certification that expires a period after completion, its first cycle running.
    const [row] = await queryDb<Target>(
      harness.dataDir,
      `select r.id, c.first_name || ' ' || c.last_name as name, p.id as programId, p.code, r.completed_on, r.expires_on
         from records r join contacts c on c.id = r.contact_id join programs p on p.id = r.program_id
        where r.status = 'Active' and r.completed_on is not null and r.expires_on is not null and r.cycle_starts_on is null
          and p.expiration_kind = 'period' and p.archived_at is null
        order by r.id limit 1`,
    );
    if (!row) throw new Error('the demo data has no Active record of a certification with an expiration period');
    rec = row;
  }, 180_000);
  afterAll(async () => {
    await session?.close();
  });

  it('an admin keeps credit categories and sets a renewal requirement in the program editor', async () => {
    await page.goto(`${harness.url}/#settings`);
    await page.getByRole('tab', { name: 'Credit categories' }).click();
    const categories = page.getByTestId('credit-categories');
    for (const name of ['Ethics', 'Technical']) {
      await page.getByLabel('New category').fill(name);
      await page.getByRole('button', { name: 'Add category' }).click();
      await categories.getByText(name, { exact: true }).waitFor();
    }
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'credits-categories.png') });

    await page.getByRole('tab', { name: 'Certification programs' }).click();
    await page.locator(`[data-program="${rec.code}"]`).getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByTestId('renewal-requirement');
    await editor.getByLabel('Renewal needs continuing-education credits earned within each cycle').check();
    await editor.getByLabel('Total credits per cycle').fill('10');
    await editor.getByRole('button', { name: '+ Category minimum' }).click();
    await editor.getByRole('combobox', { name: 'Category of minimum 1' }).click();
    await page.getByRole('option', { name: 'Ethics' }).click();
    await editor.getByLabel('Credits of minimum 1').fill('2');
    await editor.getByRole('button', { name: 'Save renewal requirement' }).click();
    await expect.poll(() => editor.innerText()).toContain('Saved: 10 credits per cycle, at least 2 in Ethics; nothing carries over.');
    await editor.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'credits-editor.png') });
    // Stored on the program, and the program's running cycles need all 10 at once.
    const [program] = await queryDb<{ renewal_credits: number; renewal_minimums: string }>(
      harness.dataDir,
      'select renewal_credits, renewal_minimums from programs where id = ?',
      [rec.programId],
    );
    expect(program?.renewal_credits).toBe(10);
    expect(JSON.parse(program?.renewal_minimums ?? '[]')).toEqual([{ category: 'Ethics', credits: 2 }]);
    expect(await scalar(harness.dataDir, 'select credits_needed as n from records where id = ?', [rec.id])).toBe(10);
  });

  it('staff record CE activities in the drawer and see progress per category; one outside the cycle does not count', async () => {
    expect(await post('auth.signOut', {})).toBe(true);
    expect(await post('auth.signIn', { username: 'staff', password: harness.passwords['staff'] })).toBe(true);
    await openTracking();
    await page.getByLabel('Contact name').fill(rec.name);
    await page.locator(`[data-record-id="${rec.id}"]`).click();
    const panel = page.getByTestId('credits-panel');
    await expect.poll(() => panel.getByTestId('credits-total').innerText()).toBe('0 of 10 credits · 10 still needed');
    expect(await panel.getByTestId('credits-category-Ethics').innerText()).toBe('0 of at least 2 · 2 short');

    const add = async (activity: { title: string; category: string; credits: string; date?: string }) => {
      await panel.getByRole('button', { name: '+ CE activity' }).click();
      const form: Locator = page.getByRole('dialog').filter({ has: page.getByRole('button', { name: 'Add activity' }) });
      if (activity.date) {
        const date = form.getByLabel('Date');
        await date.fill('');
        await date.pressSequentially(activity.date);
        await date.blur();
      }
      await form.getByLabel('Title').fill(activity.title);
      await form.getByRole('combobox', { name: 'Category' }).click();
      await page.getByRole('option', { name: activity.category, exact: true }).click();
      await form.getByLabel('Credits').fill(activity.credits);
      await form.getByLabel('Source').fill('Spring conference');
      await form.getByRole('button', { name: 'Add activity' }).click();
      await form.waitFor({ state: 'detached' });
    };
    await add({ title: 'Cloud security basics', category: 'Technical', credits: '5' });
    await expect.poll(() => panel.getByTestId('credits-total').innerText()).toBe('5 of 10 credits · 5 still needed');
    // Technical credits never make up the Ethics minimum.
    expect(await panel.getByTestId('credits-category-Ethics').innerText()).toBe('0 of at least 2 · 2 short');
    expect(await panel.getByTestId('credits-category-Technical').innerText()).toBe('5 (no minimum)');

    await add({ title: 'Ethics in practice', category: 'Ethics', credits: '3' });
    await expect.poll(() => panel.getByTestId('credits-total').innerText()).toBe('8 of 10 credits · 2 still needed');
    expect(await panel.getByTestId('credits-category-Ethics').innerText()).toBe('3 of at least 2');

    // Dated the day before the cycle began: kept, listed, and said not to count.
    const before = addDays(rec.completed_on, -1);
    await add({ title: 'Old workshop', category: 'Technical', credits: '4', date: before });
    await expect.poll(() => panel.innerText()).toContain('4 credits recorded in this cycle are dated outside it and do not count.');
    expect(await panel.getByTestId('credits-total').innerText()).toBe('8 of 10 credits · 2 still needed');
    const old = panel.getByRole('row').filter({ hasText: 'Old workshop' });
    expect(await old.innerText()).toContain('Does not count: outside this cycle');
    expect(await panel.getByRole('row').filter({ hasText: 'Ethics in practice' }).innerText()).not.toContain('Does not count');
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'credits-drawer.png') });

    // The database agrees: three activities kept, credits needed 2, each change in the history.
    expect(await scalar(harness.dataDir, 'select credits_needed as n from records where id = ?', [rec.id])).toBe(2);
    expect(await scalar(harness.dataDir, 'select count(*) as n from ce_activities where record_id = ? and removed_at is null', [rec.id])).toBe(3);
    expect(await scalar(harness.dataDir, "select count(*) as n from record_history where record_id = ? and kind = 'credit'", [rec.id])).toBe(3);
    await page.keyboard.press('Escape');
    await page.getByTestId('record-drawer').locator('.mantine-Drawer-content').waitFor({ state: 'detached' });
  });

  it('the Tracking list filtered by credits still needed shows exactly those records', async () => {
    // Every other running cycle of the certification still needs all 10; this record alone needs fewer.
    await page.getByLabel('Contact name').fill('');
    const filterBy = async (operator: string, value: string) => {
      await page.getByTestId('customize-filter').click();
      const builder = page.getByTestId('filter-builder');
      await builder.waitFor();
      // The second time the builder opens with the first condition: change it.
      if ((await builder.locator('.rule').count()) === 0) await builder.getByRole('button', { name: '+ Condition' }).click();
      const rule = builder.locator('.rule').first();
      await rule.getByRole('combobox').nth(0).click();
      await page.getByRole('option', { name: 'Credits needed', exact: true }).click();
      await rule.getByRole('combobox').nth(1).click();
      await page.getByRole('option', { name: operator, exact: true }).click();
      await rule.getByRole('textbox').last().fill(value);
      await page.getByRole('dialog', { name: 'Customize Filter' }).getByRole('button', { name: 'Apply', exact: true }).click();
      await builder.waitFor({ state: 'detached' });
    };
    await filterBy('is less than', '10');
    await expect.poll(trackingTotal).toBe(1);
    const row = page.locator(`[data-record-id="${rec.id}"]`);
    expect(await row.innerText()).toContain(rec.name);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'credits-tracking-filter.png') });

    await filterBy('is more than', '0');
    const needing = await scalar(harness.dataDir, 'select count(*) as n from records where credits_needed > 0');
    expect(needing).toBeGreaterThan(1);
    expect(needing).toBe(
      await scalar(harness.dataDir, 'select count(*) as n from records where program_id = ? and credits_needed is not null', [rec.programId]),
    );
    await expect.poll(trackingTotal).toBe(needing);
  });
});

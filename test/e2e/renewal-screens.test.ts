/**
 * The renewal screens with the keyboard alone and under axe-core (Chromium, `npm run web`, demo data):
 * the program editor's renewal requirement and reminder schedule, the record drawer's credits panel
 * (its CE activity form included), the credit categories, the record checker and the dashboard with
 * on-track numbers, in the light and the dark colour scheme. Screenshots of each.
 */
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeFindings } from '../support/axe';
import { queryDb, scalar, writeDb } from '../support/db';
import { apiCall, launchChromium, SCREENSHOT_DIR, startHarness, type Harness } from '../support/harness';
import type { Browser } from 'playwright-core';

describe('Renewal screens: keyboard alone and axe-core (Chromium, npm run web)', { timeout: 180_000 }, () => {
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  let rec: { id: number; name: string; code: string; programId: number };

  /** Presses Tab until `target` has the focus (at most `max` times): it is reachable by keyboard. */
  const tabTo = async (target: Locator, max = 120) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      if (await target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement)).catch(() => false)) return;
    }
    throw new Error(`Tab never reached ${target.toString()}`);
  };
  /**
   * In a focused Mantine Select: arrow keys to the option, Enter picks it. The list opens on the first
   * arrow and renders its options a frame later, so wait for the option before stepping, and for it to
   * be the highlighted one before Enter (a blind count of presses once picked nothing on a busy CI).
   */
  const pick = async (option: string) => {
    const highlighted = page.locator('[role=option][data-combobox-selected]');
    const isHighlighted = async () => (await highlighted.count()) > 0 && (await highlighted.first().innerText()).trim() === option;
    await page.keyboard.press('ArrowDown');
    await page.getByRole('option', { name: option, exact: true }).waitFor();
    for (let i = 0; i < 30 && !(await isHighlighted()); i++) await page.keyboard.press('ArrowDown');
    await expect.poll(isHighlighted).toBe(true);
    await page.keyboard.press('Enter');
  };
  /** Moves to a settings tab with the arrow keys. */
  const openTab = async (name: string) => {
    await page.goto(`${harness.url}/#settings`);
    await page.reload();
    await tabTo(page.getByRole('tab', { selected: true }));
    for (let i = 0; i < 10 && (await page.getByRole('tab', { name }).getAttribute('aria-selected')) !== 'true'; i++) await page.keyboard.press('ArrowRight');
    await page.getByRole('tabpanel').waitFor();
  };
  const audit = async (screen: string, scheme: 'light' | 'dark') => {
    const problems = await seriousAxeFindings(page, scheme);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `renewal-${screen}-${scheme}.png`) });
    expect.soft(problems, `${screen} (${scheme})`).toEqual([]);
  };

  beforeAll(async () => {
    harness = await startHarness({ demo: true, as: 'admin' });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    const [row] = await queryDb<{ id: number; name: string; code: string; programId: number }>(
      harness.dataDir,
      `select r.id, c.first_name || ' ' || c.last_name as name, p.code, p.id as programId
         from records r join contacts c on c.id = r.contact_id join programs p on p.id = r.program_id
        where r.status = 'Active' and r.completed_on is not null and r.expires_on is not null and p.expiration_kind = 'period' order by r.id limit 1`,
    );
    if (!row) throw new Error('no Active record of a certification with a period');
    rec = row;
    await apiCall(harness, 'credits.addCategory', { name: 'Ethics' });
    await apiCall(harness, 'credits.addCategory', { name: 'Technical' });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await harness?.stop();
  });

  it('the program editor: a renewal requirement and a reminder set with the keyboard alone; axe passes', async () => {
    await openTab('Certification programs');
    await tabTo(page.locator(`[data-program="${rec.code}"]`).getByRole('button', { name: 'Edit' }));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: /Edit / });
    await dialog.waitFor();
    const schedule = dialog.getByTestId('reminder-schedule');
    await tabTo(schedule.getByRole('button', { name: '+ Reminder' }));
    await page.keyboard.press('Enter');
    await tabTo(schedule.getByLabel('Reminder 1 subject'));
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('Your certificate ends soon');
    await tabTo(schedule.getByRole('button', { name: 'Save reminders' }));
    await page.keyboard.press('Enter');
    await expect
      .poll(() => scalar(harness.dataDir, 'select count(*) as n from programs where id = ? and reminder_schedule like ?', [rec.programId, '%ends soon%']))
      .toBe(1);

    const editor = dialog.getByTestId('renewal-requirement');
    await tabTo(editor.getByLabel('Renewal needs continuing-education credits earned within each cycle'));
    await page.keyboard.press('Space');
    await tabTo(editor.getByLabel('Total credits per cycle'));
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('12');
    await tabTo(editor.getByLabel('Carry-over cap'));
    await page.keyboard.type('4');
    await tabTo(editor.getByRole('button', { name: '+ Category minimum' }));
    await page.keyboard.press('Enter');
    await tabTo(editor.getByRole('combobox', { name: 'Category of minimum 1' }));
    await pick('Ethics');
    await tabTo(editor.getByLabel('Credits of minimum 1'));
    await page.keyboard.type('3');
    await tabTo(editor.getByRole('button', { name: 'Save renewal requirement' }));
    await page.keyboard.press('Enter');
    await expect.poll(() => editor.innerText()).toContain('Saved: 12 credits per cycle, at least 3 in Ethics; up to 4 carry over.');
    await audit('program-editor', 'light');

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.getByRole('tab', { name: 'Certification programs' }).click();
    await page.locator(`[data-program="${rec.code}"]`).getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('dialog', { name: /Edit / }).getByTestId('renewal-requirement').scrollIntoViewIfNeeded();
    await audit('program-editor', 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('the credits panel: a CE activity recorded with the keyboard alone; axe passes with the form open and with activities listed', async () => {
    // One activity dated before the cycle, so the panel also says what does not count.
    const [r] = await queryDb<{ completed_on: string }>(harness.dataDir, 'select completed_on from records where id = ?', [rec.id]);
    await apiCall(harness, 'credits.addActivity', {
      recordId: rec.id,
      earnedOn: r?.completed_on.replace(/^(\d{4})/, (y) => String(Number(y) - 1)),
      title: 'Old workshop',
      category: 'Technical',
      credits: 2,
      source: 'Chapter',
    });
    await page.goto(`${harness.url}/#tracking`);
    await page.reload();
    await page.waitForSelector('[data-record-id]');
    await tabTo(page.getByLabel('Contact name'));
    await page.keyboard.type(rec.name);
    await page.locator('[data-testid=tracking-table][aria-busy=false]').waitFor();
    await tabTo(page.locator(`[data-record-id="${rec.id}"]`));
    await page.keyboard.press('Enter');
    const panel = page.getByTestId('credits-panel');
    await tabTo(panel.getByRole('button', { name: '+ CE activity' }));
    await page.keyboard.press('Enter');
    const form = page.getByRole('dialog').filter({ has: page.getByRole('button', { name: 'Add activity' }) });
    await form.waitFor();
    await tabTo(form.getByLabel('Title'));
    await page.keyboard.type('Ethics in practice');
    await tabTo(form.getByRole('combobox', { name: 'Category' }));
    await pick('Ethics');
    await tabTo(form.getByLabel('Credits'));
    await page.keyboard.type('5');
    // What staff see before they submit: each field holds what was typed or picked.
    await expect.poll(() => form.getByLabel('Title').inputValue()).toBe('Ethics in practice');
    await expect.poll(() => form.getByRole('combobox', { name: 'Category' }).inputValue()).toBe('Ethics');
    await expect.poll(() => form.getByLabel('Credits').inputValue()).toBe('5');
    await audit('credits-form', 'light');
    await tabTo(form.getByRole('button', { name: 'Add activity' }));
    await page.keyboard.press('Enter');
    await expect.poll(() => panel.getByTestId('credits-total').innerText()).toBe('5 of 12 credits · 7 still needed');
    expect(await panel.getByTestId('credits-category-Ethics').innerText()).toBe('5 of at least 3');
    expect(await panel.innerText()).toContain('Does not count: outside this cycle');
    await panel.scrollIntoViewIfNeeded();
    await audit('credits-panel', 'light');

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.getByLabel('Contact name').fill(rec.name);
    await page.locator(`[data-record-id="${rec.id}"]`).click();
    await panel.scrollIntoViewIfNeeded();
    await audit('credits-panel', 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('credit categories and the record checker with the keyboard alone; axe passes', async () => {
    await openTab('Credit categories');
    await tabTo(page.getByLabel('New category'));
    await page.keyboard.type('Safety');
    await tabTo(page.getByRole('button', { name: 'Add category' }));
    await page.keyboard.press('Enter');
    await page.getByTestId('credit-categories').getByText('Safety', { exact: true }).waitFor();
    await audit('credit-categories', 'light');

    const [noStart] = await queryDb<{ id: number }>(harness.dataDir, "select min(id) as id from records where status = 'In Progress'");
    await writeDb(harness.dataDir, 'update records set started_on = null where id = ?', [noStart?.id]);
    await openTab('Record checker');
    await tabTo(page.getByRole('button', { name: 'Check all records' }));
    await page.keyboard.press('Enter');
    const rule = page.getByTestId('rule-cycle-without-start');
    await rule.waitFor();
    await audit('record-checker', 'light');
    await tabTo(rule.getByRole('button', { name: `Fix record ${noStart?.id}` }));
    await page.keyboard.press('Enter');
    await expect.poll(() => scalar(harness.dataDir, 'select count(*) as n from records where id = ? and started_on is not null', [noStart?.id])).toBe(1);

    await page.emulateMedia({ colorScheme: 'dark' });
    await writeDb(harness.dataDir, 'update records set started_on = null where id = ?', [noStart?.id]);
    await page.reload();
    await page.getByRole('tab', { name: 'Record checker' }).click();
    await page.getByRole('button', { name: 'Check all records' }).click();
    await rule.waitFor();
    await audit('record-checker', 'dark');
    await page.getByRole('tab', { name: 'Credit categories' }).click();
    await page.getByTestId('credit-categories').waitFor();
    await audit('credit-categories', 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('the dashboard with on-track numbers: axe passes in both schemes', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(harness.url);
      await page.reload();
      await page.getByTestId('dashboard-table').waitFor();
      await audit('dashboard', scheme);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

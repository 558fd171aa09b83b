/**
 * axe-core on every screen, in Debian Chromium through `npm run web`: first run,
 * sign-in, the dashboard, the Tracking page (with the Quick Filter and the Customize Filter
 * open), the record drawer, each settings tab, the import dialog, the bulk
 * bar, the Record application dialog (with a new contact) and the idle lock
 * screen, in the light and (colour rules) the dark colour scheme. A serious or critical finding
 * fails the screen; every finding is printed as a table (rule, impact, count).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeOn, COLOUR_RULES } from '../support/axe';
import { launchChromium, SCREENSHOT_DIR, startHarness, type Harness } from '../support/harness';

interface Finding {
  screen: string;
  rule: string;
  impact: string;
  count: number;
}

describe('Accessibility: axe-core on every screen (Chromium, npm run web)', { timeout: 120_000 }, () => {
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  const findings: Finding[] = [];

  /**
   * Runs axe on the page as it is; returns the serious and critical findings, described. In the dark
   * scheme only the colour rules run: the scheme swaps CSS colour variables, nothing else, and each
   * full run costs seconds on two cores.
   */
  const audit = async (screen: string): Promise<string[]> => {
    // Mantine's transitions (modals, drawers, pop-overs) end before axe reads colours.
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
    const builder = axeOn(page);
    const { violations: found } = await (screen.endsWith('(dark)') ? builder.withRules(COLOUR_RULES) : builder).analyze();
    // A combobox's option list scrolls but is driven from its input (arrow keys, aria-activedescendant),
    // the ARIA combobox pattern: axe's wish that the scroller itself take focus does not apply there.
    const violations: typeof found = [];
    for (const v of found) {
      const nodes = [];
      for (const n of v.nodes) {
        const inListbox = await page.evaluate((sel) => Boolean(document.querySelector(sel)?.closest('[role=listbox]')), n.target.join(' '));
        if (!(v.id === 'scrollable-region-focusable' && inListbox)) nodes.push(n);
      }
      if (nodes.length) violations.push({ ...v, nodes });
    }
    for (const v of violations) findings.push({ screen, rule: v.id, impact: v.impact ?? 'unknown', count: v.nodes.length });
    if (violations.length === 0) findings.push({ screen, rule: '(none)', impact: '', count: 0 });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}, ${v.nodes.length}×): ${v.help} — e.g. ${v.nodes[0]?.target.join(' ')}: ${v.nodes[0]?.failureSummary ?? ''}`);
  };
  const tracking = async () => {
    await page.goto(`${harness.url}/#tracking`);
    await page.waitForSelector('[data-record-id]');
  };
  const dashboard = async () => {
    await page.goto(harness.url);
    await page.getByTestId('dashboard-table').waitFor();
  };
  const openRecord = async () => {
    await page.locator('[data-record-id]').first().click();
    await page.getByTestId('record-history').waitFor();
  };
  const lockScreen = async (screen: string) => {
    // Main locks the desk (as the page does after the idle time); the page shows the lock screen on reload.
    await fetch(`${harness.url}/api/auth.lock`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    await page.reload();
    await page.getByTestId('lock-screen').waitFor();
    const problems = await audit(screen);
    await page.getByTestId('lock-screen').getByLabel('Password', { exact: true }).fill('a long enough password');
    await page.keyboard.press('Enter');
    await page.getByTestId('lock-screen').waitFor({ state: 'detached' });
    return problems;
  };
  const applicationDialog = async (screen: string) => {
    await page.getByRole('button', { name: 'Record application' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Record application' });
    await dialog.getByText('New contact', { exact: true }).click();
    await dialog.getByLabel('Last name').waitFor();
    // A field's refusal in words, in the error colour: readable in both schemes.
    await dialog.getByLabel('Application date').fill('13/31/2026');
    await page.keyboard.press('Tab');
    await dialog.getByText('(not "13/31/2026")', { exact: false }).waitFor();
    const problems = await audit(screen);
    await page.keyboard.press('Escape');
    await page.getByTestId('application-modal').waitFor({ state: 'detached' });
    return problems;
  };
  const settingsTabs = ['Certification General Settings', 'Certification programs', 'Users', 'Outbox', 'Sync export'];
  const auditSettings = async (scheme: string) => {
    await page.goto(`${harness.url}/#settings`);
    const problems: string[] = [];
    for (const tab of settingsTabs) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByRole('tabpanel').waitFor();
      problems.push(...(await audit(`settings: ${tab}${scheme}`)).map((p) => `${tab}: ${p}`));
    }
    return problems;
  };

  beforeAll(async () => {
    harness = await startHarness();
    browser = await launchChromium();
    // Outside legacy mode AxeBuilder opens a page of its own in the same context: a context, not browser.newPage().
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    page.setDefaultTimeout(15_000);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });

  afterAll(async () => {
    const table = findings.map((f) => `${f.screen.padEnd(44)} ${f.rule.padEnd(28)} ${f.impact.padEnd(9)} ${f.count}`).join('\n');
    console.log(`axe findings (screen, rule, impact, elements):\n${table}`);
    await browser?.close();
    await harness?.stop();
  });

  it('first run', async () => {
    await page.goto(`${harness.url}/#tracking`);
    await page.getByRole('button', { name: 'Create administrator' }).waitFor();
    expect.soft(await audit('first run')).toEqual([]);
  });

  it('sign-in', async () => {
    await page.getByLabel('Your name').fill('Ada Admin');
    await page.getByLabel('User name').fill('ada');
    await page.getByLabel('Password', { exact: true }).fill('a long enough password');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.waitForSelector('[data-record-id]', { timeout: 60_000 });
    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect.soft(await audit('sign-in')).toEqual([]);
    await page.getByLabel('User name').fill('ada');
    await page.getByLabel('Password', { exact: true }).fill('a long enough password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('[data-record-id]');
  });

  it('Tracking, with the Quick Filter open', async () => {
    expect.soft(await audit('tracking')).toEqual([]);
    await page.getByRole('combobox', { name: 'Quick Filter' }).click();
    await page.getByRole('listbox').waitFor();
    expect.soft(await audit('tracking: Quick Filter open')).toEqual([]);
    await page.keyboard.press('Escape');
  });

  it('Tracking, with the Customize Filter open', async () => {
    await page.getByTestId('customize-filter').click();
    await page.getByTestId('filter-builder').waitFor();
    await page.getByRole('button', { name: '+ Condition' }).first().click();
    expect.soft(await audit('tracking: Customize Filter open')).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByTestId('filter-builder').waitFor({ state: 'detached' });
  });

  it('the record drawer', async () => {
    await openRecord();
    expect.soft(await audit('record drawer')).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByTestId('record-history').waitFor({ state: 'detached' });
  });

  it('the import dialog with a preview', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-a11y-')), 'contacts.csv');
    fs.writeFileSync(file, 'Member Number,First Name,Last Name,Email\r\nA-1,Ana,Lima,ana@example.org\r\nA-2,,,not-an-email\r\n');
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByTestId('import-modal').waitFor();
    expect.soft(await audit('import dialog')).toEqual([]);
    await page.locator('input[type=file]').setInputFiles(file);
    await page.getByTestId('import-preview').waitFor();
    expect.soft(await audit('import dialog: preview')).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByTestId('import-modal').waitFor({ state: 'detached' });
  });

  it('the bulk bar', async () => {
    await page.locator('[data-record-id] input[type=checkbox]').nth(0).click();
    await page.getByTestId('bulk-bar').waitFor();
    expect.soft(await audit('bulk bar')).toEqual([]);
    await page.getByRole('button', { name: 'Clear selection' }).click();
  });

  it('each settings tab', async () => {
    expect.soft(await auditSettings('')).toEqual([]);
  });

  it('the Record application dialog with a new contact, and the lock screen', async () => {
    await tracking();
    expect.soft(await applicationDialog('Record application: new contact')).toEqual([]);
    expect.soft(await lockScreen('lock screen')).toEqual([]);
  });

  it('the dashboard', async () => {
    await dashboard();
    expect.soft(await audit('dashboard')).toEqual([]);
  });

  describe('dark colour scheme (following the system)', () => {
    beforeAll(async () => {
      await page.emulateMedia({ colorScheme: 'dark' });
    });

    it('Tracking, the Quick Filter and the bulk bar', async () => {
      await tracking();
      expect(await page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
      expect.soft(await audit('tracking (dark)')).toEqual([]);
      await page.getByRole('combobox', { name: 'Quick Filter' }).click();
      await page.getByRole('listbox').waitFor();
      expect.soft(await audit('tracking: Quick Filter open (dark)')).toEqual([]);
      await page.keyboard.press('Escape');
      await page.locator('[data-record-id] input[type=checkbox]').nth(0).click();
      expect.soft(await audit('bulk bar (dark)')).toEqual([]);
      await page.getByRole('button', { name: 'Clear selection' }).click();
    });

    it('the record drawer', async () => {
      await openRecord();
      expect.soft(await audit('record drawer (dark)')).toEqual([]);
      await page.keyboard.press('Escape');
    });

    it('each settings tab', async () => {
      expect.soft(await auditSettings(' (dark)')).toEqual([]);
    });

    it('the Record application dialog and the lock screen', async () => {
      await tracking();
      expect.soft(await applicationDialog('Record application: new contact (dark)')).toEqual([]);
      expect.soft(await lockScreen('lock screen (dark)')).toEqual([]);
    });

    it('the dashboard', async () => {
      await dashboard();
      expect.soft(await audit('dashboard (dark)')).toEqual([]);
    });
  });
});

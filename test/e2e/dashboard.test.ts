/**
 * The renewals dashboard in Debian Chromium through `npm run web` (demo data):
 * it opens first; a number card, a bar of a chart and a number of the table
 * reached with the keyboard alone each open the Tracking list on exactly their
 * records, with the count the dashboard showed. Screenshots at 1440×900 in the
 * light and the dark colour scheme.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardSummary } from '../../main/ipc/contract';
import { queryDb } from '../support/db';
import { apiCall, SCREENSHOT_DIR, startBrowserSession, type BrowserSession } from '../support/harness';

describe('Renewals dashboard (Chromium, npm run web)', { timeout: 120_000 }, () => {
  let session: BrowserSession;
  let page: Page;
  let summary: DashboardSummary;

  /** The total under the Tracking list ("1–50 of 1,234 records"), once the list has loaded. */
  const trackingTotal = async (): Promise<number> => {
    await page.getByTestId('tracking-table').waitFor();
    await page.locator('[data-testid=tracking-table][aria-busy=false]').waitFor();
    const text = await page.locator('.mantine-datatable-pagination-text').innerText();
    const m = /of ([\d,]+) records/.exec(text);
    return m?.[1] ? Number(m[1].replace(/,/g, '')) : -1;
  };
  const openDashboard = async () => {
    await page.goto(session.harness.url);
    await page.getByTestId('dashboard-table').waitFor();
  };

  beforeAll(async () => {
    session = await startBrowserSession({ timeout: 20_000 });
    page = session.page;
    summary = await apiCall<DashboardSummary>(session.harness, 'dashboard.summary', {});
  });
  afterAll(async () => {
    await session?.close();
  });

  it('opens first, with the numbers main counted', async () => {
    await openDashboard();
    await expect(page.getByRole('link', { name: 'Dashboard' }).getAttribute('aria-current')).resolves.toBe('page');
    expect(summary.expiring[2]?.count, 'the demo data has certificates expiring within 90 days').toBeGreaterThan(0);
    for (const [i, days] of summary.horizons.entries()) {
      await expect(page.getByTestId(`expiring-${days}-count`).innerText()).resolves.toBe(summary.expiring[i]?.count.toLocaleString('en'));
    }
    await expect(page.getByTestId('applications-count').innerText()).resolves.toBe(summary.applications.count.toLocaleString('en'));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'dashboard-light.png') });
  });

  it('a number card opens the Tracking list on its records, with the same count', async () => {
    await openDashboard();
    await page.getByTestId('expiring-90').click();
    await page.getByTestId('active-filter').waitFor();
    expect(await trackingTotal()).toBe(summary.expiring[2]?.count);
    await expect(page.getByTestId('active-filter').innerText()).resolves.toMatch(/Status is one of Active, Expiring AND Expires in the next 90 days/);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'dashboard-opened-tracking.png') });
    // Waiting applications: the Quick Filter alone, as Action Required opens it.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByTestId('applications').click();
    expect(await trackingTotal()).toBe(summary.applications.count);
    await expect(page.getByTestId('active-filter').count()).resolves.toBe(0);
  });

  it("a bar of the chart opens that certification's records, with the bar's count", async () => {
    await openDashboard();
    // The chart's first bar is the certification with the most certificates expiring in the next 90 days.
    const top = [...summary.byProgram].sort((a, b) => (b.expiring[2]?.count ?? 0) - (a.expiring[2]?.count ?? 0) || a.name.localeCompare(b.name))[0];
    if (!top) throw new Error('no certification on the dashboard');
    await page.locator('[data-testid=expiring-chart] .recharts-bar-rectangle').first().click();
    await page.getByTestId('active-filter').waitFor();
    expect(await trackingTotal()).toBe(top.expiring[2]?.count);
    await expect(page.getByRole('combobox', { name: 'Quick Filter' }).inputValue()).resolves.toContain(top.name);
  });

  it('with the keyboard alone: Tab to a number of the table, Enter opens the same count', async () => {
    await openDashboard();
    const target = summary.byProgram.find((p) => (p.expiring[0]?.count ?? 0) > 0);
    if (!target) throw new Error('no certification with a certificate expiring within 30 days');
    const name = `${target.expiring[0]?.count.toLocaleString('en')} ${target.name} certificates expiring in the next 30 days. Open them in Tracking`;
    await page.locator('body').focus();
    let reached = false;
    for (let i = 0; i < 80 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate((label) => document.activeElement?.getAttribute('aria-label') === label, name);
    }
    expect(reached, `Tab reaches "${name}"`).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByTestId('active-filter').waitFor();
    expect(await trackingTotal()).toBe(target.expiring[0]?.count);
  });

  it('the Expired and Completions cards open their records, with the same count', async () => {
    for (const [testId, n] of [
      ['expired', summary.expired],
      ['completions', summary.completions],
    ] as const) {
      await openDashboard();
      expect(n.count, `the demo data has ${testId} records`).toBeGreaterThan(0);
      await page.getByTestId(testId).click();
      expect(await trackingTotal(), testId).toBe(n.count);
    }
  });

  it('"on track with credits" opens exactly the expiring records whose credits are on track, card and table alike', async () => {
    // The demo data has no renewal requirement: give one certification a requirement and one of its certificates expiring
    // within 180 days every credit it needs. Of that certification's expiring certificates, that one alone is on track.
    const { harness } = session;
    const [rec] = await queryDb<{ id: number; programId: number }>(
      harness.dataDir,
      `select r.id, r.program_id as programId from records r join programs p on p.id = r.program_id
        where r.status in ('Active', 'Expiring') and r.expires_on between ? and date(?, '+179 days') and r.completed_on <= ?
          and p.expiration_kind = 'period' order by r.expires_on, r.id limit 1`,
      [summary.today, summary.today, summary.today],
    );
    if (!rec) throw new Error('the demo data has no certificate expiring within 180 days');
    await apiCall(harness, 'credits.addCategory', { name: 'Ethics' });
    await apiCall(harness, 'programs.setRenewal', { programId: rec.programId, requirement: { credits: 10, minimums: [], carryOverCap: null, review: false } });
    await apiCall(harness, 'credits.addActivity', {
      recordId: rec.id,
      earnedOn: summary.today,
      title: 'Ethics day',
      category: 'Ethics',
      credits: 10,
      source: '',
    });
    const now = await apiCall<DashboardSummary>(harness, 'dashboard.summary', {});
    expect(now.onTrack[3]?.count).toBe(1);

    await openDashboard();
    await expect(page.getByTestId('expiring-180-part').innerText()).resolves.toBe('1 on track with credits');
    await page.getByTestId('expiring-180-part').click();
    expect(await trackingTotal()).toBe(1);
    await expect(page.locator(`[data-record-id="${rec.id}"]`).count()).resolves.toBe(1);
    await expect(page.getByTestId('active-filter').innerText()).resolves.toMatch(/On track is yes/);

    // The table's "on track" number of that certification, by keyboard name, opens the same record.
    await openDashboard();
    const program = now.byProgram.find((p) => p.programId === rec.programId);
    if (!program) throw new Error('the certification is not on the dashboard');
    await page
      .getByRole('button', { name: `1 of the ${program.name} certificates expiring in the next 180 days, on track with their credits. Open them in Tracking` })
      .click();
    expect(await trackingTotal()).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'dashboard-on-track-opened.png') });
  });

  it('dark colour scheme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await openDashboard();
    expect(await page.locator('html').getAttribute('data-mantine-color-scheme')).toBe('dark');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'dashboard-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

/**
 * The start-up screen in Chromium over the browser harness: the page is served
 * at once and shows what start-up is doing, step by step, until the app is ready;
 * a refused database shows why and offers the newest backup, which opens.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { databaseFile } from '../../main/db/database';
import { damageTablePage } from '../support/files';
import { launchChromium, SCREENSHOT_DIR, startHarness, type Harness } from '../support/harness';

describe('Start-up screen (Chromium, npm run web)', () => {
  let browser: Browser | undefined;
  const harnesses: Harness[] = [];
  afterAll(async () => {
    await browser?.close();
    for (const h of harnesses) await h.stop();
  });

  it('shows each start-up step while the backend starts, then the sign-in screen', async () => {
    const harness = await startHarness({ demo: true, until: 'listening' });
    harnesses.push(harness);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(harness.url);
    const screen = page.getByTestId('startup-screen');
    await screen.waitFor({ timeout: 20_000 });
    // Demo data takes seconds: the screen says it is on that step. The check, the daily backup and the sweep come after ready.
    await screen.getByText('Step 2 of 2: Loading demo data').waitFor({ timeout: 20_000 });
    await expect(screen.getByRole('list', { name: 'Start-up steps' }).getByRole('listitem').allTextContents()).resolves.toEqual([
      expect.stringContaining('Opening the database'),
      expect.stringContaining('Loading demo data'),
    ]);
    await expect(screen.getByText('Opening the database — done').isVisible()).resolves.toBe(true);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'startup-screen.png') });
    await page.getByRole('heading', { name: /sign in/i }).waitFor({ timeout: 60_000 });
    expect(await screen.count()).toBe(0);
    // The check, the daily backup and the sweep run after the app showed (once its first screen is drawn); their line goes away when done.
    const backups = path.join(harness.dataDir, 'backups');
    await expect.poll(() => fs.existsSync(backups) && fs.readdirSync(backups).some((f) => f.endsWith('.sqlite')), { timeout: 30_000 }).toBe(true);
    await page.getByTestId('startup-background').waitFor({ state: 'detached', timeout: 30_000 });
  }, 150_000);

  it('shows a refused database with its newest backup, and opens the backup when asked', async () => {
    const first = harnesses[0] as Harness;
    await first.stop();
    const dataDir = first.dataDir; // has today's daily backup and the demo data
    const fd = fs.openSync(databaseFile(dataDir), 'r+');
    fs.writeSync(fd, Buffer.alloc(4096), 0, 4096, 0);
    fs.closeSync(fd);
    const harness = await startHarness({ dataDir, until: 'listening' });
    harnesses.push(harness);
    const page = await (browser as Browser).newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(harness.url);
    const alert = page.getByRole('alert').filter({ hasText: 'CertDesk cannot open its database' });
    await alert.waitFor({ timeout: 20_000 });
    await expect(alert.textContent()).resolves.toContain(`The file was left untouched in ${dataDir}`);
    await page.getByText(/Newest good backup: .+\.sqlite/).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'startup-refused.png') });
    await page.getByRole('button', { name: 'Restore the newest backup' }).click();
    // Today's daily backup was taken at the first start, after ready (so after the demo data): its users sign in.
    await page.getByRole('heading', { name: /sign in/i }).waitFor({ timeout: 30_000 });
    expect(fs.readdirSync(dataDir).some((f) => /refused|aside|corrupt/i.test(f))).toBe(true);
  }, 120_000);

  it('a table page damaged: the app opens, then the background check finds it and shows the refusal with the backup offer', async () => {
    const previous = harnesses[1] as Harness;
    await previous.stop();
    const dataDir = previous.dataDir; // the restored backup (demo data), with backups beside it
    damageTablePage(databaseFile(dataDir));
    // 'ready': the harness says the backend answers (the list first), before the check has run.
    const harness = await startHarness({ dataDir, until: 'ready' });
    harnesses.push(harness);
    const page = await (browser as Browser).newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(harness.url);
    const alert = page.getByRole('alert').filter({ hasText: 'CertDesk cannot open its database' });
    await alert.waitFor({ timeout: 20_000 });
    await expect(alert.textContent()).resolves.toContain('The database file is damaged');
    await page.getByText(/Newest good backup: .+\.sqlite/).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'startup-damaged-later.png') });
    // Every call is refused now, with the same sentence.
    const answer = await page.evaluate(() => (window as unknown as { certdesk: { app: { info: (i: object) => Promise<unknown> } } }).certdesk.app.info({}));
    expect(answer).toMatchObject({ ok: false, error: { code: 'REFUSED', message: expect.stringContaining('The database file is damaged') } });
    await page.getByRole('button', { name: 'Restore the newest backup' }).click();
    await page.getByRole('heading', { name: /sign in/i }).waitFor({ timeout: 30_000 });
  }, 120_000);
});

/**
 * Users and the idle lock end to end (Chromium, `npm run web`): an admin changes a role and
 * disables a user, is refused (in a sentence) when they would leave no active admin, and sees
 * who changed what; staff see no Settings link. The desk locks after the admin's idle time
 * (the page's clock is moved on), keeps the page underneath, asks the same password, and lets
 * another user sign in instead.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { queryDb, scalar } from '../support/db';
import { SCREENSHOT_DIR, type Harness } from '../support/harness';
import { browserSessionPerSuite, harnessCall } from '../support/e2e';

const post = harnessCall;

describe('Users and the idle lock (Chromium, npm run web)', () => {
  let harness: Harness;
  let page: Page;

  browserSessionPerSuite({ timeout: 30_000, setupTimeout: 240_000 }, (session) => {
    ({ harness, page } = session);
  });

  it('an admin changes a role and disables a user; the last active admin is kept; each change names who and when', async () => {
    await page.goto(`${harness.url}/#settings`, { waitUntil: 'domcontentloaded', timeout: 90_000 });
    await page.getByRole('tab', { name: 'Users' }).click();
    const table = page.getByTestId('users-table');
    const sam = table.locator('tr', { hasText: 'Sam Staff' });
    const avery = table.locator('tr', { hasText: 'Avery Admin' });
    // Avery is the only admin: making them staff is refused with a sentence, nothing changes.
    await avery.getByRole('button', { name: 'Make staff: Avery Admin' }).click();
    await expect
      .poll(() => page.locator('.mantine-Notification-root').last().innerText())
      .toContain('Avery Admin is the last active admin, so they cannot be made staff');
    expect(await scalar(harness.dataDir, "select count(*) as n from users where role = 'admin'")).toBe(1);
    // Avery cannot disable themself: no such button on their row.
    expect(await avery.getByRole('button', { name: /Disable/ }).count()).toBe(0);

    await sam.getByRole('button', { name: 'Make admin: Sam Staff' }).click();
    await expect.poll(() => sam.getByRole('button', { name: 'Make staff: Sam Staff' }).count()).toBe(1);
    await sam.getByRole('button', { name: 'Make staff: Sam Staff' }).click();
    await expect.poll(() => sam.getByRole('button', { name: 'Make admin: Sam Staff' }).count()).toBe(1);
    await sam.getByRole('button', { name: 'Disable Sam Staff' }).click();
    await expect.poll(() => sam.innerText()).toMatch(/disabled/i);
    const changes = page.getByTestId('user-changes');
    await expect.poll(() => changes.innerText()).toContain('disabled');
    const text = await changes.innerText();
    expect(text).toMatch(/staff\s+disabled\s+Avery Admin/);
    expect(text).toMatch(/staff\s+role admin → staff\s+Avery Admin/);
    expect(text).toMatch(/staff\s+role staff → admin\s+Avery Admin/);
    const rows = await queryDb<{ change: string; by_name: string; changed_at: string }>(
      harness.dataDir,
      "select change, by_name, changed_at from user_changes c join users u on u.id = c.user_id where u.username = 'staff' order by c.id",
    );
    expect(rows.map((r) => r.change)).toEqual(['created', 'role', 'role', 'disabled']);
    expect(rows.slice(1).every((r) => r.by_name === 'Avery Admin' && /^\d{4}-\d{2}-\d{2}T/.test(r.changed_at))).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'settings-users-admin.png'), fullPage: true });

    // Sam cannot sign in while disabled; once enabled, Sam is staff and sees no Settings link.
    expect((await post(harness, 'auth.signOut', {})).ok).toBe(true);
    expect((await post(harness, 'auth.signIn', { username: 'staff', password: harness.passwords['staff'] })).ok).toBe(false);
    expect((await post(harness, 'auth.signIn', { username: 'admin', password: harness.passwords['admin'] })).ok).toBe(true);
    await page.reload();
    await page.getByRole('tab', { name: 'Users' }).click();
    await sam.getByRole('button', { name: 'Enable Sam Staff' }).click();
    await expect.poll(() => sam.innerText()).toMatch(/active/i);
    expect((await post(harness, 'auth.signOut', {})).ok).toBe(true);
    expect((await post(harness, 'auth.signIn', { username: 'staff', password: harness.passwords['staff'] })).ok).toBe(true);
    await page.goto(harness.url, { waitUntil: 'domcontentloaded', timeout: 90_000 });
    await page.getByTestId('user-menu').waitFor();
    expect(await page.getByTestId('user-menu').innerText()).toContain('Sam Staff (staff)');
    expect(await page.getByRole('button', { name: 'Settings' }).count()).toBe(0);
    expect((await post(harness, 'auth.signOut', {})).ok).toBe(true);
    expect((await post(harness, 'auth.signIn', { username: 'admin', password: harness.passwords['admin'] })).ok).toBe(true);
  }, 180_000);

  it('locks after the idle time with the page underneath; the same password unlocks; another user may sign in instead', async () => {
    // Only the fragment changes (the page is already open), so reload: the page learns who is signed in now.
    await page.goto(`${harness.url}/#settings`, { waitUntil: 'domcontentloaded', timeout: 90_000 });
    await page.reload({ waitUntil: 'domcontentloaded', timeout: 90_000 });
    await page.getByRole('tab', { name: 'Certification General Settings' }).click();
    await page.getByTestId('idle-lock').click();
    await page.getByRole('option', { name: 'After 1 minute without use' }).click();
    await page.getByRole('button', { name: 'Save idle lock' }).click();
    await expect.poll(() => scalar(harness.dataDir, "select count(*) as n from settings where key = 'idleLockMinutes' and value = '1'")).toBe(1);

    // The page's clock runs on its own from here; the test moves it past the idle time.
    await page.clock.install();
    await page.goto(`${harness.url}/#tracking`, { waitUntil: 'domcontentloaded', timeout: 90_000 });
    const [rec] = await queryDb<{ id: number; name: string }>(
      harness.dataDir,
      "select r.id, c.first_name || ' ' || c.last_name as name from records r join contacts c on c.id = r.contact_id order by r.id limit 1",
    );
    await page.getByLabel('Contact name').fill(rec?.name ?? '');
    await page.locator(`[data-record-id="${rec?.id}"]`).click();
    await page.getByTestId('record-history').waitFor();
    await page.clock.fastForward('00:30');
    expect(await page.getByTestId('lock-screen').count()).toBe(0);
    await page.clock.fastForward('00:40');
    const lock = page.getByTestId('lock-screen');
    await lock.waitFor();
    expect(await lock.innerText()).toContain('Avery Admin (admin) is signed in');
    // Main refuses work while locked, whatever the page does.
    expect((await post(harness, 'tracking.counts', {})).error?.code).toBe('LOCKED');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'idle-lock.png') });
    // The keyboard alone: the password field has focus; Enter submits.
    await page.keyboard.type('not my password');
    await page.keyboard.press('Enter');
    await expect.poll(() => lock.innerText(), { timeout: 20_000 }).toContain('Wrong password.');
    await lock.getByLabel('Password', { exact: true }).fill(harness.passwords['admin'] ?? '');
    await page.keyboard.press('Enter');
    await expect.poll(() => lock.count(), { timeout: 20_000 }).toBe(0);
    // The page underneath is as it was: the same record still open.
    expect(await page.getByTestId('record-history').isVisible()).toBe(true);
    expect((await post(harness, 'tracking.counts', {})).ok).toBe(true);

    await page.clock.fastForward('01:10');
    await lock.waitFor();
    await lock.getByRole('button', { name: 'Sign in as another user' }).click();
    await lock.getByLabel('User name').fill('staff');
    await lock.getByLabel('Password', { exact: true }).fill(harness.passwords['staff'] ?? '');
    await lock.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('user-menu').innerText(), { timeout: 20_000 }).toContain('Sam Staff (staff)');
    expect(await lock.count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Settings' }).count()).toBe(0);
  }, 180_000);
});

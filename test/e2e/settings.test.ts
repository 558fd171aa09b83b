/**
 * The admin settings window end to end (Chromium, `npm run web`, route #settings):
 * staff are refused in main and told why; n re-derives statuses and queues the
 * emails its preview promised; a program edit applied to existing records changes
 * them and writes their history; archiving keeps records; users are managed.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { queryDb, scalar } from '../support/db';
import { SCREENSHOT_DIR, type Harness } from '../support/harness';
import { browserSessionPerSuite, harnessCall } from '../support/e2e';

const post = harnessCall;

describe('Admin settings window (Chromium, npm run web)', () => {
  let harness: Harness;
  let page: Page;

  browserSessionPerSuite({ timeout: 10_000 }, (session) => {
    ({ harness, page } = session);
  });

  it('refuses every settings call to staff in main, and tells staff why on the page', async () => {
    expect((await post(harness, 'auth.signOut', {})).ok).toBe(true);
    expect((await post(harness, 'auth.signIn', { username: 'staff', password: harness.passwords['staff'] })).ok).toBe(true);
    const before = await scalar(harness.dataDir, 'select count(*) as n from settings');
    for (const [name, input] of [
      ['settings.get', {}],
      ['settings.setExpiringDays', { expiringDays: 10 }],
      ['settings.setTimeZone', { timeZone: 'Europe/Paris' }],
      ['programs.setArchived', { id: 1, archived: true }],
      ['users.create', { username: 'mallory', displayName: 'Mallory', role: 'admin', password: 'a long password' }],
      ['users.list', {}],
      ['sync.exportNow', {}],
    ] as const) {
      const r = await post(harness, name, input);
      expect(r.ok, name).toBe(false);
      expect(r.error?.code, name).toBe('FORBIDDEN');
    }
    expect(await scalar(harness.dataDir, 'select count(*) as n from settings')).toBe(before);
    expect(await scalar(harness.dataDir, "select count(*) as n from users where username = 'mallory'")).toBe(0);
    await page.goto(`${harness.url}/#settings`);
    await expect.poll(() => page.getByTestId('settings-refused').innerText()).toContain('Settings are for admins');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'settings-staff.png') });
    await post(harness, 'auth.signOut', {});
    expect((await post(harness, 'auth.signIn', { username: 'admin', password: harness.passwords['admin'] })).ok).toBe(true);
  });

  it('changing n previews its effect, then re-derives statuses and queues exactly the emails promised', async () => {
    // Signed in as admin again (same URL: reload so the page asks main who is signed in).
    await page.reload();
    await page.getByTestId('expiring-days').fill('0');
    await expect.poll(() => page.getByTestId('n-zero-warning').innerText()).toContain('Expiring is off');
    await page.getByTestId('expiring-days').fill('90');
    const preview = page.getByTestId('n-preview');
    await expect.poll(() => preview.innerText()).toContain('If you save n = 90');
    const text = await preview.innerText();
    const changed = Number(/(\d+) records would change/.exec(text)?.[1]);
    const emails = Number(/(\d+) 'Certification Expiring' emails would be queued/.exec(text)?.[1]);
    const reminders = /Reminder emails of the certifications' schedules: (\d+) would be queued, (\d+) withdrawn/.exec(text);
    expect(reminders, 'the preview counts the reminder emails too').not.toBeNull();
    expect(changed).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'settings-general.png') });
    const expiringBefore = await scalar(harness.dataDir, "select count(*) as n from records where status = 'Expiring'");
    const outboxBefore = await scalar(harness.dataDir, 'select count(*) as n from outbox');
    await page.getByRole('button', { name: 'Save n' }).click();
    await expect.poll(() => scalar(harness.dataDir, "select count(*) as n from settings where key = 'expiringDays' and value = '90'")).toBe(1);
    expect(await scalar(harness.dataDir, "select count(*) as n from records where status = 'Expiring'")).toBe(expiringBefore + changed);
    expect(await scalar(harness.dataDir, 'select count(*) as n from outbox')).toBe(outboxBefore + emails + Number(reminders?.[1]));
    // Every Expiring record now expires within 90 days of the office's today.
    const info = (await post(harness, 'app.info', {})).value as { today: string };
    expect(
      await scalar(harness.dataDir, "select count(*) as n from records where status = 'Expiring' and expires_on > date(?, '+90 days')", [info.today]),
    ).toBe(0);
  });

  it('a program edit applied to existing records changes them and writes their history', async () => {
    await page.getByRole('tab', { name: 'Certification programs' }).click();
    await page.locator('[data-program=ETH]').getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: /Edit Continuing Education in Ethics/ });
    await dialog.getByRole('textbox', { name: 'Amount' }).fill('2');
    const granted = await queryDb<{ id: number; completed_on: string; expires_on: string }>(
      harness.dataDir,
      "select r.id, r.completed_on, r.expires_on from records r join programs p on p.id = r.program_id where p.code = 'ETH' and r.status in ('Active', 'Expiring', 'Expired') and r.expiration_overridden = 0",
    );
    expect(granted.length).toBeGreaterThan(0);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    const effect = page.getByTestId('program-effect');
    await expect.poll(() => effect.innerText()).toContain(`${granted.length} expiration dates recomputed`);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'settings-program-effect.png') });
    await effect.getByRole('button', { name: 'Apply to existing records' }).click();
    await expect.poll(() => scalar(harness.dataDir, "select count(*) as n from programs where code = 'ETH' and expiration_amount = 2")).toBe(1);
    for (const r of granted) {
      const [after] = await queryDb<{ expires_on: string }>(harness.dataDir, 'select expires_on from records where id = ?', [r.id]);
      const [y, m, d] = r.expires_on.split('-').map(Number);
      expect(after?.expires_on.startsWith(String((y ?? 0) + 1))).toBe(true);
      expect(after?.expires_on.slice(4)).toBe(r.expires_on.slice(4) === '-02-29' ? '-02-28' : r.expires_on.slice(4));
      void m;
      void d;
      const history = await scalar(
        harness.dataDir,
        "select count(*) as n from record_history where record_id = ? and detail like 'Certification rules changed%'",
        [r.id],
      );
      expect(history).toBe(1);
    }
  });

  it('archiving a program keeps every record; users can be added and a staff password reset', async () => {
    const before = await scalar(harness.dataDir, "select count(*) as n from records r join programs p on p.id = r.program_id where p.code = 'FNM'");
    await page.locator('[data-program=FNM]').getByRole('button', { name: 'Archive' }).click();
    await expect.poll(() => scalar(harness.dataDir, "select count(*) as n from programs where code = 'FNM' and archived_at is not null")).toBe(1);
    expect(await scalar(harness.dataDir, "select count(*) as n from records r join programs p on p.id = r.program_id where p.code = 'FNM'")).toBe(before);
    // An archived certification takes no new enrollments.
    const [contact] = await queryDb<{ id: number }>(
      harness.dataDir,
      'select id from contacts c where not exists (select 1 from records r where r.contact_id = c.id) limit 1',
    );
    const [fnm] = await queryDb<{ id: number }>(harness.dataDir, "select id from programs where code = 'FNM'");
    const refused = await post(harness, 'records.enroll', { contactId: contact?.id, programId: fnm?.id });
    expect(refused.error?.message).toContain('archived');

    await page.getByRole('tab', { name: 'Users' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Riley Registrar');
    await page.getByLabel('User name').fill('riley');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect.poll(() => page.getByText('A password needs at least 10 characters.').count()).toBeGreaterThan(0);
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await page.getByRole('button', { name: 'Add user' }).click();
    await expect.poll(() => page.getByTestId('users-table').innerText(), { timeout: 20_000 }).toContain('riley');
    const row = page.getByTestId('users-table').locator('tr', { hasText: 'riley' });
    await row.getByRole('button', { name: 'Reset password' }).click();
    const dropdown = page.locator('.mantine-Popover-dropdown', { has: page.getByLabel('New password for Riley Registrar') });
    await dropdown.getByLabel('New password for Riley Registrar').fill('a brand new password');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'settings-users.png') });
    await dropdown.getByRole('button', { name: 'Set password' }).click();
    await expect.poll(() => page.getByText('New password set for Riley Registrar.').count(), { timeout: 20_000 }).toBe(1);
    await post(harness, 'auth.signOut', {});
    expect((await post(harness, 'auth.signIn', { username: 'riley', password: 'correct horse battery' })).ok).toBe(false);
    expect((await post(harness, 'auth.signIn', { username: 'riley', password: 'a brand new password' })).ok).toBe(true);
    const [hash] = await queryDb<{ password_hash: string }>(harness.dataDir, "select password_hash from users where username = 'riley'");
    expect(hash?.password_hash.startsWith('scrypt$')).toBe(true);
    expect(hash?.password_hash).not.toContain('brand new');
  });
});

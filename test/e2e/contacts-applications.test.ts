/**
 * Work flowing in through the screens (issue 15): the contact editor in the record drawer
 * (a new last name shows on the Tracking list at once, in its right place in the name sort),
 * and Record application with a contact made in the same dialog — the record is Applied or
 * In Progress as the certification's Require Approval says, the history says how it came,
 * a second contact with the same email is refused on the field naming the first, and the
 * dialog opened from a record's contact section records for that contact.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeFindings } from '../support/axe';
import { queryDb } from '../support/db';
import { apiCall, SCREENSHOT_DIR, type Harness } from '../support/harness';
import { browserSessionPerSuite, openTracking } from '../support/e2e';

describe('Contacts and applications (Chromium, npm run web)', () => {
  let harness: Harness;
  let page: Page;
  const settle = () => page.waitForFunction(() => document.querySelector('[data-testid="tracking-table"]')?.getAttribute('aria-busy') === 'false');
  const applicationDialog = () => page.getByRole('dialog', { name: 'Record application' });

  type Program = { id: number; name: string; code: string; require_approval: number };
  /** The certifications that take new records. */
  const openPrograms = () => queryDb<Program>(harness.dataDir, 'select id, name, code, require_approval from programs where archived_at is null order by id');
  /** Picks `program` in the dialog's Certification list, by the label staff see there. */
  const pickProgram = async (program: Program) => {
    await applicationDialog().getByRole('combobox', { name: 'Certification' }).click();
    await page.getByRole('option', { name: `${program.name} (${program.code})${program.require_approval ? ' · requires approval' : ''}`, exact: true }).click();
  };
  /** Record application from the toolbar, for a new contact typed in, with `program` picked. */
  const startApplication = async (contact: { first?: string; last: string; email: string }, program: Program) => {
    await page.getByRole('button', { name: 'Record application' }).first().click();
    await applicationDialog().getByText('New contact', { exact: true }).click();
    if (contact.first) await applicationDialog().getByLabel('First name').fill(contact.first);
    await applicationDialog().getByLabel('Last name').fill(contact.last);
    await applicationDialog().getByLabel('Email').fill(contact.email);
    await pickProgram(program);
  };

  browserSessionPerSuite({ timeout: 30_000, setupTimeout: 240_000 }, async (session) => {
    ({ harness, page } = session);
    await openTracking(page, harness, 90_000);
  });

  it('a contact renamed in the record drawer shows on the list at once, in its place in the name sort', async () => {
    await settle();
    const ids = await page.locator('[data-record-id]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-record-id'))));
    const last = ids[ids.length - 1];
    const [before] = await queryDb<{ contact_id: number; last_name: string }>(
      harness.dataDir,
      'select c.id as contact_id, c.last_name from records r join contacts c on c.id = r.contact_id where r.id = ?',
      [last],
    );
    await page.locator(`[data-record-id="${last}"]`).click();
    await page.getByRole('button', { name: 'Edit contact' }).click();
    const editor = page.getByTestId('contact-editor');
    await editor.getByLabel('Last name').fill('Aaaab');
    await page.getByRole('button', { name: 'Save contact' }).click();
    await expect.poll(() => page.getByTestId('record-drawer').getByRole('heading', { level: 3 }).innerText(), { timeout: 15_000 }).toContain('Aaaab');
    await page.keyboard.press('Escape');
    await settle();
    // Sorted by name (the default), the renamed contact now comes first, under the new name.
    const first = page.locator('[data-record-id]').first();
    await expect.poll(() => first.innerText(), { timeout: 15_000 }).toContain('Aaaab');
    const firstIds = await page.locator('[data-record-id]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-record-id'))));
    expect(firstIds.slice(0, 5)).toContain(last);
    const [after] = await queryDb<{ last_name: string; name_key: string }>(harness.dataDir, 'select last_name, name_key from contacts where id = ?', [
      before?.contact_id,
    ]);
    expect(after?.last_name).toBe('Aaaab');
    expect(after?.name_key.startsWith('aaaab')).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'contact-renamed.png') });
  }, 180_000);

  it('a refused contact edit keeps focus in the editor (Esc closes only the editor), and reopening shows the stored values', async () => {
    await settle();
    const id = Number(await page.locator('[data-record-id]').first().getAttribute('data-record-id'));
    const [mine] = await queryDb<{ contact_id: number; email: string }>(
      harness.dataDir,
      'select c.id as contact_id, c.email from records r join contacts c on c.id = r.contact_id where r.id = ?',
      [id],
    );
    const [other] = await queryDb<{ email: string }>(harness.dataDir, "select email from contacts where id <> ? and email <> '' order by id limit 1", [
      mine?.contact_id,
    ]);
    await page.locator(`[data-record-id="${id}"]`).click();
    await page.getByRole('button', { name: 'Edit contact' }).click();
    const editor = page.getByTestId('contact-editor');
    await editor.getByLabel('Email').fill(other?.email.toUpperCase() ?? '');
    await page.getByRole('button', { name: 'Save contact' }).click();
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'two contacts cannot share an email' }).count()).toBe(1);
    // Said on the Email field (not under the form), so staff see which value to change.
    const email = editor.getByLabel('Email');
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await email.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`[id="${describedBy.split(' ').find((id) => id.endsWith('error')) ?? 'none'}"]`).innerText()).toContain(
      'two contacts cannot share an email',
    );
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'contact-edit-refused.png') });
    expect(await seriousAxeFindings(page)).toEqual([]);
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toBe('Save contact');
    await page.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });
    const drawer = page.getByRole('dialog', { name: 'Certification record' });
    expect(await drawer.isVisible()).toBe(true);
    // The abandoned edit is gone: the editor opens on what is stored.
    await page.getByRole('button', { name: 'Edit contact' }).click();
    expect(await editor.getByLabel('Email').inputValue()).toBe(mine?.email);
    await page.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
  }, 120_000);

  it('Record application with a new contact: Applied or In Progress by Require Approval; a duplicate email is refused on the field', async () => {
    const programs = await openPrograms();
    const approval = programs.find((p) => p.require_approval === 1);
    const open = programs.find((p) => p.require_approval === 0);
    expect(approval && open).toBeTruthy();
    if (!approval || !open) return;

    await startApplication({ first: 'Quinn', last: 'Applicant', email: 'quinn.applicant@example.org' }, approval);
    const dialog = applicationDialog();
    const date = dialog.getByLabel('Application date');
    await date.fill('');
    await date.pressSequentially('2026-02-30');
    await expect.poll(() => dialog.getByText('2026-02-30 is not a date: February 2026 has 28 days.').count()).toBe(1);
    await date.fill('');
    await date.pressSequentially('2026-11-20');
    await date.blur();
    await dialog.getByRole('combobox', { name: 'Received by' }).click();
    await page.getByRole('option', { name: 'Email', exact: true }).click();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'application-new-contact.png') });
    await dialog.getByRole('button', { name: 'Record application' }).click();
    const drawer = page.getByTestId('record-drawer');
    await expect.poll(() => drawer.getByRole('heading', { level: 3 }).innerText()).toContain('Quinn Applicant');
    await expect.poll(() => page.getByTestId('record-history').innerText()).toContain('Application received by email');
    const [rec] = await queryDb<{ status: string; applied_on: string }>(
      harness.dataDir,
      "select r.status, r.applied_on from records r join contacts c on c.id = r.contact_id where c.email = 'quinn.applicant@example.org'",
    );
    expect(rec).toEqual({ status: 'Applied', applied_on: '2026-11-20' });

    // From the record's contact section: the same contact, another certification without approval.
    await drawer.getByRole('button', { name: 'Record application' }).click();
    await expect.poll(() => dialog.getByRole('combobox', { name: 'Contact' }).inputValue()).toBe('Quinn Applicant');
    await pickProgram(open);
    await dialog.getByRole('button', { name: 'Record application' }).click();
    await expect.poll(() => page.getByTestId('record-history').innerText()).toContain('Application received by mail');
    const statuses = await queryDb<{ code: string; status: string }>(
      harness.dataDir,
      "select p.code, r.status from records r join contacts c on c.id = r.contact_id join programs p on p.id = r.program_id where c.email = 'quinn.applicant@example.org' order by r.id",
    );
    expect(statuses).toEqual([
      { code: approval.code, status: 'Applied' },
      { code: open.code, status: 'In Progress' },
    ]);
    await page.keyboard.press('Escape');

    // A second new contact with the same email is refused on the Email field, naming the first.
    await startApplication({ last: 'Someone Else', email: 'quinn.applicant@example.org' }, open);
    await dialog.getByRole('button', { name: 'Record application' }).click();
    await expect.poll(() => dialog.getByText(/Quinn Applicant already has the email quinn\.applicant@example\.org/).count()).toBe(1);
    expect(await dialog.getByRole('alert').count()).toBe(0);
    const [dupes] = await queryDb<{ n: number }>(harness.dataDir, "select count(*) as n from contacts where email = 'quinn.applicant@example.org'");
    expect(dupes?.n).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'application-duplicate-email.png') });
    await page.keyboard.press('Escape');
  }, 240_000);

  it('an application refused after its new contact was made: the retry, with a name corrected, records it for that contact, made once', async () => {
    const [gone, other] = await openPrograms();
    expect(gone && other).toBeTruthy();
    if (!gone || !other) return;

    await startApplication({ first: 'Rita', last: 'Retry', email: 'rita.retry@example.org' }, gone);
    const dialog = applicationDialog();
    // Archived by another user while the dialog is open: main refuses the application after making the contact.
    await apiCall(harness, 'programs.setArchived', { id: gone.id, archived: true });
    try {
      await dialog.getByRole('button', { name: 'Record application' }).click();
      await expect.poll(() => dialog.getByRole('alert').innerText()).toContain(`${gone.name} is archived`);
      await dialog.getByLabel('First name').fill('Ritah');
      await pickProgram(other);
      await dialog.getByRole('button', { name: 'Record application' }).click();
      await expect.poll(() => page.getByTestId('record-drawer').getByRole('heading', { level: 3 }).innerText()).toContain('Ritah Retry');
    } finally {
      await apiCall(harness, 'programs.setArchived', { id: gone.id, archived: false });
    }
    const made = await queryDb<{ first_name: string; code: string }>(
      harness.dataDir,
      "select c.first_name, p.code from contacts c left join records r on r.contact_id = c.id left join programs p on p.id = r.program_id where c.email = 'rita.retry@example.org'",
    );
    expect(made).toEqual([{ first_name: 'Ritah', code: other.code }]);
    await page.keyboard.press('Escape');
  }, 120_000);

  it('Record application opened again while it fades out starts empty, and Esc still gives the focus back to its button', async () => {
    const button = page.getByRole('button', { name: 'Record application' }).first();
    const dialog = applicationDialog();
    await button.click();
    await dialog.getByLabel('Note').fill('typed, then abandoned');
    await page.keyboard.press('Escape');
    // At once, inside the fade-out (0.2 s; focus is back on the button): the dialog came back with the abandoned note.
    await page.waitForFunction(() => document.activeElement?.textContent === 'Record application', undefined, { polling: 'raf' });
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.getByLabel('Note').inputValue()).toBe('');
    // It opened at the Contact field with its list open: the first Esc closes the list, the second the dialog.
    await page.getByRole('listbox').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('listbox').waitFor({ state: 'hidden' });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? '')).toBe('Record application');
  }, 60_000);
});

/**
 * Completions CSV through the Import dialog (Chromium, `npm run web`): the
 * preview names a contact not enrolled; the import completes one member's
 * certification (Active on the Tracking list) and leaves another In Progress.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { queryDb } from '../support/db';
import { apiCall, SCREENSHOT_DIR, type Harness } from '../support/harness';
import { browserSessionPerSuite } from '../support/e2e';

describe('completions CSV through the Import dialog (Chromium, npm run web)', () => {
  let harness: Harness;
  let page: Page;

  browserSessionPerSuite({ timeout: 20_000 }, (session) => {
    ({ harness, page } = session);
  });

  it('imports completions; the Tracking list shows the completed certification Active and the other In Progress; a completion removed in the drawer', async () => {
    // A certification that completes without approval, whose expiration lies ahead, with required components.
    const [program] = await queryDb<{ id: number; code: string }>(
      harness.dataDir,
      `select p.id, p.code from programs p where p.archived_at is null and p.require_completion_approval = 0 and p.expiration_kind <> 'fixed'
         and (select count(*) from components c where c.program_id = p.id and c.required = 1 and c.archived_at is null) between 2 and 6 order by p.id limit 1`,
    );
    expect(program).toBeDefined();
    const required = await queryDb<{ name: string }>(
      harness.dataDir,
      'select name from components where program_id = ? and required = 1 and archived_at is null order by position',
      [program!.id],
    );
    const people = [
      { firstName: 'Quinn', lastName: 'Zedcompleter', memberNumber: 'QC-1', email: 'quinn.z@example.org' },
      { firstName: 'Remy', lastName: 'Zedhalfway', memberNumber: 'QC-2', email: 'remy.z@example.org' },
      { firstName: 'Sasha', lastName: 'Zednotenrolled', memberNumber: 'QC-3', email: 'sasha.z@example.org' },
    ];
    for (const [i, person] of people.entries()) {
      const contact = await apiCall<{ id: number }>(harness, 'contacts.create', person);
      if (i < 2) await apiCall(harness, 'records.enroll', { contactId: contact.id, programId: program!.id });
    }
    const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const lines = ['Member Number,Certification Code,Component,Completed On,Credits,Source'];
    for (const c of required) lines.push(`QC-1,${program!.code},"${c.name}",${day},,Learning system`);
    lines.push(`QC-2,${program!.code},"${required[0]!.name}",${day},,Learning system`);
    lines.push(`QC-3,${program!.code},"${required[0]!.name}",${day},,Learning system`);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-csv-')), 'completions.csv');
    fs.writeFileSync(file, `${lines.join('\r\n')}\r\n`);

    await page.goto(`${harness.url}/#tracking`);
    await page.waitForSelector('[data-record-id]', { timeout: 60_000 }).catch(async (err: unknown) => {
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'import-completions-start-failed.png') });
      throw err;
    });
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByTestId('import-modal').waitFor();
    await page.getByTestId('import-modal').getByText('Completions', { exact: true }).click();
    await page.locator('input[type=file]').setInputFiles(file);
    const newRows = required.length + 1;
    await expect.poll(() => page.getByTestId('import-preview').innerText()).toMatch(new RegExp(`${newRows}\\s*new`));
    await expect.poll(() => page.getByTestId('import-rejected').innerText()).toContain(`Sasha Zednotenrolled is not enrolled in ${program!.code}`);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'import-completions-preview.png') });
    await page.getByRole('button', { name: new RegExp(`^Import ${newRows} rows`) }).click();
    await expect
      .poll(
        async () =>
          (
            await queryDb<{ status: string }>(
              harness.dataDir,
              "select r.status from records r join contacts c on c.id = r.contact_id where c.member_number = 'QC-1'",
            )
          )[0]?.status,
        {
          timeout: 20_000,
        },
      )
      .toBe('Active');

    await page.getByLabel('Contact name').fill('zedcompleter');
    await expect.poll(() => page.locator('[data-record-id]', { hasText: 'Quinn Zedcompleter' }).textContent()).toContain('Active');
    // A completion entered by mistake: removed with a reason in the record drawer, the certificate goes back to In Progress.
    await page.locator('[data-record-id]', { hasText: 'Quinn Zedcompleter' }).click();
    await page.getByTestId('record-history').waitFor();
    const last = required[required.length - 1]!.name;
    await page.getByRole('button', { name: `Remove… the completion of ${last}` }).click();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'record-remove-open.png') });
    await page.getByRole('textbox', { name: /^Why remove/ }).fill('Entered for the wrong member');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'record-remove-completion.png') });
    await page.getByRole('button', { name: 'Remove completion' }).click();
    await expect
      .poll(
        async () =>
          (
            await queryDb<{ status: string }>(
              harness.dataDir,
              "select r.status from records r join contacts c on c.id = r.contact_id where c.member_number = 'QC-1'",
            )
          )[0]?.status,
      )
      .toBe('In Progress');
    await expect.poll(() => page.getByTestId('record-history').innerText()).toContain(`${last} completion of`);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'record-completion-removed.png') });
    await page.keyboard.press('Escape');

    await page.getByLabel('Contact name').fill('zedhalfway');
    await expect.poll(() => page.locator('[data-record-id]', { hasText: 'Remy Zedhalfway' }).textContent()).toContain('In Progress');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'import-completions-tracking.png') });
  }, 180_000);

  it('imports a CE activity with the completions that earn the certificate: the preview says it counts, the record drawer shows the credits', async () => {
    // A certification valid for a period after completion (so a cycle runs once it is earned), given a renewal requirement.
    const [program] = await queryDb<{ id: number; code: string }>(
      harness.dataDir,
      `select p.id, p.code from programs p where p.archived_at is null and p.require_completion_approval = 0 and p.expiration_kind = 'period'
         and (select count(*) from components c where c.program_id = p.id and c.required = 1 and c.archived_at is null) between 1 and 6 order by p.id desc limit 1`,
    );
    expect(program).toBeDefined();
    await apiCall(harness, 'credits.addCategory', { name: 'Zed Ethics' });
    await apiCall(harness, 'programs.setRenewal', {
      programId: program!.id,
      requirement: { credits: 10, minimums: [{ category: 'Zed Ethics', credits: 2 }], carryOverCap: null, review: false },
    });
    const required = await queryDb<{ name: string }>(
      harness.dataDir,
      'select name from components where program_id = ? and required = 1 and archived_at is null order by position',
      [program!.id],
    );
    const contact = await apiCall<{ id: number }>(harness, 'contacts.create', {
      firstName: 'Tess',
      lastName: 'Zedcredits',
      memberNumber: 'QC-4',
      email: 'tess.z@example.org',
    });
    await apiCall(harness, 'records.enroll', { contactId: contact.id, programId: program!.id });
    const dayOf = (back: number) => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
    const lines = ['Member Number,Certification Code,Component,Completed On,Credits,Source,CE Category,Title'];
    for (const c of required) lines.push(`QC-4,${program!.code},"${c.name}",${dayOf(3)},,Learning system,,`);
    lines.push(`QC-4,${program!.code},,${dayOf(2)},3,Spring conference,Zed Ethics,Ethics in practice`);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-csv-')), 'completions-ce.csv');
    fs.writeFileSync(file, `${lines.join('\r\n')}\r\n`);

    await page.goto(`${harness.url}/#tracking`);
    await page.waitForSelector('[data-record-id]', { timeout: 60_000 });
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByTestId('import-modal').waitFor();
    await page.getByTestId('import-modal').getByText('Completions', { exact: true }).click();
    await page.locator('input[type=file]').setInputFiles(file);
    await expect.poll(() => page.getByTestId('import-summary').innerText()).toContain('CE activities: 1 new, 0 unchanged, 0 rejected.');
    await expect.poll(() => page.getByTestId('import-changes').innerText()).toContain('Towards renewal: counts in the current cycle');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'import-completions-ce-preview.png') });
    await page.getByRole('button', { name: new RegExp(`^Import ${required.length + 1} rows`) }).click();
    await expect
      .poll(async () => (await queryDb<{ n: number }>(harness.dataDir, "select count(*) as n from ce_activities where title = 'Ethics in practice'"))[0]?.n, {
        timeout: 20_000,
      })
      .toBe(1);
    await page.keyboard.press('Escape');

    await page.getByLabel('Contact name').fill('zedcredits');
    await expect.poll(() => page.locator('[data-record-id]', { hasText: 'Tess Zedcredits' }).textContent()).toContain('Active');
    await page.locator('[data-record-id]', { hasText: 'Tess Zedcredits' }).click();
    await expect.poll(() => page.getByTestId('credits-total').innerText()).toBe('3 of 10 credits · 7 still needed');
    await expect.poll(() => page.getByTestId('credits-category-Zed Ethics').innerText()).toBe('3 of at least 2');
    await expect.poll(() => page.getByTestId('credits-activities').innerText()).toContain('Ethics in practice');
    await page.getByTestId('credits-panel').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'import-completions-ce-drawer.png') });
  }, 180_000);
});

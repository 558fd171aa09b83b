/**
 * CSV import from the Tracking page (Chromium, `npm run web`): a preview with
 * counts and rejected lines, then the import; the contacts are then found.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { queryDb } from '../support/db';
import { SCREENSHOT_DIR, type Harness } from '../support/harness';
import { browserSessionPerSuite, openTracking } from '../support/e2e';

describe('CSV import (Chromium, npm run web)', () => {
  let harness: Harness;
  let page: Page;

  browserSessionPerSuite({ timeout: 15_000 }, (session) => {
    ({ harness, page } = session);
  });

  it('previews new and rejected rows, imports exactly the valid ones, and finds the new contacts', async () => {
    const csv = [
      'Member Number,First Name,Last Name,Email,Organization',
      'Z-9001,Zoë,Öztürk,zoe.ozturk@example.org,Ankara Nurses',
      'Z-9002,İlkay,Yıldırım,ilkay@example.org,"Istanbul, Medical"',
      'Z-9003,,,broken-email,',
    ].join('\r\n');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-csv-')), 'contacts.csv');
    fs.writeFileSync(file, `\uFEFF${csv}\r\n`);
    await openTracking(page, harness);
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByTestId('import-modal').waitFor();
    await page.locator('input[type=file]').setInputFiles(file);
    const preview = page.getByTestId('import-preview');
    await expect.poll(() => preview.innerText()).toMatch(/2\s*new/);
    await expect.poll(() => page.getByTestId('import-rejected').innerText()).toContain('Line 4');
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'import-preview.png') });
    const before = (await queryDb<{ n: number }>(harness.dataDir, 'select count(*) as n from contacts'))[0]?.n ?? 0;
    await page.getByRole('button', { name: /^Import 2 rows/ }).click();
    await expect.poll(async () => (await queryDb<{ n: number }>(harness.dataDir, 'select count(*) as n from contacts'))[0]?.n).toBe(before + 2);
    const [zoe] = await queryDb<{ first_name: string; last_name: string; organization: string }>(
      harness.dataDir,
      "select first_name, last_name, organization from contacts where member_number = 'Z-9001'",
    );
    expect(zoe).toEqual({ first_name: 'Zoë', last_name: 'Öztürk', organization: 'Ankara Nurses' });

    // Not enrolled anywhere yet: the list says so when searched, case-insensitively beyond ASCII.
    await page.getByLabel('Contact name').fill('zoë ÖZTÜRK');
    await expect.poll(() => page.getByTestId('not-enrolled-hint').innerText()).toContain('Zoë Öztürk');
    // Enrolled nowhere, she has no record drawer: her details are corrected from the search.
    const hint = page.getByTestId('not-enrolled-hint');
    await hint.getByRole('button', { name: 'Edit contact' }).click();
    await page.getByTestId('contact-editor').getByLabel('Organization').fill('Ankara Nurses Association');
    await page.getByRole('button', { name: 'Save contact' }).click();
    await expect
      .poll(
        async () =>
          (await queryDb<{ organization: string }>(harness.dataDir, "select organization from contacts where member_number = 'Z-9001'"))[0]?.organization,
      )
      .toBe('Ankara Nurses Association');
  }, 120_000);

  it('a header row it cannot map by itself ("Surname" and "Last Name", a column twice) is mapped in the dialog, not in the file', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-csv-')), 'old-export.csv');
    fs.writeFileSync(file, 'Member Number,First Name,Surname,Last Name,Email,Notes,Notes,,\r\nH-1,Hana,Novák,Nováková,hana@example.org,a,b,,\r\n');
    await page.goto(`${harness.url}/#tracking`);
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByTestId('import-modal').waitFor();
    await page.locator('input[type=file]').setInputFiles(file);
    await expect
      .poll(() => page.getByTestId('import-file-error').innerText())
      .toContain('2 columns that could be Last name ("Surname", "Last Name"); map one of them.');
    // The message asks for a mapping: the dialog offers it (the column listed twice once).
    const columns = page.getByTestId('import-columns');
    await columns.getByLabel('Last name').click();
    await page.getByRole('option', { name: 'Last Name', exact: true }).click();
    await expect.poll(() => page.getByTestId('import-changes').innerText()).toContain('Nováková, Hana');
    // The column chosen again is let go: Last name is then not imported, and the field says so.
    await columns.getByLabel('Last name').click();
    await page.getByRole('option', { name: 'Last Name', exact: true }).click();
    await expect.poll(() => page.getByTestId('import-file-error').innerText()).toContain('No column holds Last name.');
    expect(await columns.getByLabel('Last name').inputValue()).toBe('');
    expect(await columns.getByLabel('Last name').getAttribute('placeholder')).toBe('Not imported');
    await columns.getByLabel('Last name').click();
    await page.getByRole('option', { name: 'Last Name', exact: true }).click();
    await expect.poll(() => page.getByTestId('import-changes').innerText()).toContain('Nováková, Hana');
    // Excel's trailing commas: columns without a header, said in words.
    expect(await page.getByTestId('import-unmapped').innerText()).toBe('Not imported: Surname, Notes, Notes, 2 columns without a header');
    await columns.getByLabel('Phone').click();
    await expect.poll(() => page.getByRole('option', { name: 'Notes', exact: true }).count()).toBe(1);
    await page.keyboard.press('Escape');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'import-mapped-by-hand.png') });
    await page.getByRole('button', { name: 'Import 1 row', exact: true }).click();
    await expect
      .poll(async () => (await queryDb<{ last_name: string }>(harness.dataDir, "select last_name from contacts where member_number = 'H-1'"))[0]?.last_name)
      .toBe('Nováková');
  }, 120_000);
});

describe('applications CSV through the Import dialog (Chromium, npm run web)', () => {
  let harness: Harness;
  let page: Page;

  browserSessionPerSuite({ timeout: 20_000 }, (session) => {
    ({ harness, page } = session);
  });

  it('a Windows-1252 contacts file is read as such; a 2 MB applications file imports, and the Tracking list shows Applied and In Progress', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-csv-'));
    // Excel's "CSV" on Windows: Windows-1252 bytes (ü = 0xFC).
    const contacts = path.join(dir, 'contacts.csv');
    fs.writeFileSync(
      contacts,
      Buffer.from(
        'Member Number,First Name,Last Name,Email\r\nW-1,Jürgen,Müller,jurgen.muller@example.org\r\nW-2,Anna,Zwölf,anna.zwolf@example.org\r\n',
        'latin1',
      ),
    );
    await openTracking(page, harness);
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByTestId('import-modal').waitFor();
    await page.locator('input[type=file]').setInputFiles(contacts);
    await expect.poll(() => page.getByTestId('import-encoding').innerText()).toContain('Read as Windows-1252');
    await expect.poll(() => page.getByTestId('import-changes').innerText()).toContain('Müller, Jürgen');
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'import-windows-1252.png') });
    await page.getByRole('button', { name: /^Import 2 rows/ }).click();
    await expect
      .poll(async () => (await queryDb<{ n: number }>(harness.dataDir, "select count(*) as n from contacts where member_number in ('W-1', 'W-2')"))[0]?.n)
      .toBe(2);

    // Applications: BCS requires approval (Applied), FNM does not (In Progress). 30,000 rows naming
    // nobody make the file over 2 MB, the size the harness used to drop; they are rejected in words.
    const lines = ['Member Number,Certification Code,Application Date,Note', 'W-1,BCS,2026-06-01,Paper form', 'W-2,FNM,2026-06-02,'];
    for (let i = 0; i < 30_000; i++) lines.push(`X-${100000 + i},BCS,2026-06-01,From the old system's export of applications`);
    const applications = path.join(dir, 'applications.csv');
    fs.writeFileSync(applications, `${lines.join('\r\n')}\r\n`);
    expect(fs.statSync(applications).size).toBeGreaterThan(2 * 1024 * 1024);
    await page.getByRole('button', { name: 'Import…' }).click();
    await page.getByTestId('import-modal').getByText('Applications', { exact: true }).click();
    await page.locator('input[type=file]').setInputFiles(applications);
    await expect.poll(() => page.getByTestId('import-preview').innerText(), { timeout: 20_000 }).toMatch(/2\s*new/);
    await expect.poll(() => page.getByTestId('import-rejected').innerText()).toContain('No contact has member number X-100000');
    // Only the first rejected lines are listed: the heading says so.
    expect(await page.getByTestId('import-rejected-heading').innerText()).toBe('Rejected: the first 200 of 30,000 lines');
    expect(await page.getByTestId('import-changes-heading').innerText()).toBe('To import');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'import-applications-preview.png') });
    await page.getByRole('button', { name: /^Import 2 rows/ }).click();
    await expect
      .poll(
        async () =>
          (
            await queryDb<{ n: number }>(
              harness.dataDir,
              "select count(*) as n from records r join contacts c on c.id = r.contact_id where c.member_number in ('W-1', 'W-2')",
            )
          )[0]?.n,
        { timeout: 20_000 },
      )
      .toBe(2);

    // The Tracking list shows them with the engine's statuses.
    await page.getByLabel('Contact name').fill('müller');
    const muller = page.locator('[data-record-id]', { hasText: 'Jürgen Müller' });
    await expect.poll(() => muller.textContent()).toContain('Applied');
    await page.getByLabel('Contact name').fill('zwölf');
    const anna = page.locator('[data-record-id]', { hasText: 'Anna Zwölf' });
    await expect.poll(() => anna.textContent()).toContain('In Progress');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'import-applications-tracking.png') });
  }, 180_000);
});

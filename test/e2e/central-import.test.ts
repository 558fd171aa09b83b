/**
 * Import from the central system's batches in the admin settings window (Chromium, `npm run web`):
 * the preview and the import show per kind what comes in — contacts, and the applications and
 * completions applied (issue #15), and the CE activities among the completion events — and the record the
 * events make is Active (a certification without approvals), with its CE activity.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildBatch, type BatchChange } from '../../main/sync/format';
import { queryDb } from '../support/db';
import { SCREENSHOT_DIR, type Harness } from '../support/harness';
import { browserSessionPerSuite, harnessCall } from '../support/e2e';

const DEVICE = '5a0c9e2b-1f3d-4c6b-9a8e-2d4f6b8c0e1a';

describe('import from the central system (Chromium, npm run web)', () => {
  let harness: Harness;
  let page: Page;

  browserSessionPerSuite({ timeout: 20_000, setupTimeout: 240_000 }, (session) => {
    ({ harness, page } = session);
  });

  /** A call through the harness's door, as the admin it is signed in as. */
  const post = async (name: string, input: unknown): Promise<boolean> => (await harnessCall(harness, name, input)).ok;

  it('shows the applications, completions and CE activities a batch brings, in the preview and after the import', async () => {
    const [program] = await queryDb<{ id: number; code: string }>(
      harness.dataDir,
      `select p.id, p.code from programs p where p.archived_at is null and p.require_approval = 0 and p.require_completion_approval = 0 and p.expiration_kind = 'period'
         and (select count(*) from components c where c.program_id = p.id and c.required = 1 and c.archived_at is null) between 1 and 6 order by p.id limit 1`,
    );
    expect(program).toBeDefined();
    const required = await queryDb<{ name: string }>(
      harness.dataDir,
      'select name from components where program_id = ? and required = 1 and archived_at is null order by position',
      [program!.id],
    );
    // CE activities need a category on the list and a renewal requirement on the certification.
    expect(await post('credits.addCategory', { name: 'Ethics' })).toBe(true);
    expect(await post('programs.setRenewal', { programId: program!.id, requirement: { credits: 10, minimums: [], carryOverCap: null, review: false } })).toBe(
      true,
    );
    const day = (back: number) => new Date(Date.now() - back * 86_400_000).toISOString().slice(0, 10);
    const at = new Date().toISOString();
    const changes: BatchChange[] = [
      { seq: 1, entity: 'contact', id: 8801, op: 'insert', at, data: { id: 8801, first_name: 'Cora', last_name: 'Zedcentral', member_number: 'CB-1' } },
      { seq: 2, entity: 'application', id: 7701, op: 'insert', at, data: { id: 7701, contact_id: 8801, program_code: program!.code, applied_on: day(5) } },
      ...required.map((c, i): BatchChange => ({
        seq: 3 + i,
        entity: 'completion',
        id: 7710 + i,
        op: 'insert',
        at,
        data: { id: 7710 + i, contact_id: 8801, program_code: program!.code, component_name: c.name, completed_on: day(3) },
      })),
      {
        seq: 3 + required.length,
        entity: 'completion',
        id: 7790,
        op: 'insert',
        at,
        data: { id: 7790, contact_id: 8801, program_code: program!.code, category: 'Ethics', title: 'Ethics webinar', credits: 2, completed_on: day(1) },
      },
      {
        seq: 4 + required.length,
        entity: 'completion',
        id: 7799,
        op: 'insert',
        at,
        data: { id: 7799, member_number: 'NOBODY-1', program_code: program!.code, component_name: required[0]!.name, completed_on: day(3) },
      },
    ];
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-central-'));
    const batch = buildBatch(DEVICE, changes);
    fs.mkdirSync(path.join(folder, batch.name));
    for (const f of batch.files) fs.writeFileSync(path.join(folder, batch.name, f.name), f.content);
    fs.writeFileSync(path.join(folder, batch.name, 'manifest.json'), batch.manifestBytes);

    await page.goto(`${harness.url}/#settings`);
    await page.getByRole('tab', { name: 'Sync export' }).click();
    await page.getByLabel('Batch folder').fill(folder);
    await page.getByRole('button', { name: 'Preview' }).click();
    const cells = (table: string, kind: string) => page.getByTestId(table).locator(`tr[data-kind="${kind}"] td`).allInnerTexts();
    await expect.poll(() => cells('central-import-preview', 'applications')).toEqual(['Applications', '1', '0', '0', '0']);
    expect(await cells('central-import-preview', 'completions')).toEqual(['Completions', String(required.length), '0', '0', '1']);
    expect(await cells('central-import-preview', 'contacts')).toEqual(['Contacts', '1', '0', '0', '0']);
    // Cora is not stored yet: her activity is counted new and checked when applied.
    expect(await cells('central-import-preview', 'activities')).toEqual(['CE activities', '1', '0', '0', '0']);
    await expect.poll(() => page.getByTestId('central-import-rejected').innerText()).toContain('No contact has member number NOBODY-1');
    await page.getByTestId('central-import').scrollIntoViewIfNeeded();
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'central-import-preview.png') });

    await page.getByRole('button', { name: /^Import \d+ rows/ }).click();
    await expect.poll(() => cells('central-import-applied', 'applications'), { timeout: 30_000 }).toEqual(['Applications', '1', '0', '0', '0']);
    expect(await cells('central-import-applied', 'completions')).toEqual(['Completions', String(required.length), '0', '0', '1']);
    expect(await cells('central-import-applied', 'activities')).toEqual(['CE activities', '1', '0', '0', '0']);
    const [record] = await queryDb<{ status: string }>(
      harness.dataDir,
      "select r.status from records r join contacts c on c.id = r.contact_id where c.member_number = 'CB-1' and r.program_id = ?",
      [program!.id],
    );
    expect(record?.status).toBe('Active');
    const activities = await queryDb<{ title: string; category: string }>(
      harness.dataDir,
      "select a.title, a.category from ce_activities a join records r on r.id = a.record_id join contacts c on c.id = r.contact_id where c.member_number = 'CB-1'",
    );
    expect(activities).toEqual([{ title: 'Ethics webinar', category: 'Ethics' }]);
    await page.getByTestId('central-import').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'central-import-applied.png') });
  }, 240_000);
});

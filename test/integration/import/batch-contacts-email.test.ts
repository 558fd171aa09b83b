/**
 * Contacts from the central system's batches follow the rule of the form and
 * the CSV import (SPEC.md §6): a contact never takes another contact's email,
 * compared without case — the change is rejected naming the contact who has it,
 * never a silent duplicate. A contact keeping its own email is not refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyBatchImport, previewBatchImport } from '../../../main/import/batch';
import { createContact } from '../../../main/services/contacts';
import type { Actor } from '../../../main/services/context';
import { buildBatch, type BatchChange } from '../../../main/sync/format';
import { freshDb, makeStaff, removeDir, tempDir, type TestDb } from '../support';

let desk: TestDb;
let admin: Actor;
let out: string;

beforeEach(async () => {
  desk = await freshDb();
  admin = await makeStaff(desk.ctx, 'ada', 'Ada Admin', 'admin');
  out = tempDir('certdesk-batch-emails-');
});
afterEach(async () => {
  await desk.dispose();
  removeDir(out);
});

const DEVICE = '7d2f1c3b-4a5e-4f60-9a1b-2c3d4e5f6a7b';

function writeBatch(changes: Array<{ id: number; data: Record<string, unknown> }>): string {
  const batch = buildBatch(
    DEVICE,
    changes.map((c, i): BatchChange => ({
      seq: i + 1,
      entity: 'contact',
      id: c.id,
      op: 'insert',
      at: '2026-03-09T10:00:00.000Z',
      data: { id: c.id, ...c.data },
    })),
  );
  const dir = path.join(out, batch.name);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of batch.files) fs.writeFileSync(path.join(dir, f.name), f.content);
  fs.writeFileSync(path.join(dir, 'manifest.json'), batch.manifestBytes);
  return batch.name;
}

describe('central batches: contacts and emails', () => {
  it('refuses a new contact with an existing or an earlier new contact’s email, naming them; keeps the rest', async () => {
    await createContact(desk.ctx, { firstName: 'Joan', lastName: 'Adams', email: 'joan@example.org', memberNumber: 'M-1' });
    await createContact(desk.ctx, { firstName: 'Pat', lastName: 'Lee', email: 'pat@example.org', memberNumber: 'M-2' });
    const name = writeBatch([
      { id: 50, data: { first_name: 'Joan', last_name: 'Adams', email: 'JOAN@example.org', member_number: null } },
      { id: 51, data: { first_name: 'New', last_name: 'Comer', email: 'new@example.org', member_number: 'C-51' } },
      { id: 52, data: { first_name: 'Other', last_name: 'Comer', email: 'New@Example.org', member_number: 'C-52' } },
      // Pat, linked by member number, taking Joan's email: refused too.
      { id: 53, data: { first_name: 'Pat', last_name: 'Lee', email: 'joan@example.org', member_number: 'M-2' } },
      // Joan, linked by member number, keeping her own email (in another case): not a duplicate.
      { id: 54, data: { first_name: 'Joan', last_name: 'Adams', email: 'Joan@Example.org', member_number: 'M-1' } },
    ]);
    const preview = await previewBatchImport(desk.db, out);
    expect(preview.problems).toEqual([]);
    expect(preview.rejected).toEqual([
      {
        file: `${name}/changes-contact.jsonl`,
        line: 1,
        reason: "contact 50: Email JOAN@example.org belongs to Joan Adams (member M-1); a contact never takes another contact's email.",
      },
      {
        file: `${name}/changes-contact.jsonl`,
        line: 3,
        reason: "contact 52: Email New@Example.org belongs to New Comer (member C-51); a contact never takes another contact's email.",
      },
      {
        file: `${name}/changes-contact.jsonl`,
        line: 4,
        reason: "contact 53: Email joan@example.org belongs to Joan Adams (member M-1); a contact never takes another contact's email.",
      },
    ]);
    expect(preview.contacts).toEqual({ new: 1, changed: 1, unchanged: 0, rejected: 3 });
    await applyBatchImport(desk.ctx, admin, out);
    const emails = (await desk.db('contacts').orderBy('id').select('email')) as Array<{ email: string }>;
    expect(emails.map((c) => c.email)).toEqual(['Joan@Example.org', 'pat@example.org', 'new@example.org']);
  });
});

/**
 * How the work-flow imports (applications, completions, records) find a line's
 * contact by email (import/keys.ts): the same address in any case, beyond ASCII
 * too (RFC 6531 local parts such as "zoë"), found on the folded email key's
 * index; an address that only folds alike ("zoe" for "zoë") is another address.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { previewRecordsCsv } from '../../../main/import/records-csv';
import { createContact } from '../../../main/services/contacts';
import { freshDb, makeProgram, type TestDb } from '../support';
import { csv } from './helpers';

let t: TestDb;

beforeEach(async () => {
  t = await freshDb();
});
afterEach(async () => {
  await t.dispose();
});

it('a line names its contact by email in any case, non-ASCII letters included; a look-alike address is nobody', async () => {
  await makeProgram(t.ctx, { code: 'BCS' });
  await createContact(t.ctx, { firstName: 'Zoë', lastName: 'Adams', email: 'ZOË.Adams@Example.org' });
  await createContact(t.ctx, { firstName: 'Ana', lastName: 'Silva', email: 'ana@example.org' });
  const queries: Array<{ sql: string; bindings: unknown[] }> = [];
  const listen = (q: { sql: string; bindings?: unknown[] }) => void queries.push({ sql: q.sql, bindings: q.bindings ?? [] });
  t.db.on('query', listen);
  const preview = await previewRecordsCsv(t.ctx, {
    text: csv([
      ['Email', 'Certification', 'Status', 'Started'],
      ['zoë.adams@example.org', 'BCS', 'In Progress', '2026-01-05'],
      ['ANA@EXAMPLE.ORG', 'BCS', 'In Progress', '2026-01-05'],
      ['zoe.adams@example.org', 'BCS', 'In Progress', '2026-01-05'],
      ['nobody@example.org', 'BCS', 'In Progress', '2026-01-05'],
    ]),
  });
  t.db.off('query', listen);
  // Each look-up of contacts searches an index; none reads every contact.
  const lookups = queries.filter((q) => /from `contacts`/.test(q.sql));
  expect(lookups.length).toBeGreaterThan(0);
  for (const q of lookups) {
    const plan = (await t.db.raw(`EXPLAIN QUERY PLAN ${q.sql}`, q.bindings as never)) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join('; ')).toMatch(/SEARCH contacts USING INDEX contacts_email_key/);
  }
  expect(preview.rows).toEqual({ new: 2, changed: 0, unchanged: 0, rejected: 2 });
  expect(preview.changes.map((c) => c.label)).toEqual(['Zoë Adams → BCS', 'Ana Silva → BCS']);
  expect(preview.rejected).toEqual([
    { line: 4, reason: 'No contact has the email zoe.adams@example.org; import the contact first.' },
    { line: 5, reason: 'No contact has the email nobody@example.org; import the contact first.' },
  ]);
});

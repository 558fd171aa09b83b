/**
 * Imported records carry their kept renewal-credit columns at once (issue #15;
 * migration 010, services/credit-standing.ts): a certification with a renewal
 * requirement gives an imported Active, Expiring or Expired record its credits
 * needed and on-track date in the import's own transaction, logged as stored,
 * so the Tracking list's "credits needed" column and the dashboard count it
 * before the record is ever written again.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { applyRecordsCsv } from '../../../main/import/records-csv';
import type { RecordRow } from '../../../main/domain/rows';
import { createContact } from '../../../main/services/contacts';
import type { Actor } from '../../../main/services/context';
import { refreshCredits } from '../../../main/services/credit-standing';
import { addCategory, setRenewalRequirement } from '../../../main/services/credits';
import { expectLoggedAsStored, freshDb, logSince, makeProgram, makeStaff, maxSeq, type TestDb } from '../support';
import { csv } from './helpers';

let t: TestDb;
let staff: Actor;

// Today is 2026-03-10 in the office; n = 30 days.
beforeEach(async () => {
  t = await freshDb();
  staff = await makeStaff(t.ctx, 'sam', 'Sam Staff');
});
afterEach(async () => {
  await t.dispose();
});

it('an imported record of a certification renewed by credits has its credits needed and on-track date right after the import', async () => {
  await addCategory(t.ctx, 'Ethics');
  const { program } = await makeProgram(t.ctx, { code: 'BCS', components: [] });
  await setRenewalRequirement(t.ctx, {
    programId: program.id,
    requirement: { credits: 10, minimums: [{ category: 'Ethics', credits: 2 }], carryOverCap: 0, review: false },
  });
  for (const n of [1, 2, 3, 4]) await createContact(t.ctx, { firstName: 'Pat', lastName: `M${n}`, email: `p${n}@example.org`, memberNumber: `M-${n}` });
  const seq = await maxSeq(t.db);
  await applyRecordsCsv(t.ctx, staff, {
    fileName: 'records.csv',
    text: csv([
      ['Member Number', 'Certification', 'Status', 'Started', 'Completed', 'Expires'],
      ['M-1', 'BCS', 'Active', '', '2025-12-01', ''],
      ['M-2', 'BCS', 'Active', '', '2025-03-20', ''],
      ['M-3', 'BCS', 'In Progress', '2026-01-05', '', ''],
      ['M-4', 'BCS', 'Cancelled', '', '2024-01-01', '2025-01-01'],
    ]),
  });
  const records = (await t.db('records as r').join('contacts as c', 'c.id', 'r.contact_id').orderBy('c.member_number').select('r.*')) as RecordRow[];
  expect(records.map((r) => [r.status, r.credits_needed, r.credits_on_track_until])).toEqual([
    // Cycle 2025-12-01 – 2026-12-01: nothing earned yet, so on track until the cycle's first day.
    ['Active', 10, '2025-12-01'],
    ['Expiring', 10, '2025-03-20'],
    // No requirement applies to a record that does not hold the certification.
    ['In Progress', null, null],
    ['Cancelled', null, null],
  ]);
  // The same values the writer keeps for any record: recomputing changes nothing.
  expect(
    await refreshCredits(
      t.db,
      records.map((r) => r.id),
    ),
  ).toEqual([]);
  // And the change log holds each record as stored, credits included.
  const log = await logSince(t.db, seq);
  for (const r of records)
    await expectLoggedAsStored(
      t.db,
      log.find((e) => e.entity === 'record' && e.entity_id === r.id)!,
      'records',
    );
});

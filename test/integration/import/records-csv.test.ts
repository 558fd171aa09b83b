/**
 * Existing certification records from the previous system (issue #15, SPEC.md
 * §6 "An association moves in"), on a real SQLite file: Active/Expiring/Expired
 * re-derived from the dates, the manual statuses kept, every contradiction a
 * line error in words, one history entry naming the file and line, all in the
 * change log, a stored record never overwritten, and one transaction: a
 * failure part-way leaves nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyContactsCsv } from '../../../main/import/contacts-csv';
import { applyRecordsCsv, previewRecordsCsv } from '../../../main/import/records-csv';
import type { HistoryRow, RecordRow } from '../../../main/domain/rows';
import { createContact } from '../../../main/services/contacts';
import type { Actor } from '../../../main/services/context';
import { enroll } from '../../../main/services/records';
import {
  expectLoggedAsStored,
  freshDb,
  keptListDataProblems,
  logSince,
  makeProgram,
  makeStaff,
  maxSeq,
  ONE_COMPONENT,
  snapshot,
  type TestDb,
} from '../support';
import { csv, recordingJob } from './helpers';

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

const HEADER = ['Member Number', 'Certification', 'Status', 'Applied', 'Started', 'Completed', 'Approved', 'Expires', 'Cycle', 'Completed Components'];

/** One line of the file: member, code, status, then the named cells. */
function line(
  member: string,
  code: string,
  status: string,
  cells: Partial<Record<'applied' | 'started' | 'completed' | 'approved' | 'expires' | 'cycle' | 'components', string>> = {},
) {
  return [
    member,
    code,
    status,
    cells.applied ?? '',
    cells.started ?? '',
    cells.completed ?? '',
    cells.approved ?? '',
    cells.expires ?? '',
    cells.cycle ?? '',
    cells.components ?? '',
  ];
}

async function recordOf(member: string, programId: number): Promise<RecordRow> {
  const row = (await t
    .db('records as r')
    .join('contacts as c', 'c.id', 'r.contact_id')
    .where({ 'c.member_number': member, 'r.program_id': programId })
    .first('r.*')) as RecordRow | undefined;
  if (!row) throw new Error(`no record of ${member}`);
  return row;
}

async function historyOf(recordId: number): Promise<HistoryRow[]> {
  return (await t.db('record_history').where({ record_id: recordId }).orderBy('id')) as HistoryRow[];
}

describe('records CSV', () => {
  it('re-derives Active/Expiring/Expired, keeps manual statuses, rejects each contradiction in words, and a second import changes nothing', async () => {
    // BCS: no completion approval, valid 1 year; components Course A, Course B, Final Exam (required), Optional Workshop.
    const { program: bcs } = await makeProgram(t.ctx, { code: 'BCS', name: 'Board Certified Specialist' });
    const { program: adv } = await makeProgram(t.ctx, { code: 'ADV', requireApproval: true, requireCompletionApproval: true, components: ONE_COMPONENT });
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 20, 21]) {
      await createContact(t.ctx, { firstName: `Pat${n}`, lastName: `Member${n}`, email: `pat${n}@example.org`, memberNumber: `M-${n}` });
    }
    // Staff's work already in CertDesk: M-20 and M-21 enrolled today (In Progress, started 2026-03-10).
    for (const m of ['M-20', 'M-21']) {
      const contact = (await t.db('contacts').where({ member_number: m }).first()) as { id: number };
      await enroll(t.ctx, staff, { contactId: contact.id, programId: bcs.id, source: 'back-office' });
    }
    const text = csv([
      HEADER,
      line('M-1', 'BCS', 'Active', { applied: '2024-01-05', started: '2024-01-10', completed: '2025-02-01', components: 'Course A; course b;FINAL EXAM' }),
      line('M-2', 'BCS', 'active', { completed: '2025-12-01' }),
      line('M-3', 'BCS', 'ACTIVE', { completed: '2025-03-20' }),
      line('M-4', 'BCS', 'Cancelled', { completed: '2024-01-01', expires: '2025-01-01' }),
      line('M-5', 'BCS', 'declined', { applied: '2025-06-01' }),
      line('M-6', 'ADV', 'Applied', { applied: '2026-02-01' }),
      line('M-7', 'BCS', 'In Progress', { started: '2026-01-01', components: 'course a', cycle: '2' }),
      line('M-1', 'BCS', 'Expired', { completed: '2025-02-01' }),
      line('M-8', 'BCS', 'Applied'),
      line('M-9', 'BCS', 'Active'),
      line('M-10', 'BCS', 'Active', { completed: '2025-05-01', expires: '2025-04-01' }),
      line('M-11', 'BCS', 'In Progress', { started: '2026-01-01', components: 'Course A; Course Z' }),
      line('M-12', 'BCS', 'Active', { completed: '2026-02-30' }),
      line('M-13', 'BCS', 'Pending'),
      line('M-20', 'BCS', 'Active', { completed: '2025-12-01' }),
      line('M-21', 'BCS', 'In Progress', { started: '2026-03-10' }),
      line('M-404', 'BCS', 'Active', { completed: '2025-12-01' }),
      line('M-12', 'ADV', 'Active', { completed: '2025-12-01' }),
      line('M-13', 'BCS', 'Active', { completed: '2026-04-01' }),
    ]);
    const input = { text, fileName: 'records.csv' };
    const preview = await previewRecordsCsv(t.ctx, input);
    expect(preview.fileError).toBeNull();
    expect(preview.rows).toEqual({ new: 7, changed: 0, unchanged: 1, rejected: 11 });
    expect(preview.rejected).toEqual([
      { line: 9, reason: 'Pat1 Member1 (member M-1) → BCS is also on line 2; a contact has one record per certification.' },
      { line: 10, reason: 'Applied needs an applied date (the day the application was made).' },
      { line: 11, reason: 'Active needs a completed date.' },
      { line: 12, reason: 'Expires date 2025-04-01 is before the completed date 2025-05-01.' },
      { line: 13, reason: 'BCS has no component "Course Z" (its components: Course A; Course B; Final Exam; Optional Workshop).' },
      { line: 14, reason: 'Completed date: 2026-02-30 is not a date: February 2026 has 28 days.' },
      {
        line: 15,
        reason:
          'Status "Pending" is not one of the ten: In Progress, Applied, Declined, Active, Inactive, Expired, Not Completed, Admin Review, Expiring, Cancelled.',
      },
      {
        line: 16,
        reason:
          'Pat20 Member20 (member M-20) → BCS already has a record that differs: Status is In Progress, the file says Active; Started date is 2026-03-10, the file says nothing; ' +
          'Completed date is empty, the file says 2025-12-01; Approved date is empty, the file says 2025-12-01; Expires date is empty, the file says 2026-12-01. ' +
          'An import does not overwrite a stored record; change it in CertDesk or remove the line.',
      },
      { line: 18, reason: 'No contact has member number M-404; import the contact first.' },
      { line: 19, reason: 'Active needs an approved date: this certification requires completion approval.' },
      { line: 20, reason: 'Completed date 2026-04-01 is in the future (today is 2026-03-10).' },
    ]);
    // The preview says, on that line, that Active in the file becomes Expired, and why.
    expect(preview.changes.find((c) => c.line === 2)).toEqual({
      line: 2,
      kind: 'new',
      label: 'Pat1 Member1 (member M-1) → BCS',
      fields: [
        { field: 'Status', from: 'Active in the file', to: 'Expired' },
        { field: 'Why', from: '', to: 'The file says Active; expiration date 2026-02-01 has passed' },
        { field: 'Applied date', from: '', to: '2024-01-05' },
        { field: 'Started date', from: '', to: '2024-01-10' },
        { field: 'Completed date', from: '', to: '2025-02-01' },
        { field: 'Approved date', from: '', to: '2025-02-01' },
        { field: 'Expires date', from: '', to: '2026-02-01' },
        { field: 'Completed components', from: '', to: 'Course A; Course B; Final Exam' },
      ],
    });

    const seq = await maxSeq(t.db);
    const job = recordingJob();
    const applied = await applyRecordsCsv(t.ctx, staff, { ...input, expectSha256: preview.sha256 }, job);
    expect(applied.rows).toEqual(preview.rows);
    expect(job.calls.at(-1)).toMatchObject({ done: 7, total: 7, message: 'Importing records: 7 of 7' });

    const m1 = await recordOf('M-1', bcs.id);
    expect(m1).toMatchObject({
      status: 'Expired',
      completed_on: '2025-02-01',
      approved_on: '2025-02-01',
      expires_on: '2026-02-01',
      required_done: 3,
      required_total: 3,
    });
    expect(await recordOf('M-2', bcs.id)).toMatchObject({ status: 'Active', expires_on: '2026-12-01', expiration_overridden: 0 });
    expect(await recordOf('M-3', bcs.id)).toMatchObject({ status: 'Expiring', expires_on: '2026-03-20' });
    expect(await recordOf('M-4', bcs.id)).toMatchObject({ status: 'Cancelled', completed_on: '2024-01-01', expires_on: '2025-01-01' });
    expect(await recordOf('M-5', bcs.id)).toMatchObject({ status: 'Declined', applied_on: '2025-06-01' });
    expect(await recordOf('M-6', adv.id)).toMatchObject({ status: 'Applied', applied_on: '2026-02-01', started_on: null });
    const m7 = await recordOf('M-7', bcs.id);
    expect(m7).toMatchObject({ status: 'In Progress', cycle: 2, started_on: '2026-01-01', required_done: 1 });
    expect(await t.db('component_progress').where({ record_id: m7.id }).select('cycle', 'completed_on', 'note')).toEqual([
      { cycle: 2, completed_on: '2026-01-01', note: 'Imported from records.csv, line 8' },
    ]);

    // One history entry per record, naming the file and line and the rule that decided.
    expect(await historyOf(m1.id)).toMatchObject([
      {
        kind: 'enrollment',
        from_status: null,
        to_status: 'Expired',
        detail: 'Imported from records.csv, line 2',
        rule: 'The file says Active; expiration date 2026-02-01 has passed',
        actor_name: 'Sam Staff',
      },
    ]);
    expect((await historyOf((await recordOf('M-4', bcs.id)).id))[0]).toMatchObject({
      to_status: 'Cancelled',
      detail: 'Imported from records.csv, line 5',
      rule: 'Cancelled in the previous system; kept as given (only staff set it)',
    });
    // The Expiring record's email is queued, as for any record that enters Expiring.
    const m3 = await recordOf('M-3', bcs.id);
    expect(await t.db('outbox').select('record_id', 'expires_on', 'state')).toEqual([{ record_id: m3.id, expires_on: '2026-03-20', state: 'queued' }]);

    // Everything is in the change log, in the same transaction.
    const log = await logSince(t.db, seq);
    const count = (entity: string) => log.filter((e) => e.entity === entity && e.op === 'insert').length;
    expect([count('record'), count('progress'), count('history'), count('outbox'), log.length]).toEqual([7, 4, 7, 1, 19]);
    await expectLoggedAsStored(
      t.db,
      log.find((e) => e.entity === 'record' && e.entity_id === m1.id)!,
      'records',
    );
    // Staff's record is untouched.
    expect(await recordOf('M-20', bcs.id)).toMatchObject({ status: 'In Progress', completed_on: null });

    // The same file again: what it imported is unchanged now (Active in the file, Expired stored: the same record).
    const again = await previewRecordsCsv(t.ctx, input);
    expect(again.rows).toEqual({ new: 0, changed: 0, unchanged: 8, rejected: 11 });
    const before = await snapshot(t.db);
    await applyRecordsCsv(t.ctx, staff, input);
    expect(await snapshot(t.db)).toBe(before);
  });

  it('the other contradictions: dates out of order, work listed for an Applied or In Progress record, Admin Review without completion approval', async () => {
    await makeProgram(t.ctx, { code: 'BCS' });
    for (const n of [1, 2, 3, 4, 5]) await createContact(t.ctx, { firstName: 'Pat', lastName: `M${n}`, email: `p${n}@example.org`, memberNumber: `M-${n}` });
    const text = csv([
      HEADER,
      line('M-1', 'BCS', 'Active', { started: '2025-05-01', completed: '2025-04-01' }),
      line('M-2', 'BCS', 'Applied', { applied: '2026-01-01', completed: '2026-02-01' }),
      line('M-3', 'BCS', 'In Progress', { started: '2026-01-01', components: 'Course A; Course B; Final Exam' }),
      line('M-4', 'BCS', 'Admin Review', { completed: '2026-01-01' }),
      line('M-5', 'BCS', 'In Progress', { components: 'Course A', cycle: '0' }),
    ]);
    const preview = await previewRecordsCsv(t.ctx, { text, fileName: 'old.csv' });
    expect(preview.rejected).toEqual([
      { line: 2, reason: 'Completed date 2025-04-01 is before the started date 2025-05-01.' },
      { line: 3, reason: 'An Applied record has not started, but the line gives the completed date; correct the status or the dates.' },
      {
        line: 4,
        reason:
          'Every required component is listed as completed, so the record would not be In Progress; give the completed date and its status, or leave out the component not yet done.',
      },
      { line: 5, reason: 'Admin Review is only for a certification that requires completion approval; this one does not.' },
      { line: 6, reason: 'Cycle "0" is not a whole number from 1 to 999.' },
    ]);
  });

  it('12,000 records in one transaction with progress; a failure in the last step leaves nothing', async () => {
    const { program } = await makeProgram(t.ctx, { code: 'BCS', components: ONE_COMPONENT });
    const N = 12_000;
    const contacts = [['Member Number', 'First Name', 'Last Name', 'Email']];
    const records = [HEADER];
    for (let i = 0; i < N; i++) {
      contacts.push([`B-${i}`, 'Bulk', `Member ${i}`, `bulk${i}@example.org`]);
      // A third long expired, a third Expiring, a third Active.
      const completed = ['2023-06-01', '2025-03-25', '2025-10-01'][i % 3] as string;
      records.push(line(`B-${i}`, 'BCS', 'Active', { completed, components: 'Core Course' }));
    }
    await applyContactsCsv(t.ctx, staff, { text: csv(contacts) });
    const input = { text: csv(records), fileName: 'big.csv' };
    expect((await previewRecordsCsv(t.ctx, input)).rows.new).toBe(N);

    // A real SQLite failure once 10,000 records are in (the third step of 5,000).
    await t.db.raw(`CREATE TRIGGER fail_late BEFORE INSERT ON records WHEN (SELECT count(*) FROM records) >= 10000
      BEGIN SELECT RAISE(ABORT, 'simulated failure'); END`);
    const before = await snapshot(t.db);
    await expect(applyRecordsCsv(t.ctx, staff, input)).rejects.toThrow('simulated failure');
    expect(await snapshot(t.db)).toBe(before);
    await t.db.raw('DROP TRIGGER fail_late');

    const job = recordingJob();
    const applied = await applyRecordsCsv(t.ctx, staff, input, job);
    expect(applied.rows).toMatchObject({ new: N, rejected: 0 });
    const steps = job.calls.filter((c) => c.total === N).map((c) => c.done);
    expect(steps).toEqual([0, 5000, 10000, 12000]);
    const byStatus = (await t.db('records').where({ program_id: program.id }).groupBy('status').select('status').count({ n: '*' })) as Array<{
      status: string;
      n: number;
    }>;
    expect(Object.fromEntries(byStatus.map((r) => [r.status, r.n]))).toEqual({ Expired: 4000, Expiring: 4000, Active: 4000 });
    expect(await t.db('record_history').count({ n: '*' })).toEqual([{ n: N }]);
    expect(await t.db('outbox').count({ n: '*' })).toEqual([{ n: 4000 }]);
    // The list's counts and sort keys follow the records written in bulk.
    expect(await keptListDataProblems(t.db)).toEqual([]);
  }, 120_000);
});

describe('the example in docs/import.md', () => {
  it('imports as the documentation says', async () => {
    await t.dispose();
    t = await freshDb({ at: '2026-12-02T15:00:00Z' });
    staff = await makeStaff(t.ctx, 'sam', 'Sam Staff');
    const doc = fs.readFileSync(path.join(import.meta.dirname, '../../../docs/import.md'), 'utf8');
    const section = doc.slice(doc.indexOf('### Existing certification records'));
    const text = /```csv\n([\s\S]*?)```/.exec(section)?.[1];
    expect(text).toBeDefined();
    const course = (name: string) => ({ name, kind: 'course' as const, credits: 1, creditUnit: 'hours' as const, required: true });
    const { program: eth } = await makeProgram(t.ctx, { code: 'ETH', components: [course('Ethics in Practice'), course('Case study review')] });
    const { program: cae } = await makeProgram(t.ctx, { code: 'CAE', expiration: { kind: 'period', amount: 3, unit: 'years' } });
    const { program: fnm } = await makeProgram(t.ctx, {
      code: 'FNM',
      expiration: { kind: 'never' },
      components: [course('Nonprofit Basics'), course('Volunteer Management')],
    });
    const { program: bcs } = await makeProgram(t.ctx, { code: 'BCS', requireApproval: true, requireCompletionApproval: true });
    const { program: cmp } = await makeProgram(t.ctx, { code: 'CMP' });
    for (const m of ['M-1042', 'M-2210', 'M-3307', 'M-4415']) await createContact(t.ctx, { firstName: 'Doc', lastName: m, memberNumber: m });
    const applied = await applyRecordsCsv(t.ctx, staff, { text: text as string, fileName: 'old-records.csv' });
    expect(applied.rows).toEqual({ new: 5, changed: 0, unchanged: 0, rejected: 0 });
    expect(await recordOf('M-1042', eth.id)).toMatchObject({ status: 'Expired', expires_on: '2026-02-01' });
    expect(await recordOf('M-1042', cae.id)).toMatchObject({ status: 'Active', expires_on: '2028-06-01', cycle: 2 });
    expect(await recordOf('M-2210', fnm.id)).toMatchObject({ status: 'In Progress', required_done: 1 });
    expect(await recordOf('M-3307', bcs.id)).toMatchObject({ status: 'Applied' });
    expect(await recordOf('M-4415', cmp.id)).toMatchObject({ status: 'Cancelled' });
  });
});

/**
 * Applications arrive (SPEC.md §6): "Record application" and the applications
 * CSV go through the rules engine — Require Approval → Applied, else In
 * Progress — dated the day the application was made, with history saying how
 * it arrived, all in the change log; the same file twice changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { applyApplicationsCsv, previewApplicationsCsv } from '../../main/import/applications-csv';
import type { RecordRow } from '../../main/domain/rows';
import { createContact } from '../../main/services/contacts';
import { type ServiceError, type Actor } from '../../main/services/context';
import { recordApplication } from '../../main/services/records';
import { trackingCounts } from '../../main/services/tracking';
import { logSince, makeProgram, maxSeq, type TestDb, historyOf } from './support';
import { freshDbEachTest } from './fresh-each-test';

let t: TestDb;
let staff: Actor;

// The clock says 2026-03-10 (office time zone America/New_York).
freshDbEachTest((db, user) => {
  t = db;
  staff = user;
});

describe('Record application', () => {
  it('Require Approval → Applied; otherwise In Progress started that day; history says how it arrived; logged', async () => {
    const { program: reviewed } = await makeProgram(t.ctx, { code: 'BCS', name: 'Board Certified Specialist', requireApproval: true });
    const { program: open } = await makeProgram(t.ctx, { code: 'CPR', requireApproval: false });
    const joan = await createContact(t.ctx, { firstName: 'Joan', lastName: 'Adams', email: 'joan@example.org', memberNumber: 'M-1' });
    const seq = await maxSeq(t.db);
    const applied = await recordApplication(t.ctx, staff, {
      contactId: joan.id,
      programId: reviewed.id,
      appliedOn: '2026-02-20',
      channel: 'mail',
      note: 'Paper form',
    });
    expect(applied).toMatchObject({ status: 'Applied', applied_on: '2026-02-20', started_on: null });
    const [entry] = await historyOf(t.db, applied.id);
    expect(entry).toMatchObject({
      kind: 'enrollment',
      from_status: null,
      to_status: 'Applied',
      detail: 'Application received by mail',
      reason: 'Paper form',
      actor_name: 'Dana Staff',
    });
    const started = await recordApplication(t.ctx, staff, { contactId: joan.id, programId: open.id, appliedOn: '2026-03-01', channel: 'phone' });
    expect(started).toMatchObject({ status: 'In Progress', applied_on: '2026-03-01', started_on: '2026-03-01' });
    expect((await historyOf(t.db, started.id))[0]?.detail).toBe('Application received by phone');
    expect((await logSince(t.db, seq)).map((e) => `${e.entity} ${e.op}`)).toEqual(['record insert', 'history insert', 'record insert', 'history insert']);
    // Action Required: the oldest application's date.
    expect((await trackingCounts(t.db)).oldestAppliedOn).toBe('2026-02-20');
  });

  it('refuses a future date and a second record for the same certification; writes nothing', async () => {
    const { program } = await makeProgram(t.ctx, { code: 'BCS', requireApproval: true });
    const joan = await createContact(t.ctx, { firstName: 'Joan', lastName: 'Adams' });
    const refusal = async (p: Promise<unknown>) => (await p.then(() => null).catch((e: unknown) => e)) as ServiceError;
    expect(
      (await refusal(recordApplication(t.ctx, staff, { contactId: joan.id, programId: program.id, appliedOn: '2026-03-11', channel: 'email' }))).message,
    ).toBe('Application date 2026-03-11 is in the future (today is 2026-03-10).');
    await recordApplication(t.ctx, staff, { contactId: joan.id, programId: program.id, appliedOn: '2026-03-10', channel: 'email' });
    const second = await refusal(recordApplication(t.ctx, staff, { contactId: joan.id, programId: program.id, appliedOn: '2026-03-10', channel: 'portal' }));
    expect(second.code).toBe('CONFLICT');
    expect(second.message).toBe(`Joan Adams is already enrolled in ${program.name} (Applied); open that record instead.`);
    expect(await t.db('records').count({ n: '*' })).toEqual([{ n: 1 }]);
  });
});

describe('applications CSV', () => {
  it('preview then apply through the engine, history naming the file and line; rejected rows in words; a second import changes nothing', async () => {
    const { program: bcs } = await makeProgram(t.ctx, { code: 'BCS', name: 'Board Certified Specialist', requireApproval: true });
    await makeProgram(t.ctx, { code: 'CPR', requireApproval: false });
    await createContact(t.ctx, { firstName: 'Joan', lastName: 'Adams', email: 'joan@example.org', memberNumber: 'M-1' });
    await createContact(t.ctx, { firstName: 'Zoë', lastName: 'Öztürk', email: 'zoë@example.org' });
    const text = [
      'Member Number,Email,Certification Code,Application Date,Note',
      'M-1,,BCS,2026-02-01,Walk-in',
      ',ZOË@example.org,CPR,2026-03-10,',
      'M-404,,BCS,2026-02-01,',
      'M-1,,NOPE,2026-02-01,',
      'M-1,,CPR,2026-03-11,',
      'M-1,,BCS,2026-02-02,',
      'M-1,,CPR,2026-02-30,',
    ].join('\n');
    const input = { text, fileName: 'applications.csv' };
    const preview = await previewApplicationsCsv(t.ctx, input);
    expect(preview.fileError).toBeNull();
    expect(preview.rows).toEqual({ new: 2, changed: 0, unchanged: 0, rejected: 5 });
    expect(preview.rejected).toEqual([
      { line: 4, reason: 'No contact has member number M-404; import the contact first.' },
      { line: 5, reason: 'No certification has the code NOPE.' },
      { line: 6, reason: 'Application date 2026-03-11 is in the future (today is 2026-03-10).' },
      { line: 7, reason: `Joan Adams (member M-1) → BCS is also on line 2; only the first is imported.` },
      { line: 8, reason: 'Application date: 2026-02-30 is not a date: February 2026 has 28 days.' },
    ]);
    const seq = await maxSeq(t.db);
    const applied = await applyApplicationsCsv(t.ctx, staff, { ...input, expectSha256: preview.sha256 });
    expect(applied.rows).toEqual(preview.rows);
    const records = (await t.db('records').orderBy('id')) as RecordRow[];
    expect(records.map((r) => [r.program_id === bcs.id ? 'BCS' : 'CPR', r.status, r.applied_on, r.started_on])).toEqual([
      ['BCS', 'Applied', '2026-02-01', null],
      ['CPR', 'In Progress', '2026-03-10', '2026-03-10'],
    ]);
    expect((await historyOf(t.db, records[0]!.id))[0]).toMatchObject({
      detail: 'Application imported from applications.csv, line 2',
      reason: 'Walk-in',
      to_status: 'Applied',
    });
    expect((await logSince(t.db, seq)).filter((e) => e.entity === 'record')).toHaveLength(2);
    const again = await previewApplicationsCsv(t.ctx, input);
    expect(again.rows).toEqual({ new: 0, changed: 0, unchanged: 2, rejected: 5 });
  });
});

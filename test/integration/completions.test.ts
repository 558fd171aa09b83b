/**
 * Work done elsewhere arrives (SPEC.md §6, issue #15): the completions CSV goes
 * through the same service as "Record completion" in the record drawer, so the
 * last required component makes the record Active, Expiring (with its email)
 * or Admin Review, with history and change log; the same completion twice
 * counts once; a contact not enrolled, a future date and an unknown component
 * are line errors in words. Staff remove a completion entered by mistake: the
 * history keeps both, the engine re-decides, or the removal is refused.
 */
import { describe, expect, it } from 'vitest';
import { applyCompletionsCsv, previewCompletionsCsv } from '../../main/import/completions-csv';
import { completeComponent, removeCompletion } from '../../main/services/completions';
import { createContact } from '../../main/services/contacts';
import type { Actor, ServiceError } from '../../main/services/context';
import { enroll, getRecordRow, setStatus } from '../../main/services/records';
import { keptListDataProblems, logSince, makeProgram, maxSeq, ONE_COMPONENT, snapshot, type TestDb, historyOf } from './support';
import { freshDbEachTest } from './fresh-each-test';

let t: TestDb;
let staff: Actor;

// The clock says 2026-03-10 (office time zone America/New_York); n = 30.
freshDbEachTest((db, user) => {
  t = db;
  staff = user;
});

const refusal = async (p: Promise<unknown>): Promise<ServiceError> => (await p.then(() => null).catch((e: unknown) => e)) as ServiceError;

/** BCS (three required components and an optional one, 1 year), CPR (one component, 1 year), ADV (completion approval); Joan, Sam, Kim enrolled; Zoë not. */
async function setUp() {
  const bcs = await makeProgram(t.ctx, { code: 'BCS', name: 'Board Certified Specialist' });
  const cpr = await makeProgram(t.ctx, { code: 'CPR', name: 'CPR Basics', components: ONE_COMPONENT });
  const adv = await makeProgram(t.ctx, { code: 'ADV', name: 'Advanced', components: ONE_COMPONENT, requireCompletionApproval: true });
  const joan = await createContact(t.ctx, { firstName: 'Joan', lastName: 'Adams', email: 'joan@example.org', memberNumber: 'M-1' });
  await createContact(t.ctx, { firstName: 'Zoë', lastName: 'Öztürk', email: 'zoe@example.org', memberNumber: 'M-2' });
  const sam = await createContact(t.ctx, { firstName: 'Sam', lastName: 'Lee', email: 'sam@example.org', memberNumber: 'M-3' });
  const kim = await createContact(t.ctx, { firstName: 'Kim', lastName: 'Park', email: 'kim@example.org', memberNumber: 'M-4' });
  const joanBcs = await enroll(t.ctx, staff, { contactId: joan.id, programId: bcs.program.id, source: 'back-office' });
  const samCpr = await enroll(t.ctx, staff, { contactId: sam.id, programId: cpr.program.id, source: 'back-office' });
  const kimAdv = await enroll(t.ctx, staff, { contactId: kim.id, programId: adv.program.id, source: 'back-office' });
  const courseA = bcs.components.find((c) => c.name === 'Course A')!;
  await completeComponent(t.ctx, staff, { recordId: joanBcs.id, componentId: courseA.id, completedOn: '2026-02-01' });
  return { bcs, cpr, adv, joanBcs, samCpr, kimAdv };
}

const FILE = [
  'Member Number,Certification Code,Component,Completed On,Credits,Source',
  'M-1,BCS,Course B,2026-03-01,3.5,Learning system',
  'M-1,BCS,final exam,2026-03-05,,Exam board',
  'M-1,BCS,Course B,2026-03-01,3.5,Learning system',
  'M-1,BCS,Course A,2026-02-01,,',
  'M-2,BCS,Course A,2026-03-01,,',
  'M-1,BCS,Optional Workshop,2026-03-11,,',
  'M-1,BCS,Ethics 101,2026-03-01,,',
  'M-3,CPR,Core Course,2025-03-20,5,Annual conference',
  'M-4,ADV,Core Course,2026-03-09,,',
  'M-1,BCS,Course A,2026-02-02,,',
  'M-4,ADV,Core Course,2026-02-30,,',
].join('\n');

describe('completions CSV', () => {
  it('previews in words, applies through the completions service (Active, Expiring with its email, Admin Review), and a second import changes nothing', async () => {
    const { joanBcs, samCpr, kimAdv } = await setUp();
    const input = { text: FILE, fileName: 'completions.csv' };
    const before = await snapshot(t.db);
    const preview = await previewCompletionsCsv(t.ctx, input);
    expect(await snapshot(t.db)).toBe(before);
    expect(preview.fileError).toBeNull();
    expect(preview.mapping).toMatchObject({
      memberNumber: 'Member Number',
      component: 'Component',
      completedOn: 'Completed On',
      credits: 'Credits',
      source: 'Source',
    });
    expect(preview.rows).toEqual({ new: 4, changed: 0, unchanged: 2, rejected: 5 });
    expect(preview.rejected).toEqual([
      { line: 6, reason: 'Zoë Öztürk is not enrolled in BCS — enroll first or import the enrollment.' },
      { line: 7, reason: 'Completed on 2026-03-11 is in the future (today is 2026-03-10).' },
      { line: 8, reason: 'BCS has no component "Ethics 101".' },
      {
        line: 11,
        reason:
          'Joan Adams (member M-1) → BCS: Course A is already recorded as completed on 2026-02-01, not 2026-02-02; remove that completion first to change its date.',
      },
      { line: 12, reason: 'Completed on: 2026-02-30 is not a date: February 2026 has 28 days.' },
    ]);
    expect(preview.changes.find((c) => c.line === 3)?.fields).toEqual([
      { field: 'Completed on', from: '', to: '2026-03-05' },
      { field: 'Status', from: 'In Progress', to: 'Active' },
    ]);

    const seq = await maxSeq(t.db);
    const applied = await applyCompletionsCsv(t.ctx, staff, { ...input, expectSha256: preview.sha256 });
    expect(applied.rows).toEqual(preview.rows);

    const joan = await getRecordRow(t.db, joanBcs.id);
    expect(joan).toMatchObject({ status: 'Active', completed_on: '2026-03-05', approved_on: '2026-03-05', expires_on: '2027-03-05', required_done: 3 });
    const last = (await historyOf(t.db, joan.id)).at(-1);
    expect(last).toMatchObject({
      kind: 'status',
      from_status: 'In Progress',
      to_status: 'Active',
      detail:
        'Course B completed on 2026-03-01 (imported from completions.csv, line 2); Final Exam completed on 2026-03-05 (imported from completions.csv, line 3)',
      actor_name: 'Dana Staff',
    });
    const progress = (await t.db('component_progress').where({ record_id: joan.id }).orderBy('id')) as Array<{ credits: number; source: string }>;
    expect(progress.map((p) => [p.credits, p.source])).toEqual([
      [4, ''],
      [3.5, 'Learning system'],
      [0, 'Exam board'],
    ]);
    // Completed a year ago: valid until 2026-03-20, within n = 30 days — Expiring, and its email queued.
    expect(await getRecordRow(t.db, samCpr.id)).toMatchObject({ status: 'Expiring', expires_on: '2026-03-20' });
    expect(await t.db('outbox').where({ record_id: samCpr.id }).select('kind', 'state', 'expires_on', 'to_email')).toEqual([
      { kind: 'certification-expiring', state: 'queued', expires_on: '2026-03-20', to_email: 'sam@example.org' },
    ]);
    expect(await getRecordRow(t.db, kimAdv.id)).toMatchObject({ status: 'Admin Review', completed_on: '2026-03-09' });
    const log = (await logSince(t.db, seq)).map((e) => `${e.entity} ${e.op}`);
    expect(log.filter((e) => e === 'progress insert')).toHaveLength(4);
    expect(log.filter((e) => e === 'record update')).toHaveLength(3);
    expect(log.filter((e) => e === 'history insert')).toHaveLength(3);
    expect(log.filter((e) => e === 'outbox insert')).toHaveLength(1);

    // The same file again: every completion it brought is unchanged; nothing is written.
    const after = await snapshot(t.db);
    const again = await previewCompletionsCsv(t.ctx, input);
    expect(again.rows).toEqual({ new: 0, changed: 0, unchanged: 6, rejected: 5 });
    await applyCompletionsCsv(t.ctx, staff, { ...input, expectSha256: again.sha256 });
    // The list's counts and sort keys follow the statuses the import changed.
    expect(await keptListDataProblems(t.db)).toEqual([]);
    expect(await snapshot(t.db)).toBe(after);
  });
});

describe('removing a completion entered by mistake', () => {
  it('takes back a certificate this cycle’s completions earned: In Progress again, history keeps both, the completion can be recorded again', async () => {
    const { bcs, joanBcs } = await setUp();
    for (const name of ['Course B', 'Final Exam']) {
      const c = bcs.components.find((x) => x.name === name)!;
      await completeComponent(t.ctx, staff, { recordId: joanBcs.id, componentId: c.id, completedOn: '2026-03-05' });
    }
    expect((await getRecordRow(t.db, joanBcs.id)).status).toBe('Active');
    const exam = bcs.components.find((x) => x.name === 'Final Exam')!;
    expect((await refusal(removeCompletion(t.ctx, staff, { recordId: joanBcs.id, componentId: exam.id, reason: ' ' }))).message).toBe(
      'Say why the completion is removed.',
    );
    const seq = await maxSeq(t.db);
    const back = await removeCompletion(t.ctx, staff, { recordId: joanBcs.id, componentId: exam.id, reason: 'Entered for the wrong member' });
    expect(back).toMatchObject({ status: 'In Progress', completed_on: null, approved_on: null, expires_on: null, required_done: 2 });
    const history = await historyOf(t.db, joanBcs.id);
    expect(history.slice(-2).map((h) => [h.from_status, h.to_status, h.detail, h.reason])).toEqual([
      ['In Progress', 'Active', 'Final Exam completed on 2026-03-05', ''],
      ['Active', 'In Progress', 'Final Exam completion of 2026-03-05 removed', 'Entered for the wrong member'],
    ]);
    expect(history.at(-1)?.rule).toBe('Final Exam completion removed: 2 of 3 required components completed; the certification is no longer earned');
    const removed = (await t.db('component_progress').where({ record_id: joanBcs.id, component_id: exam.id }).first()) as Record<string, unknown>;
    expect(removed).toMatchObject({ removed_reason: 'Entered for the wrong member', removed_at: '2026-03-10T15:00:00.000Z' });
    expect((await logSince(t.db, seq)).map((e) => `${e.entity} ${e.op}`)).toEqual(['progress update', 'history insert', 'record update']);
    // The record drawer no longer shows it; recording it again completes the certification again.
    const again = await completeComponent(t.ctx, staff, { recordId: joanBcs.id, componentId: exam.id, completedOn: '2026-03-06' });
    expect(again).toMatchObject({ status: 'Active', completed_on: '2026-03-06' });
  });

  it('is refused, writing nothing, once something else rests on the certificate (Expiring, a staff approval)', async () => {
    const { cpr, adv, samCpr, kimAdv } = await setUp();
    const core = cpr.components[0]!;
    await completeComponent(t.ctx, staff, { recordId: samCpr.id, componentId: core.id, completedOn: '2025-03-20' });
    expect((await getRecordRow(t.db, samCpr.id)).status).toBe('Expiring');
    const before = await snapshot(t.db);
    const expiring = await refusal(removeCompletion(t.ctx, staff, { recordId: samCpr.id, componentId: core.id, reason: 'Typo' }));
    expect(expiring.code).toBe('REFUSED');
    expect(expiring.message).toBe(
      'Core Course (completed on 2025-03-20) cannot be removed: the certification it completed is Expiring and its "Certification Expiring" email is due or sent; cancel the certification instead if it was granted by mistake.',
    );
    expect(await snapshot(t.db)).toBe(before);

    // Require Completion Approval: once staff approved it, the completion is no longer the only thing it rests on.
    const advCore = adv.components[0]!;
    await completeComponent(t.ctx, staff, { recordId: kimAdv.id, componentId: advCore.id, completedOn: '2026-03-09' });
    await setStatus(t.ctx, staff, { id: kimAdv.id, to: 'Active' });
    const approved = await refusal(removeCompletion(t.ctx, staff, { recordId: kimAdv.id, componentId: advCore.id, reason: 'Typo' }));
    expect(approved.message).toBe(
      'Core Course (completed on 2026-03-09) cannot be removed: staff approved this certification on 2026-03-10 after Admin Review; cancel it instead if it was granted by mistake.',
    );
  });
});

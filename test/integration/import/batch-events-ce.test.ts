/**
 * CE activities in the central system's batches (issue #15 loose end): a completion event that names a
 * CE category instead of a component is a CE activity, recorded on the contact's record through the
 * same path as the record drawer and the completions CSV (services/credits addActivities), on a real
 * batch folder and a real SQLite file. Each event once, by its central event id; the same activity
 * under another id counts once (same date, title, category and credits); every refusal in words. The
 * clock says 2026-03-10.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryRow, RecordRow } from '../../../main/domain/rows';
import { applyBatchImport, previewBatchImport } from '../../../main/import/batch';
import { createContact } from '../../../main/services/contacts';
import type { Actor } from '../../../main/services/context';
import { addCategory, setRenewalRequirement } from '../../../main/services/credits';
import { enroll, markAllComplete } from '../../../main/services/records';
import type { BatchChange } from '../../../main/sync/format';
import { freshDbEachTest } from '../fresh-each-test';
import { logSince, makeProgram, maxSeq, ONE_COMPONENT, removeDir, snapshot, tempDir, type TestDb } from '../support';
import { eventWrites, writeCentralBatch } from './helpers';

let desk: TestDb;
let admin: Actor;
let out: string;

freshDbEachTest({ username: 'ada', displayName: 'Ada Admin', role: 'admin' }, (t, user) => {
  desk = t;
  admin = user;
});
beforeEach(() => {
  out = tempDir('certdesk-batch-ce-');
});
afterEach(() => removeDir(out));

const DEVICE = '7d1e2f3a-4b5c-4d6e-8f90-0a1b2c3d4e5f';

function completion(seq: number, id: number, data: Record<string, unknown>): BatchChange {
  return { seq, entity: 'completion', id, op: 'insert', at: '2026-03-10T10:00:00.000Z', data: { id, ...data } };
}

const writeBatch = (changes: BatchChange[]): string => writeCentralBatch(out, DEVICE, changes);

/** CE1 (one component, 10 credits, 2 in Ethics): Joan Active since today; Kim not enrolled. */
async function setUp() {
  await addCategory(desk.ctx, 'Ethics');
  await addCategory(desk.ctx, 'Technical');
  const ce1 = await makeProgram(desk.ctx, { code: 'CE1', name: 'Credentialed Educator', components: ONE_COMPONENT });
  await setRenewalRequirement(desk.ctx, {
    programId: ce1.program.id,
    requirement: { credits: 10, minimums: [{ category: 'Ethics', credits: 2 }], carryOverCap: null, review: false },
  });
  const joan = await createContact(desk.ctx, { firstName: 'Joan', lastName: 'Adams', memberNumber: 'M-1', centralId: 'C-1' });
  await createContact(desk.ctx, { firstName: 'Kim', lastName: 'Park', memberNumber: 'M-4' });
  return markAllComplete(desk.ctx, admin, {
    id: (await enroll(desk.ctx, admin, { contactId: joan.id, programId: ce1.program.id, source: 'back-office' })).id,
    reason: 'Completed elsewhere',
  });
}

describe('CE activities in central batches', () => {
  it('records a completion event that names a CE category as a CE activity, once per event id, with refusals in words', async () => {
    const joanCe = await setUp();
    const ethics = { contact_id: 'C-1', program_code: 'CE1', category: 'ethics', title: 'Ethics in practice', credits: 4, completed_on: '2026-03-10' };
    const name = writeBatch([
      completion(1, 9101, { ...ethics, source: 'Spring conference' }),
      // The same activity under another event id (the same date, title, category and credits): counted once.
      completion(2, 9102, ethics),
      completion(3, 9103, { ...ethics, category: 'Wellness', title: 'Yoga' }),
      completion(4, 9104, { ...ethics, title: 'No credits', credits: undefined }),
      completion(5, 9105, { ...ethics, component_name: 'Core Course' }),
      completion(6, 9106, { ...ethics, contact_id: undefined, member_number: 'M-4' }),
      completion(7, 9107, {
        member_number: 'M-1',
        program_code: 'CE1',
        category: 'Technical',
        title: 'Webinar',
        credits: 2.5,
        completed_on: '2026-03-09',
        activity_id: 'LMS-7',
      }),
    ]);
    const file = `${name}/changes-completion.jsonl`;
    const before = await snapshot(desk.db);
    const preview = await previewBatchImport(desk.db, out, desk.ctx);
    expect(await snapshot(desk.db)).toBe(before);
    expect(preview.problems).toEqual([]);
    expect(preview.activities).toEqual({ new: 2, changed: 0, unchanged: 1, rejected: 4 });
    expect(preview.completions).toEqual({ new: 0, changed: 0, unchanged: 0, rejected: 0 });
    expect(preview.rejected).toEqual([
      { file, line: 3, reason: 'completion 9103: Wellness is not on the list of credit categories (Settings › Credit categories).' },
      { file, line: 4, reason: 'completion 9104: A CE activity needs its credits (credits).' },
      {
        file,
        line: 5,
        reason: 'completion 9105: the event names both a component and a CE category: a completion names a component, a CE activity a category, not both.',
      },
      { file, line: 6, reason: 'completion 9106: Kim Park is not enrolled in CE1 — enroll first or import the enrollment.' },
    ]);
    const towards = (line: number) => preview.changes.find((c) => c.line === line)?.fields.find((f) => f.field === 'Towards renewal')?.to;
    expect(towards(1)).toBe('counts in the current cycle');
    expect(towards(7)).toBe('Does not count: outside this cycle (2026-03-10 – 2027-03-10)');

    const seq = await maxSeq(desk.db);
    const applied = await applyBatchImport(desk.ctx, admin, out);
    expect(applied.activities).toEqual(preview.activities);
    expect(applied.rows).toEqual(preview.rows);
    const stored = await desk.db('ce_activities').where({ record_id: joanCe.id }).orderBy('id');
    expect(stored.map((a: Record<string, unknown>) => [a.earned_on, a.title, a.category, a.credits, a.source, a.external_id])).toEqual([
      ['2026-03-10', 'Ethics in practice', 'Ethics', 4, 'Spring conference', null],
      ['2026-03-09', 'Webinar', 'Technical', 2.5, 'central system', 'LMS-7'],
    ]);
    const history = (await desk.db('record_history').where({ record_id: joanCe.id, kind: 'credit' })) as HistoryRow[];
    expect(history.map((h) => h.detail)).toEqual([
      'CE activity added: 4 Ethics credits, "Ethics in practice" on 2026-03-10, source Spring conference (central event 9101); CE activity added: 2.5 Technical credits, "Webinar" on 2026-03-09, source central system (central event 9107)',
    ]);
    expect(((await desk.db('records').where({ id: joanCe.id }).first()) as RecordRow).credits_needed).toBe(6);
    expect((await logSince(desk.db, seq)).filter((e) => e.entity === 'activity')).toHaveLength(2);
    expect(await desk.db('central_events').orderBy('central_id').pluck('central_id')).toEqual(['9101', '9102', '9107']);

    // A second delivery of the same events, in a later batch under new seqs, changes nothing; the rejected ones may come again.
    writeBatch([completion(8, 9101, { ...ethics, credits: 5 }), completion(9, 9107, { ...ethics, title: 'Other' })]);
    const unchanged = await eventWrites(desk.db);
    const again = await applyBatchImport(desk.ctx, admin, out);
    expect(again.activities).toEqual({ new: 0, changed: 0, unchanged: 2, rejected: 0 });
    expect(await eventWrites(desk.db)).toBe(unchanged);
  }, 60_000);
});

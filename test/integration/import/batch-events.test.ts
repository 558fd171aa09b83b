/**
 * Application and completion events in the central system's batches (issue
 * #15): applied through the rules engine by the same services as staff's own
 * actions, after the contacts of the same import; each event once, by its
 * central event id — a second delivery, in a later batch, changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyBatchImport, previewBatchImport } from '../../../main/import/batch';
import type { HistoryRow, RecordRow } from '../../../main/domain/rows';
import { removeCompletion } from '../../../main/services/completions';
import { createContact } from '../../../main/services/contacts';
import type { Actor } from '../../../main/services/context';
import type { BatchChange } from '../../../main/sync/format';
import { freshDb, makeProgram, makeStaff, removeDir, tempDir, type TestDb } from '../support';
import { eventWrites, writeCentralBatch } from './helpers';

let desk: TestDb;
let admin: Actor;
let out: string;

beforeEach(async () => {
  desk = await freshDb();
  admin = await makeStaff(desk.ctx, 'ada', 'Ada Admin', 'admin');
  out = tempDir('certdesk-batch-events-');
});
afterEach(async () => {
  await desk.dispose();
  removeDir(out);
});

const DEVICE = '7d1e2f3a-4b5c-4d6e-8f90-0a1b2c3d4e5f';

function change(seq: number, entity: string, id: number, data: Record<string, unknown>): BatchChange {
  return { seq, entity, id, op: 'insert', at: '2026-03-09T10:00:00.000Z', data: { id, ...data } };
}

const writeBatch = (changes: BatchChange[]): string => writeCentralBatch(out, DEVICE, changes);

describe('events in central batches', () => {
  it('enrolls and completes through the engine, rejects in words, and applies each event id once', async () => {
    const { program: bcs } = await makeProgram(desk.ctx, { code: 'BCS', name: 'Board Certified Specialist' });
    const joan = await createContact(desk.ctx, { firstName: 'Joan', lastName: 'Adams', memberNumber: 'M-1', centralId: 'C-1' });
    await createContact(desk.ctx, { firstName: 'Zoë', lastName: 'Öztürk', memberNumber: 'M-2' });
    const name = writeBatch([
      change(1, 'contact', 50, { first_name: 'Kim', last_name: 'Park', member_number: 'M-9' }),
      change(2, 'application', 9001, { contact_id: 'C-1', program_code: 'BCS', applied_on: '2026-03-01', channel: 'mail', note: 'Paper form' }),
      change(3, 'completion', 9002, { contact_id: 'C-1', program_code: 'BCS', component_name: 'Course A', completed_on: '2026-03-02', source: 'LMS' }),
      change(4, 'completion', 9003, { contact_id: 'C-1', program_code: 'BCS', component_name: 'course  b', completed_on: '2026-03-03' }),
      change(5, 'completion', 9004, { contact_id: 'C-1', program_code: 'BCS', component_name: 'Final Exam', completed_on: '2026-03-04', credits: 2 }),
      change(6, 'application', 9005, { contact_id: 50, program_code: 'BCS', applied_on: '2026-03-05' }),
      change(7, 'completion', 9006, { member_number: 'M-2', program_code: 'BCS', component_name: 'Course A', completed_on: '2026-03-02' }),
      change(8, 'completion', 9007, { contact_id: 'C-1', program_code: 'BCS', component_name: 'Optional Workshop', completed_on: '2026-03-11' }),
    ]);
    const preview = await previewBatchImport(desk.db, out, desk.ctx);
    expect(preview.problems).toEqual([]);
    expect(preview.applications).toEqual({ new: 2, changed: 0, unchanged: 0, rejected: 0 });
    expect(preview.completions).toEqual({ new: 3, changed: 0, unchanged: 0, rejected: 2 });
    expect(preview.rejected).toEqual([
      {
        file: `${name}/changes-completion.jsonl`,
        line: 4,
        reason: 'completion 9006: Zoë Öztürk is not enrolled in BCS — enroll first or import the enrollment.',
      },
      { file: `${name}/changes-completion.jsonl`, line: 5, reason: 'completion 9007: completed_on 2026-03-11 is in the future (today is 2026-03-10).' },
    ]);

    const applied = await applyBatchImport(desk.ctx, admin, out);
    expect(applied.rows).toEqual(preview.rows);
    expect(applied.applications).toEqual(preview.applications);
    expect(applied.completions).toEqual(preview.completions);
    const record = (await desk.db('records').where({ contact_id: joan.id, program_id: bcs.id }).first()) as RecordRow;
    expect(record).toMatchObject({ status: 'Active', applied_on: '2026-03-01', completed_on: '2026-03-04', expires_on: '2027-03-04', required_done: 3 });
    const history = (await desk.db('record_history').where({ record_id: record.id }).orderBy('id')) as HistoryRow[];
    expect(history.map((h) => [h.from_status, h.to_status, h.detail])).toEqual([
      [null, 'In Progress', 'Application received by mail (central event 9001)'],
      [
        'In Progress',
        'Active',
        'Course A completed on 2026-03-02 (central event 9002); Course B completed on 2026-03-03 (central event 9003); Final Exam completed on 2026-03-04 (central event 9004)',
      ],
    ]);
    expect(await desk.db('component_progress').where({ record_id: record.id }).orderBy('id').select('credits', 'source')).toEqual([
      { credits: 4, source: 'LMS' },
      { credits: 4, source: 'central system' },
      { credits: 2, source: 'central system' },
    ]);
    // The contact of the same import, enrolled by its application.
    const kim = (await desk.db('contacts').where({ central_id: '50' }).first()) as { id: number };
    expect(await desk.db('records').where({ contact_id: kim.id }).select('status', 'applied_on')).toEqual([
      { status: 'In Progress', applied_on: '2026-03-05' },
    ]);

    // Staff remove the exam entered by mistake; a second delivery of the same events, in a later
    // batch under new seqs, changes nothing (the event id was applied: it does not come back).
    const exam = (await desk.db('components').where({ program_id: bcs.id, name: 'Final Exam' }).first()) as { id: number };
    await removeCompletion(desk.ctx, admin, { recordId: record.id, componentId: exam.id, reason: 'Wrong member' });
    const before = await eventWrites(desk.db);
    writeBatch([
      change(9, 'application', 9001, { contact_id: 'C-1', program_code: 'BCS', applied_on: '2026-03-01', channel: 'mail' }),
      change(10, 'completion', 9004, { contact_id: 'C-1', program_code: 'BCS', component_name: 'Final Exam', completed_on: '2026-03-04', credits: 2 }),
    ]);
    const again = await applyBatchImport(desk.ctx, admin, out);
    expect(again.applications).toEqual({ new: 0, changed: 0, unchanged: 1, rejected: 0 });
    expect(again.completions).toEqual({ new: 0, changed: 0, unchanged: 1, rejected: 0 });
    expect(await eventWrites(desk.db)).toBe(before);
    expect(((await desk.db('records').where({ id: record.id }).first()) as RecordRow).status).toBe('In Progress');
  });
});

/**
 * A program edit applied to existing records: the preview and the apply count
 * progress the same way (a renamed component keeps its completions, a removed
 * one no longer counts, a new one starts undone) and the engine re-decides the
 * status from the final count.
 */
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../main/services/context';
import { previewProgramEdit, updateProgram, type ProgramEdit } from '../../main/services/program-admin';
import { completeComponent } from '../../main/services/completions';
import { enroll } from '../../main/services/records';
import type { ComponentRow, ProgramRow, RecordRow } from '../../main/domain/rows';
import { makeContact, makeProgram, type TestDb } from './support';
import { freshDbEachTest } from './fresh-each-test';

const TODAY = '2026-03-10';
let t: TestDb;
let admin: Actor;

freshDbEachTest({ username: 'ada', displayName: 'Ada Admin', role: 'admin' }, (db, user) => {
  t = db;
  admin = user;
});

function editOf(program: ProgramRow, components: ProgramEdit['components']): ProgramEdit {
  return {
    code: program.code,
    name: program.name,
    requireApproval: false,
    requireCompletionApproval: program.require_completion_approval === 1,
    expiration: { kind: 'period', amount: 1, unit: 'years' },
    components,
  };
}

const asEdit = (c: ComponentRow, name = c.name): ProgramEdit['components'][number] => ({
  id: c.id,
  name,
  kind: c.kind,
  credits: c.credits,
  creditUnit: c.credit_unit,
  required: c.required === 1,
});

async function recordWithCompleted(programId: number, components: ComponentRow[]): Promise<RecordRow> {
  const contact = await makeContact(t.ctx);
  const record = await enroll(t.ctx, admin, { contactId: contact.id, programId, source: 'back-office' });
  for (const c of components) await completeComponent(t.ctx, admin, { recordId: record.id, componentId: c.id, completedOn: TODAY });
  return (await t.db('records').where({ id: record.id }).first()) as RecordRow;
}

describe('program edit applied to existing records', () => {
  it.each([
    ['renames one completed component and removes another', true, 'Active'],
    ['removes a component without renaming', false, 'Active'],
  ])('%s: preview and apply agree and the record is completed', async (_label, rename, expected) => {
    const { program, components, required } = await makeProgram(t.ctx);
    const [a, b] = required as [ComponentRow, ComponentRow, ComponentRow];
    // A and B done, the exam not: In Progress at 2 of 3.
    const before = await recordWithCompleted(program.id, [a, b]);
    expect(before.status).toBe('In Progress');
    const optional = components.filter((c) => c.required === 0);
    // Rename A (same id), drop B and the exam: 1 of 1 required, done.
    const edit = editOf(program, [asEdit(a, rename ? 'Course A (2026)' : a.name), ...optional.map((c) => asEdit(c))]);

    const preview = await previewProgramEdit(t.ctx, admin, program.id, edit);
    expect(preview.statusMoves).toEqual({ [`In Progress → ${expected}`]: 1 });

    const { effect } = await updateProgram(t.ctx, admin, program.id, edit, true);
    expect(effect.statusMoves).toEqual(preview.statusMoves);
    const after = (await t.db('records').where({ id: before.id }).first()) as RecordRow;
    expect([after.status, after.required_done, after.required_total]).toEqual([expected, 1, 1]);
    expect(after.completed_on).toBe(TODAY);
  });

  it('a new component with the name of a removed completed one starts undone, in the preview as in the apply', async () => {
    const { program, required } = await makeProgram(t.ctx, {
      components: [
        { name: 'Course A', kind: 'course', credits: 4, creditUnit: 'hours', required: true },
        { name: 'Course B', kind: 'course', credits: 4, creditUnit: 'hours', required: true },
      ],
    });
    const [a, b] = required as [ComponentRow, ComponentRow];
    const before = await recordWithCompleted(program.id, [a]);
    // Remove A, add a new "Course A" (no id): nothing of it is done yet; B is still open.
    const edit = editOf(program, [asEdit(b), { name: 'Course A', kind: 'course', credits: 4, creditUnit: 'hours', required: true }]);
    const preview = await previewProgramEdit(t.ctx, admin, program.id, edit);
    expect(preview).toMatchObject({ progressRecounted: 1, statusMoves: {} });
    await updateProgram(t.ctx, admin, program.id, edit, true);
    const after = (await t.db('records').where({ id: before.id }).first()) as RecordRow;
    expect([after.status, after.required_done, after.required_total]).toEqual(['In Progress', 0, 2]);
    const history = (await t.db('record_history').where({ record_id: before.id }).orderBy('id', 'desc').first()) as { detail?: string; rule?: string };
    expect(JSON.stringify(history)).toContain('0/2');
  });
});

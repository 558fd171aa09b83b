/**
 * Certification programs from CSV on a real SQLite file: keyed by code, the
 * expiration column in words, yes/no columns, admin only, the preview's counts
 * applied exactly, and a second import that changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { ImportFileError } from '../../../main/import/result';
import { applyProgramsCsv, parseExpiration, parseYesNo, previewProgramsCsv } from '../../../main/import/programs-csv';
import { ServiceError, SYSTEM, type Actor } from '../../../main/services/context';
import { createProgram } from '../../../main/services/programs';
import type { ProgramRow } from '../../../main/domain/rows';
import { logSince, makeStaff, maxSeq, snapshot, type TestDb } from '../support';
import { freshDbEachTest } from '../fresh-each-test';
import { csv, recordingJob } from './helpers';

let t: TestDb;
let admin: Actor;

freshDbEachTest({ username: 'ada', displayName: 'Ada Admin', role: 'admin' }, (db, user) => {
  t = db;
  admin = user;
});

const HEADER = ['Code', 'Name', 'Version', 'Category', 'Description', 'Require Approval', 'Require Completion Approval', 'Expiration'];

async function program(code: string): Promise<ProgramRow> {
  const row = (await t.db('programs').where({ code }).first()) as ProgramRow | undefined;
  if (!row) throw new Error(`no program ${code}`);
  return row;
}

describe('expiration and yes/no cells', () => {
  it('reads never, periods and dates, and nothing else', () => {
    expect(parseExpiration('never')).toEqual({ kind: 'never' });
    expect(parseExpiration('NONE')).toEqual({ kind: 'never' });
    expect(parseExpiration('3 years')).toEqual({ kind: 'period', amount: 3, unit: 'years' });
    expect(parseExpiration('1 Year')).toEqual({ kind: 'period', amount: 1, unit: 'years' });
    expect(parseExpiration('18 months')).toEqual({ kind: 'period', amount: 18, unit: 'months' });
    expect(parseExpiration('90days')).toEqual({ kind: 'period', amount: 90, unit: 'days' });
    expect(parseExpiration('2028-02-29')).toEqual({ kind: 'fixed', date: '2028-02-29' });
    for (const bad of ['2027-02-29', '0 days', '3 weeks', '101 years', 'soon', '3', '12/31/2027']) expect(parseExpiration(bad), bad).toBeNull();
    expect([parseYesNo('Yes'), parseYesNo('TRUE'), parseYesNo('1'), parseYesNo('n'), parseYesNo('off'), parseYesNo('maybe')]).toEqual([
      true,
      true,
      true,
      false,
      false,
      null,
    ]);
  });
});

describe('programs CSV', () => {
  it('previews, applies exactly the preview, logs every write, and changes nothing the second time', async () => {
    await createProgram(t.ctx, {
      code: 'CPR',
      name: 'CPR Basics',
      category: 'Safety',
      description: 'Hands-only CPR',
      requireApproval: false,
      requireCompletionApproval: true,
      expiration: { kind: 'period', amount: 2, unit: 'years' },
      components: [],
    });
    await createProgram(t.ctx, {
      code: 'FA',
      name: 'First Aid',
      requireApproval: true,
      requireCompletionApproval: false,
      expiration: { kind: 'period', amount: 2, unit: 'years' },
      components: [],
    });
    const text = csv([
      HEADER,
      ['CPR', 'CPR Basics', '1', 'Safety', 'Hands-only CPR', 'no', 'yes', '2 years'], // unchanged
      ['FA', 'First Aid', '', '', 'Now with burns', '', '', '18 months'], // changed: description, expiration
      ['AED', 'Defibrillator Use', '2', 'Safety', '', 'yes', 'no', '90 days'], // new
      ['ETH', 'Ethics', '', '', 'Line one\nLine two', 'y', 'n', '2027-12-31'], // new
      ['ORI', 'Orientation', '', '', '', '', '', 'never'], // new
      ['BAD1', 'Bad Expiration', '', '', '', '', '', '3 weeks'],
      ['BAD2', 'Bad Flag', '', '', '', 'perhaps', '', ''],
      ['AED', 'Twice', '', '', '', '', '', ''],
      ['NONAME', '', '', '', '', '', '', ''],
    ]);
    const before = await snapshot(t.db);
    const seq = await maxSeq(t.db);
    const preview = await previewProgramsCsv(t.db, { text });
    expect(await snapshot(t.db)).toBe(before);
    expect(preview.rows).toEqual({ new: 3, changed: 1, unchanged: 1, rejected: 4 });
    // Lines as an editor numbers them: the ETH row spans lines 5 and 6.
    expect(preview.rejected).toEqual([
      { line: 8, reason: 'Expiration "3 weeks" is not understood: write never, a period such as 3 years, 18 months or 90 days, or a date as YYYY-MM-DD.' },
      { line: 9, reason: 'Require approval is "perhaps"; write yes or no.' },
      { line: 10, reason: 'Code AED is also on line 4; only the first of them is imported.' },
      { line: 11, reason: 'Name is empty.' },
    ]);
    expect(preview.changes[0]).toEqual({
      line: 3,
      kind: 'changed',
      label: 'FA First Aid',
      fields: [
        { field: 'Description', from: '', to: 'Now with burns' },
        { field: 'Expiration', from: 'expires 2 years after completion', to: 'expires 18 months after completion' },
      ],
    });

    const job = recordingJob();
    const applied = await applyProgramsCsv(t.ctx, admin, { text, expectSha256: preview.sha256 }, job);
    expect(applied.rows).toEqual(preview.rows);
    expect(job.calls.at(-1)).toMatchObject({ done: 4, total: 4 });
    expect(await program('FA')).toMatchObject({
      description: 'Now with burns',
      require_approval: 1,
      expiration_kind: 'period',
      expiration_amount: 18,
      expiration_unit: 'months',
      expiration_fixed_on: null,
    });
    expect(await program('AED')).toMatchObject({
      name: 'Defibrillator Use',
      version: '2',
      category: 'Safety',
      require_approval: 1,
      require_completion_approval: 0,
      expiration_kind: 'period',
      expiration_amount: 90,
      expiration_unit: 'days',
      central_id: null,
      archived_at: null,
    });
    expect(await program('ETH')).toMatchObject({
      version: '1',
      description: 'Line one\nLine two',
      require_approval: 1,
      expiration_kind: 'fixed',
      expiration_fixed_on: '2027-12-31',
      expiration_amount: null,
    });
    expect(await program('ORI')).toMatchObject({ expiration_kind: 'never', require_approval: 0, require_completion_approval: 0 });
    expect(await t.db('programs').whereIn('code', ['BAD1', 'BAD2', 'NONAME']).first()).toBeUndefined();

    const log = await logSince(t.db, seq);
    expect(log.map((e) => `${e.entity}:${e.op}`).sort()).toEqual(['program:insert', 'program:insert', 'program:insert', 'program:update']);
    for (const entry of log) expect(JSON.parse(entry.data)).toEqual(await t.db('programs').where({ id: entry.entity_id }).first());

    t.clock.set('2026-04-01T08:00:00Z');
    const after = await snapshot(t.db);
    const again = await previewProgramsCsv(t.db, { text });
    expect(again.rows).toEqual({ new: 0, changed: 0, unchanged: 5, rejected: 4 });
    await applyProgramsCsv(t.ctx, admin, { text });
    expect(await snapshot(t.db)).toBe(after);
  });

  it('recognises common headers; only the code and the name are required', async () => {
    const text = csv([
      ['Program Code', 'Certification', 'Expires', 'Requires Approval', 'Owner'],
      ['CE-1', 'Continuing Education', '1 year', 'Yes', 'someone'],
    ]);
    const preview = await previewProgramsCsv(t.db, { text });
    expect(preview.mapping).toEqual({ code: 'Program Code', name: 'Certification', expiration: 'Expires', requireApproval: 'Requires Approval' });
    expect(preview.unmappedHeaders).toEqual(['Owner']);
    await applyProgramsCsv(t.ctx, SYSTEM, { text });
    expect(await program('CE-1')).toMatchObject({
      name: 'Continuing Education',
      require_approval: 1,
      expiration_kind: 'period',
      expiration_amount: 1,
      expiration_unit: 'years',
    });

    const noCode = await previewProgramsCsv(t.db, {
      text: csv([
        ['Name', 'Expiration'],
        ['X', 'never'],
      ]),
    });
    expect(noCode.fileError?.reason).toContain('No column holds Code');
  });

  it('is for admins only, and a malformed file commits nothing', async () => {
    const staff = await makeStaff(t.ctx, 'sam', 'Sam Staff', 'staff');
    const text = csv([HEADER, ['X', 'Program X', '', '', '', '', '', 'never']]);
    const refused = await applyProgramsCsv(t.ctx, staff, { text }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServiceError);
    expect((refused as ServiceError).code).toBe('FORBIDDEN');

    const before = await snapshot(t.db);
    const broken = `${text}Y,"Program Y,,,,,,never\r\n`;
    expect((await previewProgramsCsv(t.db, { text: broken })).fileError?.line).toBe(3);
    await expect(applyProgramsCsv(t.ctx, admin, { text: broken })).rejects.toThrow(ImportFileError);
    expect(await snapshot(t.db)).toBe(before);
  });
});

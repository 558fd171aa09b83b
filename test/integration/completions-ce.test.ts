/**
 * CE activities by the completions CSV (issue #18, "recorded … by the completions import"), on a real
 * SQLite file: a row naming a CE category instead of a component becomes a CE activity on the contact's
 * record for that certification, through the record drawer's path (history, change log, credits needed);
 * the same activity twice counts once (by Activity ID, or by the same values); an activity outside the
 * current cycle is imported and the preview says it does not count; an unknown category is a line error
 * naming it. The clock says 2026-03-10.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryRow, RecordRow } from '../../main/domain/rows';
import { applyCompletionsCsv, previewCompletionsCsv } from '../../main/import/completions-csv';
import type { Actor } from '../../main/services/context';
import { addCategory, recordCredits, setRenewalRequirement } from '../../main/services/credits';
import { createContact } from '../../main/services/contacts';
import { enroll, markAllComplete } from '../../main/services/records';
import { freshDb, logSince, makeProgram, makeStaff, maxSeq, ONE_COMPONENT, snapshot, type TestDb } from './support';

let t: TestDb;
let staff: Actor;

beforeEach(async () => {
  t = await freshDb();
  staff = await makeStaff(t.ctx);
});
afterEach(async () => {
  await t.dispose();
});

const row = async (id: number): Promise<RecordRow> => (await t.db('records').where({ id }).first()) as RecordRow;

/** CE1 (one component, 1 year, 10 credits with 2 in Ethics); NOREQ without a requirement. Joan Active in CE1 and enrolled in NOREQ, Sam and Kim In Progress in CE1. */
async function setUp() {
  await addCategory(t.ctx, 'Ethics');
  await addCategory(t.ctx, 'Technical');
  const ce1 = await makeProgram(t.ctx, { code: 'CE1', name: 'Credentialed Educator', components: ONE_COMPONENT });
  await setRenewalRequirement(t.ctx, {
    programId: ce1.program.id,
    requirement: { credits: 10, minimums: [{ category: 'Ethics', credits: 2 }], carryOverCap: null, review: false },
  });
  const noreq = await makeProgram(t.ctx, { code: 'NOREQ', name: 'No Requirement', components: ONE_COMPONENT });
  const person = (first: string, last: string, member: string) =>
    createContact(t.ctx, { firstName: first, lastName: last, email: `${first.toLowerCase()}@example.org`, memberNumber: member });
  const joan = await person('Joan', 'Adams', 'M-1');
  const sam = await person('Sam', 'Lee', 'M-3');
  const kim = await person('Kim', 'Park', 'M-4');
  const joanCe = await markAllComplete(t.ctx, staff, {
    id: (await enroll(t.ctx, staff, { contactId: joan.id, programId: ce1.program.id, source: 'back-office' })).id,
    reason: 'Completed elsewhere',
  });
  await enroll(t.ctx, staff, { contactId: joan.id, programId: noreq.program.id, source: 'back-office' });
  const samCe = await enroll(t.ctx, staff, { contactId: sam.id, programId: ce1.program.id, source: 'back-office' });
  const kimCe = await enroll(t.ctx, staff, { contactId: kim.id, programId: ce1.program.id, source: 'back-office' });
  return { joanCe, samCe, kimCe };
}

const FILE = [
  'Member Number,Certification Code,Component,Date,Credits,Source,Category,Title,Activity ID',
  'M-1,CE1,,2026-03-10,4,Spring conference,Ethics,Ethics in practice,A-1',
  'M-1,CE1,,2026-03-09,2,,Technical,Before the cycle,',
  'M-1,CE1,,2026-03-10,4,Spring conference,Ethics,Ethics in practice,A-1',
  'M-1,CE1,,2026-03-10,3,,Ethics,Another title,A-1',
  'M-1,CE1,,2026-03-10,1,,Wellness,Yoga,',
  'M-3,CE1,Core Course,2026-03-01,,,,,',
  'M-3,CE1,,2026-03-05,2,,technical,Webinar,',
  'M-4,CE1,,2026-03-05,2,,Ethics,Webinar,',
  'M-1,NOREQ,,2026-03-05,2,,Ethics,Webinar,',
  'M-1,CE1,Core Course,2026-03-05,2,,Ethics,Both,',
  'M-1,CE1,,2026-03-05,,,Ethics,No credits,',
].join('\n');

describe('CE activities in the completions CSV', () => {
  it('previews each activity with whether it counts, records them through the drawer’s path, and a second import changes nothing', async () => {
    const { joanCe, samCe, kimCe } = await setUp();
    const input = { text: FILE, fileName: 'ce.csv' };
    const before = await snapshot(t.db);
    const preview = await previewCompletionsCsv(t.ctx, input);
    expect(await snapshot(t.db)).toBe(before);
    expect(preview.fileError).toBeNull();
    expect(preview.mapping).toMatchObject({ category: 'Category', title: 'Title', activityId: 'Activity ID', completedOn: 'Date' });
    expect(preview.rows).toEqual({ new: 5, changed: 0, unchanged: 1, rejected: 5 });
    expect(preview.summary).toEqual([
      'Completions: 1 new, 0 unchanged, 0 rejected.',
      'CE activities: 4 new, 1 unchanged, 5 rejected; 2 of the new ones do not count towards renewal (dated outside the current cycle, or no cycle is running: see each line).',
    ]);
    const reasons = Object.fromEntries(preview.rejected.map((r) => [r.line, r.reason]));
    expect(reasons[5]).toContain('Activity ID A-1 is on line 2 with another date, title, category or credits');
    expect(reasons[6]).toBe('Wellness is not on the list of credit categories (Settings › Credit categories).');
    expect(reasons[10]).toBe('NOREQ has no renewal requirement, so it takes no CE activities (set one in Settings › Certification programs).');
    expect(reasons[11]).toContain('a row is a completion (Component) or a CE activity (CE category), not both');
    expect(reasons[12]).toBe('A CE activity needs its credits (Credits or hours).');
    const towards = (line: number) => preview.changes.find((c) => c.line === line)?.fields.find((f) => f.field === 'Towards renewal')?.to;
    expect(towards(2)).toBe('counts in the current cycle');
    expect(towards(3)).toBe('Does not count: outside this cycle (2026-03-10 – 2027-03-10)');
    // Sam's completion in the same file starts his cycle on 2026-03-01: the webinar of 03-05 counts.
    expect(towards(8)).toBe('counts in the current cycle');
    expect(towards(9)).toBe('Does not count: no cycle is running (the certification is not held)');

    const seq = await maxSeq(t.db);
    const applied = await applyCompletionsCsv(t.ctx, staff, { ...input, expectSha256: preview.sha256 });
    expect(applied.rows).toEqual(preview.rows);
    expect((await row(joanCe.id)).credits_needed).toBe(6);
    const sam = await row(samCe.id);
    expect(sam.status).toBe('Active');
    expect(sam.credits_needed).toBe(8);
    expect((await row(kimCe.id)).credits_needed).toBeNull();
    const stored = await t.db('ce_activities').where({ record_id: joanCe.id }).orderBy('id');
    expect(
      stored.map((a: { title: string; category: string; credits: number; source: string; external_id: string | null }) => [
        a.title,
        a.category,
        a.credits,
        a.source,
        a.external_id,
      ]),
    ).toEqual([
      ['Ethics in practice', 'Ethics', 4, 'Spring conference', 'A-1'],
      ['Before the cycle', 'Technical', 2, 'ce.csv', null],
    ]);
    const history = (await t.db('record_history').where({ record_id: joanCe.id, kind: 'credit' })) as HistoryRow[];
    expect(history.map((h) => h.detail)).toEqual([
      'CE activity added: 4 Ethics credits, "Ethics in practice" on 2026-03-10, source Spring conference (imported from ce.csv, line 2); CE activity added: 2 Technical credits, "Before the cycle" on 2026-03-09, source ce.csv (imported from ce.csv, line 3)',
    ]);
    const log = await logSince(t.db, seq);
    expect(log.filter((e) => e.entity === 'activity')).toHaveLength(4);
    const credits = await recordCredits(t.ctx, joanCe.id);
    expect(credits.activities.find((a) => a.title === 'Before the cycle')?.notCounted).toBe('Does not count: outside this cycle (2026-03-10 – 2027-03-10)');

    const again = await previewCompletionsCsv(t.ctx, input);
    expect(again.rows).toEqual({ new: 0, changed: 0, unchanged: 6, rejected: 5 });
    expect(again.rejected.find((r) => r.line === 5)?.reason).toContain('Activity ID A-1 is already recorded with another date');
    const unchanged = await snapshot(t.db);
    await applyCompletionsCsv(t.ctx, staff, { ...input, expectSha256: again.sha256 });
    expect(await snapshot(t.db)).toBe(unchanged);
  }, 60_000);

  it('refuses a file with neither a Component nor a CE category column, in words', async () => {
    const preview = await previewCompletionsCsv(t.ctx, { text: 'Member Number,Certification Code,Date\nM-1,CE1,2026-03-01\n' });
    expect(preview.fileError?.reason).toContain('No column holds Component (for completions) or CE category (for CE activities)');
  });
});

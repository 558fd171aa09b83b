/**
 * Renewal by CE credits on a real SQLite file: activities change the record's kept "credits needed"
 * and "on track" columns in the same transaction (with history and change log), the Tracking list
 * filters and sorts by them, and renewal starts the next cycle from the previous expiration date
 * with at most the cap carried over, the old cycle's activities kept.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryRow, RecordRow } from '../../main/domain/rows';
import type { FilterTree } from '../../main/filters/fields';
import type { Actor } from '../../main/services/context';
import { addActivity, addCategory, recordCredits, removeActivity, renewByCredits, setRenewalRequirement } from '../../main/services/credits';
import { enroll, markAllComplete, setStatus } from '../../main/services/records';
import { listTracking } from '../../main/services/tracking';
import { freshDb, logSince, makeContact, makeProgram, makeStaff, maxSeq, type TestDb } from './support';

let t: TestDb;
let staff: Actor;
let programId: number;

const REQUIREMENT = { credits: 10, minimums: [{ category: 'Ethics', credits: 2 }], carryOverCap: 3, review: false };

/** An Active record completed today (2026-03-10), valid one year: its cycle runs 2026-03-10 – 2027-03-10. */
async function activeRecord(): Promise<RecordRow> {
  const contact = await makeContact(t.ctx);
  const record = await enroll(t.ctx, staff, { contactId: contact.id, programId, source: 'back-office' });
  return markAllComplete(t.ctx, staff, { id: record.id, reason: 'Completed elsewhere' });
}

const row = async (id: number): Promise<RecordRow> => (await t.db('records').where({ id }).first()) as RecordRow;
const activity = (recordId: number, earnedOn: string, category: string, credits: number, title = 'Seminar') =>
  addActivity(t.ctx, staff, { recordId, earnedOn, title, category, credits, source: 'Spring conference' });

beforeEach(async () => {
  t = await freshDb();
  staff = await makeStaff(t.ctx);
  const admin = t.ctx;
  await addCategory(admin, 'Ethics');
  await addCategory(admin, 'Technical');
  programId = (await makeProgram(t.ctx, { components: [] })).program.id;
  await setRenewalRequirement(t.ctx, { programId, requirement: REQUIREMENT });
});
afterEach(async () => {
  await t.dispose();
});

describe('CE activities', () => {
  it('an activity updates credits needed and on track in the same transaction, with history and change log', async () => {
    const record = await activeRecord();
    expect(record.status).toBe('Active');
    expect(record.credits_needed).toBe(10);
    const before = await maxSeq(t.db);
    const after = await activity(record.id, '2026-03-10', 'Technical', 4);
    expect(after.credits_needed).toBe(6);
    // 4 of 10 over 365 days: on track through day 146.
    expect(after.credits_on_track_until).toBe('2026-08-03');
    const log = await logSince(t.db, before);
    expect(log.map((e) => e.entity).sort()).toEqual(['activity', 'history', 'record']);
    const history = (await t.db('record_history').where({ record_id: record.id }).orderBy('id', 'desc').first()) as HistoryRow;
    expect(history.kind).toBe('credit');
    expect(history.detail).toBe('CE activity added: 4 Technical credits, "Seminar" on 2026-03-10, source Spring conference');
  });

  it('technical credits never make up the Ethics minimum; an activity outside the cycle does not count, and says so', async () => {
    const record = await activeRecord();
    await activity(record.id, '2026-03-09', 'Ethics', 5, 'Before the cycle');
    const r = await activity(record.id, '2026-03-10', 'Technical', 10);
    expect(r.credits_needed).toBe(2);
    const credits = await recordCredits(t.ctx, record.id);
    expect(credits.standing?.byCategory).toEqual([
      { category: 'Ethics', earned: 0, minimum: 2, short: 2 },
      { category: 'Technical', earned: 10, minimum: 0, short: 0 },
    ]);
    expect(credits.activities.find((a) => a.title === 'Before the cycle')?.notCounted).toBe('Does not count: outside this cycle (2026-03-10 – 2027-03-10)');
    expect(credits.renewal).toEqual({ allowed: false, reason: '2 more credits are needed before it can renew.' });
  });

  it('refuses a future date and an unknown category, writing nothing', async () => {
    const record = await activeRecord();
    const before = await maxSeq(t.db);
    await expect(activity(record.id, '2026-03-11', 'Ethics', 1)).rejects.toThrow('The activity date 2026-03-11 is in the future (today is 2026-03-10).');
    await expect(activity(record.id, '2026-03-10', 'Cooking', 1)).rejects.toThrow('Cooking is not on the list of credit categories.');
    expect(await maxSeq(t.db)).toBe(before);
  });

  it('removing an activity needs a reason, keeps it marked removed, and puts the credits back to needed', async () => {
    const record = await activeRecord();
    await activity(record.id, '2026-03-10', 'Ethics', 3);
    const [id] = (await t.db('ce_activities').where({ record_id: record.id }).pluck('id')) as number[];
    if (id === undefined) throw new Error('no activity stored');
    const r = await removeActivity(t.ctx, staff, { id, reason: 'Entered twice' });
    expect(r.credits_needed).toBe(10);
    const credits = await recordCredits(t.ctx, record.id);
    expect(credits.activities[0]).toMatchObject({ removedReason: 'Entered twice', notCounted: 'Removed' });
    const history = (await t.db('record_history').where({ record_id: record.id }).orderBy('id', 'desc').first()) as HistoryRow;
    expect(history).toMatchObject({ kind: 'credit', reason: 'Entered twice' });
  });
});

describe('the Tracking list', () => {
  it('filters by credits needed and on track, and sorts by credits needed both ways (no requirement last)', async () => {
    const a = await activeRecord();
    const b = await activeRecord();
    const c = await activeRecord();
    await activity(a.id, '2026-03-10', 'Ethics', 10);
    await activity(b.id, '2026-03-10', 'Ethics', 4);
    const other = (await makeProgram(t.ctx, { components: [] })).program.id;
    const contact = await makeContact(t.ctx);
    const none = await enroll(t.ctx, staff, { contactId: contact.id, programId: other, source: 'back-office' });
    const list = async (filter: FilterTree | null, direction: 'asc' | 'desc' = 'asc') =>
      (
        await listTracking(t.db, {
          quick: { kind: 'all' },
          filter,
          today: '2027-01-01',
          sort: { column: 'creditsNeeded', direction },
          page: 1,
          pageSize: 50,
        })
      ).rows.map((r) => r.id);
    expect(await list(null)).toEqual([a.id, b.id, c.id, none.id]);
    expect(await list(null, 'desc')).toEqual([c.id, b.id, a.id, none.id]);
    expect(await list({ combinator: 'and', rules: [{ field: 'creditsNeeded', operator: '>', value: 0 }] })).toEqual([b.id, c.id]);
    // On 2027-01-01 (82 % of the cycle): a has met the requirement, b (4 of 10) is behind, so is c.
    expect(await list({ combinator: 'and', rules: [{ field: 'onTrack', operator: '=', value: 'yes' }] })).toEqual([a.id]);
    expect(await list({ combinator: 'and', rules: [{ field: 'onTrack', operator: '=', value: 'no' }] })).toEqual([b.id, c.id]);
  });

  it('a requirement removed empties the kept columns of its records', async () => {
    const a = await activeRecord();
    await setRenewalRequirement(t.ctx, { programId, requirement: null });
    expect(await row(a.id)).toMatchObject({ credits_needed: null, credits_on_track_until: null });
  });
});

describe('renewal', () => {
  it('starts the next cycle from the previous expiration date, not from the day it was met; the old cycle stays; carry-over at most the cap', async () => {
    const record = await activeRecord();
    await expect(renewByCredits(t.ctx, staff, { id: record.id })).rejects.toThrow('10 more credits are needed before it can renew.');
    await activity(record.id, '2026-03-10', 'Ethics', 4);
    await activity(record.id, '2026-03-10', 'Technical', 12);
    t.clock.setDay('2026-06-01');
    const renewed = await renewByCredits(t.ctx, staff, { id: record.id });
    expect(renewed).toMatchObject({ status: 'Active', cycle: 2, cycle_starts_on: '2027-03-11', expires_on: '2028-03-10' });
    // 16 earned, 10 required: 6 excess, the cap is 3.
    expect(renewed.credits_needed).toBe(7);
    const credits = await recordCredits(t.ctx, record.id);
    expect(credits.cycle).toEqual({ startsOn: '2027-03-11', endsOn: '2028-03-10' });
    expect(credits.standing?.carriedIn).toBe(3);
    expect(credits.activities.filter((a) => a.cycle === 1).map((a) => a.notCounted)).toEqual([
      'Counted in cycle 1 (a previous cycle)',
      'Counted in cycle 1 (a previous cycle)',
    ]);
    expect(credits.activities.find((a) => a.kind === 'carry-over')).toMatchObject({
      credits: 3,
      cycle: 2,
      title: 'Carried over from cycle 1',
      notCounted: null,
    });
    const history = (await t.db('record_history').where({ record_id: record.id }).orderBy('id', 'desc').first()) as HistoryRow;
    expect(history.detail).toBe(
      'Renewed by CE credits: cycle 2 runs 2027-03-11 – 2028-03-10 (from the previous expiration date 2027-03-10); 3 credits carried over',
    );
    expect(history.cycle).toBe(2);
  });

  it('an Expired certification renewed late still counts from its previous expiration date', async () => {
    const record = await activeRecord();
    t.clock.setDay('2027-01-15');
    await activity(record.id, '2027-01-10', 'Ethics', 10);
    t.clock.setDay('2027-03-20');
    const { runSweep } = await import('../../main/services/sweep');
    await runSweep(t.ctx);
    expect((await row(record.id)).status).toBe('Expired');
    const renewed = await renewByCredits(t.ctx, staff, { id: record.id });
    expect(renewed).toMatchObject({ status: 'Active', expires_on: '2028-03-10' });
  });

  it('a program that says so renews into Admin Review; approving keeps the expiration counted from the previous one', async () => {
    await setRenewalRequirement(t.ctx, { programId, requirement: { ...REQUIREMENT, review: true } });
    const record = await activeRecord();
    await activity(record.id, '2026-03-10', 'Ethics', 10);
    const pending = await renewByCredits(t.ctx, staff, { id: record.id });
    expect(pending).toMatchObject({ status: 'Admin Review', expires_on: '2028-03-10', cycle: 2 });
    t.clock.setDay('2026-04-01');
    const approved = await setStatus(t.ctx, staff, { id: record.id, to: 'Active', reason: null });
    expect(approved).toMatchObject({ status: 'Active', expires_on: '2028-03-10' });
  });
});

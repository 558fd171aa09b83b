/**
 * What staff do to certification records, through the real services on a real
 * SQLite file: each change is one transaction that writes the record, its
 * history, its change-log entries and, when due, one outbox email; a refused
 * change writes nothing at all.
 */
import { describe, expect, it } from 'vitest';
import { addDays, addYears } from '../../main/rules/calendar';
import { changesFor, logChanges } from '../../main/services/changelog';
import { ServiceError, SYSTEM, type Actor } from '../../main/services/context';
import { recordDetail } from '../../main/services/record-detail';
import { completeComponent } from '../../main/services/completions';
import { enroll, markAllComplete, overrideExpiration, setNotes, setStatus } from '../../main/services/records';
import type { RecordRow } from '../../main/domain/rows';
import type { HistoryRow } from '../../main/domain/rows';
import { runSweep } from '../../main/services/sweep';
import {
  approveApplication,
  countRows,
  declineApplication,
  logSince,
  makeContact,
  makeProgram,
  makeStaff,
  maxSeq,
  renew,
  snapshot,
  type Counts,
  type TestDb,
  historyOf,
} from './support';
import { freshDbEachTest } from './fresh-each-test';

const TODAY = '2026-03-10'; // 2026-03-10T15:00Z in New York

let t: TestDb;
let staff: Actor;

freshDbEachTest((db, user) => {
  t = db;
  staff = user;
});

function delta(before: Counts, after: Counts): Partial<Counts> {
  const d: Partial<Counts> = {};
  for (const key of Object.keys(before) as Array<keyof Counts>) {
    if (after[key] !== before[key]) d[key] = after[key] - before[key];
  }
  return d;
}

async function recordRow(id: number): Promise<RecordRow> {
  return (await t.db('records').where({ id }).first()) as RecordRow;
}

/** Expects `fn` to be refused with a ServiceError of `code` and to leave the database exactly as it was. */
async function expectRefusedWithoutWrites(fn: () => Promise<unknown>, code: ServiceError['code']): Promise<ServiceError> {
  const before = await snapshot(t.db);
  const seq = await maxSeq(t.db);
  let caught: unknown = null;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ServiceError);
  const error = caught as ServiceError;
  expect(error.code).toBe(code);
  // A sentence staff can read: starts with a capital, ends with a full stop.
  expect(error.message).toMatch(/^[A-Z].{15,}[.)]$/s);
  expect(await snapshot(t.db)).toBe(before);
  expect(await maxSeq(t.db)).toBe(seq);
  return error;
}

async function completeAll(recordId: number, components: Array<{ id: number }>, on = TODAY): Promise<RecordRow> {
  let last: RecordRow | null = null;
  for (const c of components) last = await completeComponent(t.ctx, staff, { recordId, componentId: c.id, completedOn: on, confirmExpired: true });
  if (!last) throw new Error('no components');
  return last;
}

describe('enrolling a contact', () => {
  it('an application to a certification that requires approval is Applied, in one write of record + history + change log', async () => {
    const { program } = await makeProgram(t.ctx, { requireApproval: true });
    const contact = await makeContact(t.ctx);
    const before = await countRows(t.db);
    const seq = await maxSeq(t.db);

    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'application' });

    expect(record.status).toBe('Applied');
    expect(record.applied_on).toBe(TODAY);
    expect(record.started_on).toBeNull();
    expect(record.cycle).toBe(1);
    expect(record.required_total).toBe(3);
    expect(record.required_done).toBe(0);
    expect(delta(before, await countRows(t.db))).toEqual({ records: 1, record_history: 1, change_log: 2 });

    const [entry] = await historyOf(t.db, record.id);
    expect(entry).toMatchObject({
      kind: 'enrollment',
      from_status: null,
      to_status: 'Applied',
      actor_id: staff.id,
      actor_name: 'Dana Staff',
      on_date: TODAY,
      cycle: 1,
    });
    expect(entry?.rule).toMatch(/requires approval/);

    const log = await logSince(t.db, seq);
    expect(log.map((l) => [l.entity, l.op])).toEqual([
      ['record', 'insert'],
      ['history', 'insert'],
    ]);
    expect(log[0]?.entity_id).toBe(record.id);
    expect(log[1]?.entity_id).toBe(entry?.id);
    expect(JSON.parse(log[0]?.data ?? '{}')).toMatchObject({ id: record.id, status: 'Applied' });
  });

  it('an application to a certification without Require Approval starts In Progress the same day', async () => {
    const { program } = await makeProgram(t.ctx, { requireApproval: false });
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'application' });
    expect(record).toMatchObject({ status: 'In Progress', applied_on: TODAY, started_on: TODAY });
    expect((await historyOf(t.db, record.id)).map((h) => h.to_status)).toEqual(['In Progress']);
  });

  it('staff adding a contact from the back office starts In Progress even when the program requires approval', async () => {
    const { program } = await makeProgram(t.ctx, { requireApproval: true });
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    expect(record).toMatchObject({ status: 'In Progress', applied_on: null, started_on: TODAY });
    expect((await historyOf(t.db, record.id))[0]?.rule).toMatch(/back office/);
  });

  it('a second enrollment of the same contact in the same certification is refused with CONFLICT and writes nothing', async () => {
    const { program } = await makeProgram(t.ctx, { name: 'Ethics Update' });
    const contact = await makeContact(t.ctx, 'Okafor');
    await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    const error = await expectRefusedWithoutWrites(
      () => enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'application' }),
      'CONFLICT',
    );
    expect(error.message).toContain('Okafor');
    expect(error.message).toContain('Ethics Update');
    expect(error.message).toContain('In Progress');
  });

  it('an unknown contact or certification is NOT_FOUND and writes nothing', async () => {
    const { program } = await makeProgram(t.ctx);
    const contact = await makeContact(t.ctx);
    await expectRefusedWithoutWrites(() => enroll(t.ctx, staff, { contactId: 9999, programId: program.id, source: 'back-office' }), 'NOT_FOUND');
    await expectRefusedWithoutWrites(() => enroll(t.ctx, staff, { contactId: contact.id, programId: 9999, source: 'back-office' }), 'NOT_FOUND');
  });
});

describe('approving and declining applications', () => {
  it('approve moves Applied to In Progress on the day of approval, with history and change log', async () => {
    const { program } = await makeProgram(t.ctx, { requireApproval: true });
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, SYSTEM, { contactId: contact.id, programId: program.id, source: 'application' });
    t.clock.setDay('2026-03-14');
    const before = await countRows(t.db);
    const seq = await maxSeq(t.db);

    const approved = await approveApplication(t.ctx, staff, record.id);

    expect(approved).toMatchObject({ status: 'In Progress', applied_on: TODAY, started_on: '2026-03-14' });
    expect(await recordRow(record.id)).toMatchObject({ status: 'In Progress', started_on: '2026-03-14' });
    expect(delta(before, await countRows(t.db))).toEqual({ record_history: 1, change_log: 2 });
    const last = (await historyOf(t.db, record.id)).at(-1);
    expect(last).toMatchObject({ kind: 'status', from_status: 'Applied', to_status: 'In Progress', actor_name: 'Dana Staff', on_date: '2026-03-14' });
    expect((await logSince(t.db, seq)).map((l) => l.entity).sort()).toEqual(['history', 'record']);

    // Approving again is refused: the record is no longer Applied.
    const error = await expectRefusedWithoutWrites(() => approveApplication(t.ctx, staff, record.id), 'REFUSED');
    expect(error.message).toMatch(/Applied.*In Progress/);
  });

  it('decline needs a reason, and records it in the history', async () => {
    const { program } = await makeProgram(t.ctx, { requireApproval: true });
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, SYSTEM, { contactId: contact.id, programId: program.id, source: 'application' });

    const error = await expectRefusedWithoutWrites(() => declineApplication(t.ctx, staff, record.id, '   '), 'REFUSED');
    expect(error.message).toMatch(/reason is required/);

    const declined = await declineApplication(t.ctx, staff, record.id, '  Not enough experience yet  ');
    expect(declined.status).toBe('Declined');
    const last = (await historyOf(t.db, record.id)).at(-1);
    expect(last).toMatchObject({ from_status: 'Applied', to_status: 'Declined', reason: 'Not enough experience yet', actor_id: staff.id });
  });

  it('components completed before approval count once the application is approved', async () => {
    const { program, required } = await makeProgram(t.ctx, { requireApproval: true, expiration: { kind: 'period', amount: 2, unit: 'years' } });
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, SYSTEM, { contactId: contact.id, programId: program.id, source: 'application' });
    const stillApplied = await completeAll(record.id, required);
    expect(stillApplied.status).toBe('Applied');
    expect(stillApplied.required_done).toBe(3);

    const approved = await approveApplication(t.ctx, staff, record.id);
    expect(approved).toMatchObject({ status: 'Active', completed_on: TODAY, approved_on: TODAY, expires_on: '2028-03-10', started_on: TODAY });
  });
});

describe('completing components', () => {
  it('the last required component makes the record Active with completed_on today and expires_on computed', async () => {
    const { program, components, required } = await makeProgram(t.ctx, { expiration: { kind: 'period', amount: 3, unit: 'years' } });
    const optional = components.find((c) => c.required === 0);
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });

    const [a, b, exam] = required;
    if (!a || !b || !exam || !optional) throw new Error('fixture');
    let r = await completeComponent(t.ctx, staff, { recordId: record.id, componentId: optional.id, completedOn: TODAY });
    expect(r).toMatchObject({ status: 'In Progress', required_done: 0 });
    r = await completeComponent(t.ctx, staff, { recordId: record.id, componentId: a.id, completedOn: '2026-03-01', credits: 3.5 });
    expect(r).toMatchObject({ status: 'In Progress', required_done: 1, required_total: 3 });
    r = await completeComponent(t.ctx, staff, { recordId: record.id, componentId: b.id, completedOn: TODAY });
    expect(r).toMatchObject({ status: 'In Progress', required_done: 2 });

    const before = await countRows(t.db);
    const seq = await maxSeq(t.db);
    r = await completeComponent(t.ctx, staff, { recordId: record.id, componentId: exam.id, completedOn: TODAY, note: 'Passed 92%' });
    expect(r).toMatchObject({ status: 'Active', completed_on: TODAY, approved_on: TODAY, expires_on: '2029-03-10', required_done: 3 });
    expect(await recordRow(record.id)).toMatchObject({ status: 'Active', completed_on: TODAY, expires_on: '2029-03-10', required_done: 3 });
    expect(delta(before, await countRows(t.db))).toEqual({ component_progress: 1, record_history: 1, change_log: 3 });
    expect((await logSince(t.db, seq)).map((l) => l.entity).sort()).toEqual(['history', 'progress', 'record']);
    const last = (await historyOf(t.db, record.id)).at(-1);
    expect(last).toMatchObject({ kind: 'status', from_status: 'In Progress', to_status: 'Active', reason: 'Passed 92%', actor_name: 'Dana Staff' });

    const detail = await recordDetail(t.db, record.id);
    expect(detail.components.find((c) => c.id === a.id)).toMatchObject({ completedOn: '2026-03-01', creditsEarned: 3.5 });
    expect(detail.moves.map((m) => m.to)).toEqual(['Cancelled']);
  });

  it('Feb 29 + 1 year expires on Feb 28', async () => {
    t.clock.set('2028-02-29T15:00:00Z');
    const { program, required } = await makeProgram(t.ctx, { expiration: { kind: 'period', amount: 1, unit: 'years' } });
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    const r = await completeAll(record.id, required, '2028-02-29');
    expect(r).toMatchObject({ status: 'Active', completed_on: '2028-02-29', expires_on: '2029-02-28' });
  });

  it('a program that requires completion approval goes to Admin Review; approval makes it Active counting from that day', async () => {
    const { program, required } = await makeProgram(t.ctx, { requireCompletionApproval: true, expiration: { kind: 'period', amount: 2, unit: 'years' } });
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    const review = await completeAll(record.id, required);
    expect(review).toMatchObject({ status: 'Admin Review', completed_on: TODAY, approved_on: null, expires_on: null });
    expect(await t.db('outbox').count({ n: '*' }).first()).toEqual({ n: 0 });

    t.clock.setDay('2026-03-20');
    const granted = await setStatus(t.ctx, staff, { id: record.id, to: 'Active' });
    expect(granted).toMatchObject({ status: 'Active', completed_on: TODAY, approved_on: '2026-03-20', expires_on: '2028-03-20' });
    const last = (await historyOf(t.db, record.id)).at(-1);
    expect(last).toMatchObject({ from_status: 'Admin Review', to_status: 'Active', actor_name: 'Dana Staff' });
  });

  it('refuses a future date, a component completed twice and a component of another program, writing nothing', async () => {
    const { program, required } = await makeProgram(t.ctx);
    const other = await makeProgram(t.ctx);
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    const first = required[0];
    const foreign = other.required[0];
    if (!first || !foreign) throw new Error('fixture');

    await expectRefusedWithoutWrites(
      () => completeComponent(t.ctx, staff, { recordId: record.id, componentId: first.id, completedOn: '2026-03-11' }),
      'INVALID',
    );
    await expectRefusedWithoutWrites(() => completeComponent(t.ctx, staff, { recordId: record.id, componentId: foreign.id, completedOn: TODAY }), 'NOT_FOUND');
    await completeComponent(t.ctx, staff, { recordId: record.id, componentId: first.id, completedOn: TODAY });
    const error = await expectRefusedWithoutWrites(
      () => completeComponent(t.ctx, staff, { recordId: record.id, componentId: first.id, completedOn: TODAY }),
      'CONFLICT',
    );
    expect(error.message).toContain(TODAY);
  });

  it('a completion entered late dates the certification from the day the work was completed', async () => {
    const { program, required } = await makeProgram(t.ctx, { expiration: { kind: 'period', amount: 1, unit: 'years' } });
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    const r = await completeAll(record.id, required, '2025-02-01');
    expect(r.completed_on).toBe('2025-02-01');
    expect(r.expires_on).toBe('2026-02-01');
    expect(r.status).toBe('Expired');
  });

  it('resuming an Inactive record whose required components were all completed makes it Active', async () => {
    const { program, required } = await makeProgram(t.ctx);
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    await setStatus(t.ctx, staff, { id: record.id, to: 'Inactive', reason: 'On leave' });
    const inactive = await completeAll(record.id, required);
    expect(inactive).toMatchObject({ status: 'Inactive', required_done: 3 });
    const resumed = await setStatus(t.ctx, staff, { id: record.id, to: 'In Progress' });
    expect(resumed.status).toBe('Active');
    expect(resumed.completed_on).toBe(TODAY);
  });
});

describe('manual status changes', () => {
  it('a refused move writes nothing to records, history, change log or outbox and says why in a sentence', async () => {
    const { program } = await makeProgram(t.ctx);
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    const active = await enroll(t.ctx, staff, { contactId: (await makeContact(t.ctx)).id, programId: program.id, source: 'back-office' });
    await markAllComplete(t.ctx, staff, { id: active.id, reason: 'Completed at a partner association' });

    const before = await countRows(t.db);
    const cases: Array<[number, Parameters<typeof setStatus>[2]['to'], string | undefined, RegExp]> = [
      [record.id, 'Active', undefined, /Active follows completion/],
      [record.id, 'Expired', undefined, /change the expiration date instead/],
      [record.id, 'Expiring', 'because', /change the expiration date instead/],
      [record.id, 'Applied', undefined, /Applied is set only when/],
      [record.id, 'Admin Review', undefined, /Admin Review is reached/],
      [record.id, 'In Progress', undefined, /already In Progress/],
      [record.id, 'Declined', 'x', /staff may set Inactive, Not Completed or Cancelled/],
      [record.id, 'Inactive', undefined, /reason is required/],
      [record.id, 'Cancelled', '   ', /reason is required/],
      [active.id, 'Expired', 'early', /change the expiration date instead/],
      [active.id, 'In Progress', undefined, /staff may set Cancelled/],
    ];
    for (const [id, to, reason, why] of cases) {
      const error = await expectRefusedWithoutWrites(() => setStatus(t.ctx, staff, { id, to, reason }), 'REFUSED');
      expect(error.message, `${to}`).toMatch(why);
      expect(error.field).toBe('to');
    }
    const after = await countRows(t.db);
    for (const table of ['records', 'record_history', 'change_log', 'outbox'] as const) expect(after[table], table).toBe(before[table]);
  });

  it('an unknown record is NOT_FOUND', async () => {
    await expectRefusedWithoutWrites(() => setStatus(t.ctx, staff, { id: 4242, to: 'Cancelled', reason: 'x' }), 'NOT_FOUND');
  });
});

describe('mark all complete', () => {
  it('completes an In Progress record at once, with the reason in its history', async () => {
    const { program, required } = await makeProgram(t.ctx, { expiration: { kind: 'period', amount: 18, unit: 'months' } });
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    const first = required[0];
    if (!first) throw new Error('fixture');
    await completeComponent(t.ctx, staff, { recordId: record.id, componentId: first.id, completedOn: TODAY });

    const before = await countRows(t.db);
    const done = await markAllComplete(t.ctx, staff, { id: record.id, reason: 'Transcript from State University' });
    expect(done).toMatchObject({ status: 'Active', completed_on: TODAY, approved_on: TODAY, expires_on: '2027-09-10' });
    expect(delta(before, await countRows(t.db))).toEqual({ record_history: 1, change_log: 2 });
    const last = (await historyOf(t.db, record.id)).at(-1);
    expect(last).toMatchObject({
      from_status: 'In Progress',
      to_status: 'Active',
      reason: 'Transcript from State University',
      detail: 'All components marked complete',
    });
  });

  it('is the only way to complete a certification with no required component; with completion approval it goes to Admin Review', async () => {
    const bare = await makeProgram(t.ctx, { components: [], expiration: { kind: 'never' } });
    const reviewed = await makeProgram(t.ctx, { components: [], requireCompletionApproval: true });
    const contact = await makeContact(t.ctx);
    const a = await enroll(t.ctx, staff, { contactId: contact.id, programId: bare.program.id, source: 'back-office' });
    const b = await enroll(t.ctx, staff, { contactId: contact.id, programId: reviewed.program.id, source: 'back-office' });
    expect(a.required_total).toBe(0);
    await runSweep(t.ctx);
    expect((await recordRow(a.id)).status).toBe('In Progress');

    expect(await markAllComplete(t.ctx, staff, { id: a.id, reason: 'Grandfathered' })).toMatchObject({ status: 'Active', expires_on: null });
    expect(await markAllComplete(t.ctx, staff, { id: b.id, reason: 'Grandfathered' })).toMatchObject({ status: 'Admin Review', completed_on: TODAY });
  });

  it('is refused for an Applied record and without a reason, writing nothing', async () => {
    const { program } = await makeProgram(t.ctx, { requireApproval: true });
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'application' });
    const error = await expectRefusedWithoutWrites(() => markAllComplete(t.ctx, staff, { id: record.id, reason: 'Done elsewhere' }), 'REFUSED');
    expect(error.message).toMatch(/Approve the application first/);
    await expectRefusedWithoutWrites(() => markAllComplete(t.ctx, staff, { id: record.id, reason: '  ' }), 'INVALID');
  });
});

describe('overriding an expiration date', () => {
  async function activeRecord(): Promise<RecordRow> {
    const { program } = await makeProgram(t.ctx, { components: [], expiration: { kind: 'period', amount: 1, unit: 'years' } });
    const contact = await makeContact(t.ctx, 'Expiry');
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    const active = await markAllComplete(t.ctx, staff, { id: record.id, reason: 'Done' });
    expect(active).toMatchObject({ status: 'Active', expires_on: '2027-03-10' });
    return active;
  }

  it('to tomorrow with n = 30 makes the record Expiring at once and queues exactly one email', async () => {
    const record = await activeRecord();
    const before = await countRows(t.db);
    const seq = await maxSeq(t.db);
    const tomorrow = addDays(TODAY, 1);

    const updated = await overrideExpiration(t.ctx, staff, { id: record.id, expiresOn: tomorrow, reason: 'Board decision' });

    expect(updated).toMatchObject({ status: 'Expiring', expires_on: tomorrow, expiration_overridden: 1 });
    expect(await recordRow(record.id)).toMatchObject({ status: 'Expiring', expires_on: tomorrow, expiration_overridden: 1 });
    expect(delta(before, await countRows(t.db))).toEqual({ record_history: 1, outbox: 1, change_log: 3 });
    expect((await logSince(t.db, seq)).map((l) => l.entity).sort()).toEqual(['history', 'outbox', 'record']);

    const emails = (await t.db('outbox').where({ record_id: record.id })) as Array<Record<string, unknown>>;
    expect(emails).toHaveLength(1);
    const contact = (await t.db('contacts').where({ id: record.contact_id }).first()) as { email: string; first_name: string };
    expect(emails[0]).toMatchObject({ kind: 'certification-expiring', expires_on: tomorrow, state: 'queued', to_email: contact.email });
    expect(String(emails[0]?.subject)).toContain(tomorrow);
    expect(String(emails[0]?.body)).toContain(contact.first_name);
    expect(String(emails[0]?.subject) + String(emails[0]?.body)).not.toMatch(/\{[a-z_]+\}/);

    const last = (await historyOf(t.db, record.id)).at(-1);
    expect(last).toMatchObject({
      kind: 'status',
      from_status: 'Active',
      to_status: 'Expiring',
      reason: 'Board decision',
      detail: `Expiration date changed from 2027-03-10 to ${tomorrow}`,
      actor_name: 'Dana Staff',
    });

    // Setting the same date again (and a sweep) never queues a second email for it.
    await overrideExpiration(t.ctx, staff, { id: record.id, expiresOn: '2027-01-01', reason: 'Typo' });
    await overrideExpiration(t.ctx, staff, { id: record.id, expiresOn: tomorrow, reason: 'Typo fixed' });
    await runSweep(t.ctx);
    expect(await t.db('outbox').where({ record_id: record.id, expires_on: tomorrow }).count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  it('to yesterday makes it Expired, to none makes it Active, and to a far date brings it back from Expired', async () => {
    const record = await activeRecord();
    expect(await overrideExpiration(t.ctx, staff, { id: record.id, expiresOn: addDays(TODAY, -1), reason: 'Lapsed', confirmExpired: true })).toMatchObject({
      status: 'Expired',
    });
    expect(await overrideExpiration(t.ctx, staff, { id: record.id, expiresOn: '2030-01-01', reason: 'Extended' })).toMatchObject({
      status: 'Active',
      expires_on: '2030-01-01',
    });
    expect(await overrideExpiration(t.ctx, staff, { id: record.id, expiresOn: TODAY, reason: 'Valid through today' })).toMatchObject({
      status: 'Expiring',
    });
    expect(await overrideExpiration(t.ctx, staff, { id: record.id, expiresOn: null, reason: 'Lifetime' })).toMatchObject({
      status: 'Active',
      expires_on: null,
    });
    expect((await historyOf(t.db, record.id)).filter((h) => h.kind === 'status').map((h) => h.to_status)).toEqual([
      'Active',
      'Expired',
      'Active',
      'Expiring',
      'Active',
    ]);
  });

  it('is refused for a record that is not completed, without a reason, or with a non-date', async () => {
    const { program } = await makeProgram(t.ctx);
    const contact = await makeContact(t.ctx);
    const open = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    await expectRefusedWithoutWrites(() => overrideExpiration(t.ctx, staff, { id: open.id, expiresOn: '2027-01-01', reason: 'x' }), 'REFUSED');
    const record = await activeRecord();
    await expectRefusedWithoutWrites(() => overrideExpiration(t.ctx, staff, { id: record.id, expiresOn: '2027-01-01', reason: '' }), 'INVALID');
    await expectRefusedWithoutWrites(() => overrideExpiration(t.ctx, staff, { id: record.id, expiresOn: '2027-02-30', reason: 'x' }), 'INVALID');
  });
});

describe('renewing an Expired certification', () => {
  it('starts cycle 2 with progress reset, keeps the old completions and history, and completes again', async () => {
    const { program, required } = await makeProgram(t.ctx, { expiration: { kind: 'period', amount: 1, unit: 'years' } });
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    await completeAll(record.id, required);

    t.clock.setDay(addDays(addYears(TODAY, 1), 1)); // 2027-03-11: the day after the expiration date
    const sweep = await runSweep(t.ctx);
    expect(sweep.byTransition).toEqual({ 'Active → Expired': 1 });
    expect(await recordRow(record.id)).toMatchObject({ status: 'Expired', expires_on: '2027-03-10' });
    const historyBefore = await historyOf(t.db, record.id);
    const before = await countRows(t.db);

    const renewed = await renew(t.ctx, staff, record.id);

    expect(renewed).toMatchObject({
      status: 'In Progress',
      cycle: 2,
      required_done: 0,
      started_on: '2027-03-11',
      completed_on: null,
      approved_on: null,
      expires_on: null,
    });
    expect(await recordRow(record.id)).toMatchObject({ status: 'In Progress', cycle: 2, required_done: 0, completed_on: null, expires_on: null });
    expect(delta(before, await countRows(t.db))).toEqual({ record_history: 1, change_log: 2 });
    const oldCompletions = (await t.db('component_progress').where({ record_id: record.id, cycle: 1 })) as unknown[];
    expect(oldCompletions).toHaveLength(3);
    const history = await historyOf(t.db, record.id);
    expect(history.slice(0, historyBefore.length)).toEqual(historyBefore);
    expect(history.at(-1)).toMatchObject({ from_status: 'Expired', to_status: 'In Progress', cycle: 2, actor_name: 'Dana Staff' });
    const detail = await recordDetail(t.db, record.id);
    expect(detail.components.filter((c) => c.required).every((c) => c.completedOn === null)).toBe(true);

    const again = await completeAll(record.id, required, '2027-03-11');
    expect(again).toMatchObject({ status: 'Active', cycle: 2, completed_on: '2027-03-11', expires_on: '2028-03-11', required_done: 3 });
    expect(await t.db('component_progress').where({ record_id: record.id }).count({ n: '*' }).first()).toEqual({ n: 6 });
  });

  it('is refused for a record that is not Expired', async () => {
    const { program } = await makeProgram(t.ctx);
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    const error = await expectRefusedWithoutWrites(() => renew(t.ctx, staff, record.id), 'REFUSED');
    expect(error.message).toMatch(/Expired.*In Progress/);
  });
});

describe('the change log and the history as a whole', () => {
  it('has contiguous sequence numbers after a mix of successful, refused and rolled-back changes; every history row names its author', async () => {
    const admin = await makeStaff(t.ctx, 'alex', 'Alex Admin', 'admin');
    const approval = await makeProgram(t.ctx, { requireApproval: true });
    const plain = await makeProgram(t.ctx, { requireCompletionApproval: true });
    const contacts = [await makeContact(t.ctx), await makeContact(t.ctx), await makeContact(t.ctx)];
    const ids: number[] = [];
    for (const c of contacts) ids.push((await enroll(t.ctx, staff, { contactId: c.id, programId: approval.program.id, source: 'application' })).id);
    const attempt = async (fn: () => Promise<unknown>): Promise<void> => {
      await fn().then(
        () => undefined,
        (err: unknown) => expect(err).toBeInstanceOf(ServiceError),
      );
    };
    const [r1, r2, r3] = ids as [number, number, number];
    await attempt(() => enroll(t.ctx, staff, { contactId: contacts[0]?.id ?? 0, programId: approval.program.id, source: 'application' }));
    await attempt(() => setStatus(t.ctx, staff, { id: r1, to: 'Active' }));
    await approveApplication(t.ctx, admin, r1);
    await attempt(() => approveApplication(t.ctx, admin, r1));
    await declineApplication(t.ctx, staff, r2, 'Incomplete file');
    await attempt(() => markAllComplete(t.ctx, staff, { id: r3, reason: 'x' }));
    await setNotes(t.ctx, staff, { id: r3, notes: 'Called on Monday' });
    // A transaction that logged a change and then failed leaves no hole in the numbering.
    await expect(
      t.db.transaction(async (trx) => {
        await logChanges(trx, changesFor('record', 'update', [{ id: r3 }]), 'x');
        throw new Error('power cut');
      }),
    ).rejects.toThrow('power cut');
    const r4 = await enroll(t.ctx, SYSTEM, { contactId: contacts[0]?.id ?? 0, programId: plain.program.id, source: 'back-office' });
    await completeAll(r4.id, plain.required);
    await attempt(() => completeComponent(t.ctx, staff, { recordId: r4.id, componentId: plain.required[0]?.id ?? 0, completedOn: TODAY }));
    await setStatus(t.ctx, admin, { id: r4.id, to: 'Active' });
    await overrideExpiration(t.ctx, staff, { id: r4.id, expiresOn: addDays(TODAY, 3), reason: 'Aligned with the membership year' });
    await attempt(() => setStatus(t.ctx, staff, { id: r4.id, to: 'Expired' }));
    await runSweep(t.ctx);
    await setStatus(t.ctx, staff, { id: r1, to: 'Cancelled', reason: 'Withdrew' });

    const seqs = ((await t.db('change_log').select('seq').orderBy('seq')) as Array<{ seq: number }>).map((r) => r.seq);
    expect(seqs.length).toBeGreaterThan(20);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));

    // Every history row and every outbox row is in the change log.
    const history = (await t.db('record_history').orderBy('id')) as HistoryRow[];
    const loggedHistory = ((await t.db('change_log').where({ entity: 'history' }).select('entity_id')) as Array<{ entity_id: number }>).map((r) => r.entity_id);
    expect(loggedHistory.sort((a, b) => a - b)).toEqual(history.map((h) => h.id));
    const outbox = ((await t.db('outbox').select('id')) as Array<{ id: number }>).map((r) => r.id);
    expect(outbox).toHaveLength(1);
    const loggedOutbox = ((await t.db('change_log').where({ entity: 'outbox' }).select('entity_id')) as Array<{ entity_id: number }>).map((r) => r.entity_id);
    expect(loggedOutbox).toEqual(outbox);

    const users = new Map([
      [staff.id, 'Dana Staff'],
      [admin.id, 'Alex Admin'],
    ]);
    for (const h of history) {
      expect(h.actor_name.length).toBeGreaterThan(0);
      if (h.actor_id === null) expect(h.actor_name).toBe('system');
      else expect(h.actor_name).toBe(users.get(h.actor_id));
    }
    expect(new Set(history.map((h) => h.actor_name))).toEqual(new Set(['Dana Staff', 'Alex Admin', 'system']));
  });

  it('a change that fails partway leaves no record, history, log or email behind', async () => {
    const { program } = await makeProgram(t.ctx, { components: [] });
    const contact = await makeContact(t.ctx);
    const record = await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    await markAllComplete(t.ctx, staff, { id: record.id, reason: 'Done' });
    // A real SQLite failure at the last write of the transaction (the outbox's change-log entry).
    await t.db.raw(`CREATE TRIGGER fail_outbox_log BEFORE INSERT ON change_log WHEN NEW.entity = 'outbox'
      BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END`);
    const before = await snapshot(t.db);
    await expect(overrideExpiration(t.ctx, staff, { id: record.id, expiresOn: addDays(TODAY, 2), reason: 'x' })).rejects.toThrow(/simulated/);
    expect(await snapshot(t.db)).toBe(before);
    expect((await recordRow(record.id)).status).toBe('Active');

    await t.db.raw(`CREATE TRIGGER fail_history BEFORE INSERT ON record_history BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END`);
    const other = await makeContact(t.ctx);
    const before2 = await snapshot(t.db);
    await expect(enroll(t.ctx, staff, { contactId: other.id, programId: program.id, source: 'back-office' })).rejects.toThrow(/simulated/);
    expect(await snapshot(t.db)).toBe(before2);
    await t.db.raw('DROP TRIGGER fail_history');
    await t.db.raw('DROP TRIGGER fail_outbox_log');
    // The numbering continues without a hole after the failures.
    await enroll(t.ctx, staff, { contactId: other.id, programId: program.id, source: 'back-office' });
    const seqs = ((await t.db('change_log').select('seq').orderBy('seq')) as Array<{ seq: number }>).map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});

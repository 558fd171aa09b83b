/**
 * Contacts kept up to date (issue #15): staff correct a contact; the change is
 * in the change log; the Tracking list shows the new name at once, sorts and
 * searches by it. A new contact (form or CSV) with the email or member number
 * of an existing one is refused, naming that contact; never duplicated.
 */
import { describe, expect, it } from 'vitest';
import { previewContactsCsv } from '../../main/import/contacts-csv';
import { createContact, updateContact } from '../../main/services/contacts';
import { ServiceError, type Actor } from '../../main/services/context';
import { enroll } from '../../main/services/records';
import { listTracking, type TrackingQuery } from '../../main/services/tracking';
import { expectLoggedAsStored, logSince, makeProgram, maxSeq, type TestDb } from './support';
import { freshDbEachTest } from './fresh-each-test';

let t: TestDb;
let staff: Actor;

freshDbEachTest((db, user) => {
  t = db;
  staff = user;
});

const byName = (search?: string): TrackingQuery => ({
  quick: { kind: 'all' },
  search,
  sort: { column: 'contactName', direction: 'asc' },
  page: 1,
  pageSize: 50,
});

async function refusal(p: Promise<unknown>): Promise<ServiceError> {
  const error = await p.then(() => null).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ServiceError);
  return error as ServiceError;
}

describe('editing a contact', () => {
  it('renames: logged, the list shows the new name at once, sorted and found by it', async () => {
    const { program } = await makeProgram(t.ctx);
    const joan = await createContact(t.ctx, { firstName: 'Joan', lastName: 'Adams', email: 'joan@example.org', memberNumber: 'M-1' });
    const bob = await createContact(t.ctx, { firstName: 'Bob', lastName: 'Baker', email: 'bob@example.org' });
    await enroll(t.ctx, staff, { contactId: joan.id, programId: program.id, source: 'back-office' });
    await enroll(t.ctx, staff, { contactId: bob.id, programId: program.id, source: 'back-office' });
    expect((await listTracking(t.db, byName())).rows.map((r) => r.contactName)).toEqual(['Joan Adams', 'Bob Baker']);

    const seq = await maxSeq(t.db);
    const edited = await updateContact(t.ctx, {
      id: joan.id,
      firstName: 'Joan',
      lastName: 'Zeller',
      email: 'joan.zeller@example.org',
      memberNumber: 'M-1',
      organization: 'Acme',
      phone: '+1 555 0100',
    });
    expect(edited).toMatchObject({ last_name: 'Zeller', email: 'joan.zeller@example.org', organization: 'Acme', name_key: 'zeller joan' });
    expect((await listTracking(t.db, byName())).rows.map((r) => r.contactName)).toEqual(['Bob Baker', 'Joan Zeller']);
    expect((await listTracking(t.db, byName('zeller'))).rows.map((r) => r.contactName)).toEqual(['Joan Zeller']);
    expect((await listTracking(t.db, byName('adams'))).total).toBe(0);
    const log = await logSince(t.db, seq);
    expect(log.map((e) => `${e.entity} ${e.op}`)).toEqual(['contact update', 'record update']);
    await expectLoggedAsStored(t.db, log[0]!, 'contacts');
  });

  it('refuses another contact’s email or member number, naming them, and an empty name; nothing changes', async () => {
    const joan = await createContact(t.ctx, { firstName: 'Joan', lastName: 'Adams', email: 'joan@example.org', memberNumber: 'M-1' });
    await createContact(t.ctx, { firstName: 'Bob', lastName: 'Baker', email: 'bob@example.org', memberNumber: 'M-2' });
    const seq = await maxSeq(t.db);
    const base = { id: joan.id, firstName: 'Joan', lastName: 'Adams', email: 'joan@example.org', memberNumber: 'M-1' };
    expect((await refusal(updateContact(t.ctx, { ...base, email: 'BOB@example.org' }))).message).toBe(
      'Bob Baker (member M-2) already has the email bob@example.org; open that contact instead of adding another.',
    );
    expect((await refusal(updateContact(t.ctx, { ...base, memberNumber: 'M-2' }))).message).toBe(
      'Member number M-2 belongs to Bob Baker; open that contact instead of adding another.',
    );
    expect((await refusal(updateContact(t.ctx, { ...base, firstName: ' ', lastName: '' }))).message).toBe('A contact needs a name.');
    expect(await logSince(t.db, seq)).toEqual([]);
    // Saving a contact as it is writes nothing.
    await updateContact(t.ctx, base);
    expect(await logSince(t.db, seq)).toEqual([]);
  });
});

describe('no silent duplicates', () => {
  it('a new contact from the form with an existing email (any case) or member number is refused, naming the contact', async () => {
    await createContact(t.ctx, { firstName: 'Joan', lastName: 'Adams', email: 'joan@example.org', memberNumber: 'M-1' });
    expect((await refusal(createContact(t.ctx, { firstName: 'Joan', lastName: 'Adams', email: 'Joan@Example.org' }))).message).toBe(
      'Joan Adams (member M-1) already has the email joan@example.org; open that contact instead of adding another.',
    );
    expect((await refusal(createContact(t.ctx, { firstName: 'J', lastName: 'A', memberNumber: 'M-1' }))).code).toBe('CONFLICT');
    expect(await t.db('contacts').count({ n: '*' })).toEqual([{ n: 1 }]);
    // No email is no duplicate.
    await createContact(t.ctx, { firstName: 'A', lastName: 'One' });
    await createContact(t.ctx, { firstName: 'A', lastName: 'Two' });
  });

  it('a new contact from a CSV with an existing email, or an email of an earlier new row, is rejected naming the contact', async () => {
    await createContact(t.ctx, { firstName: 'Joan', lastName: 'Adams', email: 'joan@example.org', memberNumber: 'M-1' });
    const preview = await previewContactsCsv(t.db, {
      text: 'First Name,Last Name,Email,Member Number\nJoanne,Adams,JOAN@example.org,M-9\nAnn,Lee,ann@example.org,\nAnnie,Lee,ann@example.org,M-10\nJoan,Adams,joan@example.org,M-1\n',
    });
    expect(preview.rows).toEqual({ new: 1, changed: 0, unchanged: 1, rejected: 2 });
    expect(preview.rejected).toEqual([
      {
        line: 2,
        reason: "Email JOAN@example.org belongs to Joan Adams (member M-1); give this row that contact's member number to update them, or leave it out.",
      },
      { line: 4, reason: 'Email ann@example.org is also on line 3, a new contact; only the first of them is imported.' },
    ]);
  });
});

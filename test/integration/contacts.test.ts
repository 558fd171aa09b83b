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
import { captured, explain } from './query-plan-support';

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
    // Joan is being corrected, not added: the refusal does not say "instead of adding another".
    expect((await refusal(updateContact(t.ctx, { ...base, email: 'BOB@example.org' }))).message).toBe(
      'Bob Baker (member M-2) already has the email bob@example.org; two contacts cannot share an email.',
    );
    expect((await refusal(updateContact(t.ctx, { ...base, memberNumber: 'M-2' }))).message).toBe(
      'Member number M-2 belongs to Bob Baker; two contacts cannot share a member number.',
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

describe('emails in any letter case, beyond A–Z', () => {
  // SQLite's lower() folds only A–Z: a stored "ZOË@…" stays "zoË@…" there, so the match is made on the folded key and in JavaScript.
  it('the form refuses a new contact, or an edit, whose email is an existing one in other non-ASCII case, naming the contact', async () => {
    await createContact(t.ctx, { firstName: 'Zoë', lastName: 'Öztürk', email: 'ZOË@Example.org', memberNumber: 'M-1' });
    const other = await createContact(t.ctx, { firstName: 'Zoe', lastName: 'Other', email: 'zoe@example.org' });
    expect((await refusal(createContact(t.ctx, { firstName: 'Z', lastName: 'Ö', email: 'zoë@example.org' }))).message).toBe(
      'Zoë Öztürk (member M-1) already has the email ZOË@Example.org; open that contact instead of adding another.',
    );
    expect((await refusal(updateContact(t.ctx, { id: other.id, firstName: 'Zoe', lastName: 'Other', email: 'Zoë@example.org' }))).message).toBe(
      'Zoë Öztürk (member M-1) already has the email ZOË@Example.org; two contacts cannot share an email.',
    );
    // The same letters without the accent are another address: not a duplicate (the folded key only finds the candidates).
    await createContact(t.ctx, { firstName: 'Zoey', lastName: 'Third', email: 'zoè@example.org' });
    expect(await t.db('contacts').orderBy('id').pluck('email')).toEqual(['ZOË@Example.org', 'zoe@example.org', 'zoè@example.org']);
  });

  it('a contacts CSV row with an existing email in other non-ASCII case is rejected naming the contact; two new rows that differ only in case are one email', async () => {
    await createContact(t.ctx, { firstName: 'Zoë', lastName: 'Öztürk', email: 'ZOË@EXAMPLE.ORG', memberNumber: 'M-1' });
    const preview = await previewContactsCsv(t.db, {
      text: 'First Name,Last Name,Email,Member Number\nZed,Other,zoë@example.org,M-9\nÅsa,Berg,ÅSA@example.org,\nAsa,Bergman,åsa@example.org,M-10\nBo,Ek,bo@example.org,M-11\n',
    });
    expect(preview.rejected).toEqual([
      {
        line: 2,
        reason: "Email zoë@example.org belongs to Zoë Öztürk (member M-1); give this row that contact's member number to update them, or leave it out.",
      },
      { line: 4, reason: 'Email åsa@example.org is also on line 3, a new contact; only the first of them is imported.' },
    ]);
    expect(preview.rows).toEqual({ new: 2, changed: 0, unchanged: 0, rejected: 2 });
  });

  it('the duplicate check and the contacts CSV find email holders on the email_key index, never by scanning every contact', async () => {
    await createContact(t.ctx, { firstName: 'Zoë', lastName: 'Öztürk', email: 'ZOË@EXAMPLE.ORG', memberNumber: 'M-1' });
    const queries = [
      ...(await captured(t.db, () => createContact(t.ctx, { firstName: 'A', lastName: 'B', email: 'a@example.org' }))),
      ...(await captured(t.db, () => previewContactsCsv(t.db, { text: 'First Name,Last Name,Email\nZed,Other,zoë@example.org\n' }))),
      // The lookups by email (the CSV then reads the contacts it found by id, with their email column).
    ].filter((q) => /from `contacts`/i.test(q.sql) && /\bwhere\b.*email/i.test(q.sql));
    expect(queries.length).toBe(2);
    for (const q of queries) {
      const plan = (await explain(t.db, q)).map((r) => r.detail);
      expect(plan.join('\n')).toContain('contacts_email_key');
      expect(plan.filter((d) => /^SCAN (contacts|c)\b/.test(d))).toEqual([]);
    }
  });
});

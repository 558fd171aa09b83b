/**
 * A filtered Tracking list shows its rows before its total (issue 17: "Inactive OR a certification OR
 * organization contains 'health'" matches ~390,000 records at a million, ~185 ms to count, while its
 * first page is found by walking the name order in ~2 ms). Through the IPC door on a real SQLite file:
 * `tracking.page` answers the rows and, when the total is not known, null; `tracking.total` counts it;
 * the pages are the counted list's pages; the total comes with the page once counted, and never
 * survives a write: after an insert, a status change or a contact's new organization the page has no
 * total until it is counted again, and that count equals a fresh count of the file.
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../main/backend';
import type { TrackingPage } from '../../main/services/tracking';
import { SYSTEM, type ServiceContext } from '../../main/services/context';
import { createContact, updateContact } from '../../main/services/contacts';
import { enroll, setStatus } from '../../main/services/records';
import { ok, signedInAdmin } from './door';
import { makeProgram } from './support';

let backend: Backend;
let ctx: ServiceContext;
let programA: number;
let programB: number;
const contactIds: number[] = [];

const ORGANIZATIONS = ['Lakeside Health Partners', 'City Library', 'HEALTHWISE Clinic', 'Ferry Works', ''];
/** Three contacts' whose names sort last (four records): too few for a short walk from the first name to find a page of one. */
const RARE = 'Rare Books Society';

const broad = (): unknown => ({
  combinator: 'or',
  rules: [
    { field: 'status', operator: '=', value: 'Inactive' },
    { field: 'certification', operator: '=', value: programB },
    { field: 'organization', operator: 'contains', value: 'health' },
  ],
});
const rare = { combinator: 'and', rules: [{ field: 'organization', operator: 'contains', value: 'rare books' }] };

const selection = (filter: unknown, search = '') => ({ quick: { kind: 'all' }, filter, search });
const pageInput = (filter: unknown, page: number, direction: 'asc' | 'desc' = 'asc', search = '', pageSize = 10) => ({
  ...selection(filter, search),
  sort: { column: 'contactName', direction },
  page,
  pageSize,
});

const page = async (filter: unknown, n: number, direction: 'asc' | 'desc' = 'asc', search = '', pageSize = 10): Promise<TrackingPage> =>
  ok<TrackingPage>(await backend.invoke('tracking.page', pageInput(filter, n, direction, search, pageSize)));
const total = async (filter: unknown, search = ''): Promise<number> =>
  ok<{ total: number }>(await backend.invoke('tracking.total', selection(filter, search))).total;
const listed = async (filter: unknown, n: number, direction: 'asc' | 'desc' = 'asc', search = '', pageSize = 10) =>
  ok<{ rows: Array<{ id: number }>; total: number }>(await backend.invoke('tracking.list', pageInput(filter, n, direction, search, pageSize)));

/** The broad filter counted afresh on the file, in SQL written for this test. */
async function freshCount(): Promise<number> {
  const [row] = (await ctx.db.raw(
    `SELECT count(*) AS n FROM records r WHERE r.status = 'Inactive' OR r.program_id = ?
       OR r.contact_id IN (SELECT id FROM contacts WHERE lower(organization) LIKE '%health%')`,
    [programB],
  )) as Array<{ n: number }>;
  return Number(row?.n);
}

/** A fresh backend (the door closes it after each test) with the contacts and records below. */
async function setUp(): Promise<void> {
  contactIds.length = 0;
  backend = await signedInAdmin();
  ctx = backend.context.services;
  programA = (await makeProgram(ctx)).program.id;
  programB = (await makeProgram(ctx)).program.id;
  // 120 contacts in name order (Member000…), a third of them in health organizations, every fourth also in B.
  for (let i = 0; i < 120; i++) {
    const contact = await createContact(ctx, {
      firstName: 'Ana',
      lastName: `Member${String(i).padStart(3, '0')}`,
      email: `ana${i}@example.org`,
      organization: i >= 114 && i % 2 === 0 ? RARE : (ORGANIZATIONS[i % ORGANIZATIONS.length] as string),
    });
    contactIds.push(contact.id);
    for (const programId of i % 4 === 0 ? [programA, programB] : [programA])
      await enroll(ctx, SYSTEM, { contactId: contact.id, programId, source: 'back-office' });
  }
}

describe('a filtered list: the rows first, the total after', () => {
  it("a broad filter's first page comes without its total; the pages are the counted list's and the count is then kept for them", async () => {
    await setUp();
    const first = await page(broad(), 1);
    expect(first.total, 'not counted for the first page').toBeNull();
    expect(first.rows).toHaveLength(10);
    const counted = await total(broad());
    expect(counted).toBe(await freshCount());
    for (const direction of ['asc', 'desc'] as const) {
      const ids: number[] = [];
      for (let n = 1; (n - 1) * 10 < counted; n++) {
        const got = await page(broad(), n, direction);
        expect(got.total, `page ${n} ${direction}: the kept total`).toBe(counted);
        const reference = await listed(broad(), n, direction);
        expect(got.rows.map((r) => r.id)).toEqual(reference.rows.map((r) => r.id));
        ids.push(...got.rows.map((r) => r.id));
      }
      expect(new Set(ids).size, `${direction}: every matching record once`).toBe(counted);
    }
    // Past the end: no rows, the total.
    expect(await page(broad(), Math.ceil(counted / 10) + 1)).toEqual({ rows: [], total: counted });
  });

  it('after an insert, a status change or a new organization, the page has no total until counted again, and the count is a fresh one', async () => {
    await setUp();
    const writes: Array<[string, () => Promise<unknown>]> = [
      [
        'a new contact in a health organization, enrolled',
        async () => {
          const contact = await createContact(ctx, { firstName: 'Ana', lastName: 'Member500', email: 'late@example.org', organization: 'Hillside Health' });
          await enroll(ctx, SYSTEM, { contactId: contact.id, programId: programA, source: 'back-office' });
        },
      ],
      [
        'a record of A, outside the filter, marked Inactive',
        async () => {
          const outside = contactIds[1] as number; // City Library, A only
          const [record] = (await ctx.db('records').where({ contact_id: outside, program_id: programA }).select('id')) as Array<{ id: number }>;
          await setStatus(ctx, SYSTEM, { id: record?.id as number, to: 'Inactive', reason: 'No longer working towards it' });
        },
      ],
      [
        'a contact leaving a health organization',
        async () => {
          const leaving = contactIds[2] as number; // HEALTHWISE Clinic, A only
          const stored = (await ctx.db('contacts').where({ id: leaving }).first()) as { first_name: string; last_name: string; email: string };
          await updateContact(ctx, { id: leaving, firstName: stored.first_name, lastName: stored.last_name, email: stored.email, organization: 'Ferry Works' });
        },
      ],
    ];
    let before = await total(broad());
    expect((await page(broad(), 2)).total, 'counted: the page knows it').toBe(before);
    for (const [what, write] of writes) {
      await write();
      const fresh = await freshCount();
      expect(fresh, `${what} changes the count`).not.toBe(before);
      expect((await page(broad(), 1)).total, `${what}: the kept total is not shown`).toBeNull();
      expect((await page(broad(), 2)).total, `${what}: nor on the next page`).toBeNull();
      expect(await total(broad()), what).toBe(fresh);
      expect((await page(broad(), 2)).total, `${what}: counted again, kept`).toBe(fresh);
      before = fresh;
    }
  });

  it('a page that is not full ends the list: its total comes with it (nothing matching: 0)', async () => {
    await setUp();
    const few = { combinator: 'and', rules: [{ field: 'status', operator: '=', value: 'Inactive' }] };
    const [n] = (await ctx.db('records').where({ status: 'Inactive' }).count({ n: '*' })) as Array<{ n: number }>;
    expect(Number(n?.n)).toBeLessThan(10);
    expect((await page(few, 1)).total).toBe(Number(n?.n));
    const none = await page({ combinator: 'and', rules: [{ field: 'organization', operator: 'contains', value: 'no such society' }] }, 1);
    expect(none).toEqual({ rows: [], total: 0 });
    const nobody = await page(null, 1, 'asc', 'zzzz');
    expect(nobody).toEqual({ rows: [], total: 0 });
  });

  it('a sparse filter on the contact is counted to find its page: the total comes with the rows', async () => {
    await setUp();
    const [row] = (await ctx.db.raw('SELECT count(*) AS n FROM records r JOIN contacts c ON c.id = r.contact_id WHERE c.organization = ?', [RARE])) as Array<{
      n: number;
    }>;
    const expected = Number(row?.n);
    expect(expected).toBeGreaterThan(1);
    for (const n of [1, 2]) {
      const got = await page(rare, n, 'asc', '', 1);
      expect(got.total, `page ${n}`).toBe(expected);
      expect(got.rows.map((r) => r.id)).toEqual((await listed(rare, n, 'asc', '', 1)).rows.map((r) => r.id));
    }
  });
});

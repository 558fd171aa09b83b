/**
 * The two Customize Filters that grew faster than the data (issue 17), on a real SQLite file:
 * - "organization contains" reads the contacts' trigram index (migration 017), never every contact,
 *   and selects exactly what a substring test of the folded organization selects, through contact
 *   inserts, edits and deletes (the index is kept by triggers);
 * - "expires in the next 30 days AND status in (Active, Expiring)" sorted by name reads its page from
 *   one index (no record row read before the sort).
 * The plans are checked with EXPLAIN QUERY PLAN on the queries `listTracking` sends, without
 * statistics and after ANALYZE, so a new planner choice or a dropped index fails here.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFilterTree } from '../../main/filters/compile';
import type { FilterTree } from '../../main/filters/fields';
import type { ContactRow } from '../../main/domain/rows';
import { foldForSearch } from '../../main/domain/text-search';
import { addDays } from '../../main/rules/calendar';
import { SYSTEM } from '../../main/services/context';
import { createContact, updateContact } from '../../main/services/contacts';
import { enroll } from '../../main/services/records';
import { listTracking } from '../../main/services/tracking';
import { captured, explain } from './query-plan-support';
import { freshDb, makeProgram, type TestDb } from './support';

const TODAY = '2026-03-10';

const ORGANIZATIONS = [
  'Regional Health Partners, Unit 4',
  'HEALTHWISE Clinic',
  'Santé Publique Québec',
  'St. Mary’s Hospital',
  'O\'Neill "Quoted" Society',
  '100% Care_Co',
  'Straße Gesundheit',
  '',
  'Northern Heal Thy',
];

let t: TestDb;
/** Contact id → its organization, as stored now. */
const organizations = new Map<number, string>();
/** Record id → contact id. */
const contactOf = new Map<number, number>();

function tree(input: unknown): FilterTree {
  const checked = validateFilterTree(input);
  if (!checked.ok) throw new Error(checked.message);
  return checked.tree;
}

const organizationRule = (operator: string, value: string): FilterTree => tree({ combinator: 'and', rules: [{ field: 'organization', operator, value }] });

/** Every record id the list selects (all pages), and its total. */
async function selected(filter: FilterTree): Promise<{ ids: number[]; total: number }> {
  const ids: number[] = [];
  let total = 0;
  for (let page = 1; ; page++) {
    const result = await listTracking(t.db, {
      quick: { kind: 'all' },
      filter,
      sort: { column: 'contactName', direction: 'asc' },
      page,
      pageSize: 25,
      today: TODAY,
    });
    total = result.total;
    ids.push(...result.rows.map((r) => r.id));
    if (result.rows.length < 25) break;
  }
  return { ids: ids.sort((a, b) => a - b), total };
}

/** What "contains" means: the folded organization contains the folded text (and "does not contain" is the rest). */
function expected(operator: 'contains' | 'doesNotContain', value: string): number[] {
  const needle = foldForSearch(value);
  return [...contactOf.entries()]
    .filter(([, contact]) => foldForSearch(organizations.get(contact) ?? '').includes(needle) === (operator === 'contains'))
    .map(([id]) => id)
    .sort((a, b) => a - b);
}

/** The plan of each query `run` sends to the database (other than the kept totals' bookkeeping). */
async function plans(db: Knex, run: () => Promise<unknown>): Promise<Array<{ sql: string; plan: string[] }>> {
  const queries = await captured(db, run);
  const out: Array<{ sql: string; plan: string[] }> = [];
  for (const q of queries.filter((q) => /\bfrom `records`|from \(select/i.test(q.sql))) {
    out.push({ sql: q.sql, plan: (await explain(db, q)).map((r) => r.detail) });
  }
  return out;
}

beforeAll(async () => {
  t = await freshDb({ at: `${TODAY}T15:00:00Z` });
  const one = await makeProgram(t.ctx);
  const two = await makeProgram(t.ctx);
  for (let i = 0; i < 60; i++) {
    const organization = ORGANIZATIONS[i % ORGANIZATIONS.length] as string;
    const contact = await createContact(t.ctx, {
      firstName: `Ana${i}`,
      lastName: `Member${String(i).padStart(2, '0')}`,
      email: `ana${i}@example.org`,
      organization,
    });
    organizations.set(contact.id, organization);
    for (const program of i % 3 === 0 ? [one, two] : [one]) {
      const record = await enroll(t.ctx, SYSTEM, { contactId: contact.id, programId: program.program.id, source: 'back-office' });
      contactOf.set(record.id, contact.id);
    }
  }
  // Some records expiring within 30 days, as Active or Expiring, others later or earlier.
  const ids = [...contactOf.keys()];
  for (const [k, id] of ids.entries()) {
    await t
      .db('records')
      .where({ id })
      .update({ status: k % 4 === 0 ? 'Expiring' : 'Active', expires_on: addDays(TODAY, (k % 90) - 20) });
  }
}, 60_000);

afterAll(async () => {
  await t.dispose();
});

describe('organization contains, through the trigram index', () => {
  const values = [
    'health',
    'HEALTH',
    'Heal',
    'alt',
    'he',
    'h',
    'sante',
    'SANTÉ',
    'strasse',
    'unit 4',
    '"quoted"',
    "o'neill",
    '100%',
    'e_c',
    'mary’s',
    'nothing like it',
  ];

  it('selects exactly the records whose contact’s folded organization contains the folded text, and “does not contain” the rest', async () => {
    const wrong: string[] = [];
    for (const value of values) {
      for (const operator of ['contains', 'doesNotContain'] as const) {
        const want = expected(operator, value);
        const got = await selected(organizationRule(operator, value));
        if (JSON.stringify(got.ids) !== JSON.stringify(want) || got.total !== want.length)
          wrong.push(
            `${operator} "${value}": ${got.total} records (${got.ids.slice(0, 5).join(',')}…), expected ${want.length} (${want.slice(0, 5).join(',')}…)`,
          );
      }
    }
    expect(wrong).toEqual([]);
  });

  it('follows a contact’s new organization, a new contact and a deleted one', async () => {
    const [first, second] = [...new Set(contactOf.values())];
    if (first === undefined || second === undefined) throw new Error('no contacts');
    const stored = (await t.db('contacts').where({ id: first }).first()) as ContactRow;
    await updateContact(t.ctx, {
      id: first,
      firstName: stored.first_name,
      lastName: stored.last_name,
      email: stored.email,
      organization: 'Brand New Healthcare Trust',
    });
    organizations.set(first, 'Brand New Healthcare Trust');
    const added = await createContact(t.ctx, { firstName: 'Late', lastName: 'Comer', email: 'late@example.org', organization: 'Lakeside Health' });
    organizations.set(added.id, 'Lakeside Health');
    const record = await enroll(t.ctx, SYSTEM, { contactId: added.id, programId: 1, source: 'back-office' });
    contactOf.set(record.id, added.id);
    // A contact with no records, deleted: its organization leaves the index (a stale entry would fail 'integrity-check').
    const gone = await createContact(t.ctx, { firstName: 'Gone', lastName: 'Away', email: 'gone@example.org', organization: 'Vanishing Health Ltd' });
    await t.db('contacts').where({ id: gone.id }).delete();
    for (const value of ['health', 'healthcare', 'lakeside', 'vanishing']) {
      expect((await selected(organizationRule('contains', value))).ids, value).toEqual(expected('contains', value));
    }
    await expect(t.db.raw("INSERT INTO contact_organization_search (contact_organization_search, rank) VALUES ('integrity-check', 1)")).resolves.toBeDefined();
  });

  for (const stats of ['without statistics', 'after ANALYZE'] as const) {
    it(`an OR with Admin Review and a certification counts and pages without reading every contact (${stats})`, async () => {
      if (stats === 'after ANALYZE') await t.db.raw('ANALYZE');
      const filter = tree({
        combinator: 'or',
        rules: [
          { field: 'status', operator: '=', value: 'Admin Review' },
          { field: 'certification', operator: '=', value: 2 },
          { field: 'organization', operator: 'contains', value: 'health' },
        ],
      });
      // A write first, so the total is counted again (the first view), then the next page.
      await t.db.raw('UPDATE settings SET value = value WHERE key = (SELECT min(key) FROM settings)');
      const found = await plans(t.db, async () => {
        for (const page of [1, 2])
          await listTracking(t.db, { quick: { kind: 'all' }, filter, sort: { column: 'contactName', direction: 'asc' }, page, pageSize: 10, today: TODAY });
      });
      expect(
        found.some((q) => /count\(\*\)/.test(q.sql)),
        'the first view counts',
      ).toBe(true);
      for (const q of found) {
        expect(
          q.plan.filter((d) => /^SCAN (fc|c|contacts)\b/.test(d)),
          q.sql,
        ).toEqual([]);
      }
      // The count gathers the matching contacts from the trigram index; each page walks the name order and
      // tests each record it passes by its own contact (gathering half the contacts first cost 100 ms at 1M).
      const counts = found.filter((q) => /count\(\*\)/.test(q.sql));
      const pages = found.filter((q) => /as `page`/.test(q.sql));
      expect(pages, 'two pages').toHaveLength(2);
      for (const q of counts)
        expect(
          q.plan.some((d) => /VIRTUAL TABLE INDEX \d+:M/.test(d)),
          `the count reads the trigram index: ${q.sql}`,
        ).toBe(true);
      for (const q of pages) {
        const plan = `${q.sql}\n${q.plan.join('\n')}`;
        expect(
          q.plan.some((d) => /VIRTUAL TABLE/.test(d)),
          `the page gathers no contacts: ${plan}`,
        ).toBe(false);
        expect(q.plan, `the page looks up each record's contact: ${plan}`).toContainEqual(expect.stringMatching(/^SEARCH fc USING INTEGER PRIMARY KEY/));
        expect(q.plan, `the page walks the name order: ${plan}`).toContainEqual(expect.stringMatching(/^SCAN r USING COVERING INDEX records_sort_name_index/));
      }
    });
  }
});

describe('expires in the next 30 days AND status in (Active, Expiring), by name', () => {
  it('reads each page from one index: no record row is read before the sort', async () => {
    const filter = tree({
      combinator: 'and',
      rules: [
        { field: 'expiresOn', operator: 'inNextDays', value: 30 },
        { field: 'status', operator: 'in', value: ['Active', 'Expiring'] },
      ],
    });
    for (const stats of ['without statistics', 'after ANALYZE'] as const) {
      if (stats === 'after ANALYZE') await t.db.raw('ANALYZE');
      const found = await plans(t.db, async () => {
        for (const page of [1, 2])
          await listTracking(t.db, { quick: { kind: 'all' }, filter, sort: { column: 'contactName', direction: 'asc' }, page, pageSize: 10, today: TODAY });
      });
      const pages = found.filter((q) => /as `page`/.test(q.sql));
      expect(pages.length, stats).toBeGreaterThan(0);
      for (const q of pages) {
        const walks = q.plan.filter((d) => /^(SCAN|SEARCH) r\b/.test(d) && !/INTEGER PRIMARY KEY/.test(d));
        expect(walks, `${stats}: ${q.sql}`).toEqual([expect.stringMatching(/USING COVERING INDEX records_status_expires_cover\b/)]);
      }
    }
  });
});

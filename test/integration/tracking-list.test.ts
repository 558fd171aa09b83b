/**
 * The Tracking list's search box finds contacts by any words of their name,
 * in any order, case-folded beyond ASCII. The list keeps the total of a filtered list while nothing is
 * written (paging and re-sorting do not recount); any write — through the
 * services, in a rolled-back transaction, or from another connection to the
 * file — makes the next page count again, so staff never see a stale total.
 * A filtered page is the same rows whether it was found by walking the list
 * order (and falling back when the matches sort late) or by gathering them all.
 */
import sqlite3 from 'sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateFilterTree } from '../../main/filters/compile';
import { SYSTEM } from '../../main/services/context';
import { enroll, setStatus } from '../../main/services/records';
import { listTracking, type TrackingQuery } from '../../main/services/tracking';
import { freshDb, makeContact, makeProgram, type TestDb } from './support';

const TODAY = '2026-03-10';

let t: TestDb;
let recordIds: number[];

const onHold = (page = 1): TrackingQuery => ({
  quick: { kind: 'all' },
  filter: { combinator: 'and', rules: [{ field: 'status', operator: '=', value: 'In Progress' }] },
  today: TODAY,
  sort: { column: 'contactName', direction: 'asc' },
  page,
  pageSize: 2,
});

beforeEach(async () => {
  t = await freshDb();
  const { program } = await makeProgram(t.ctx, { requireApproval: false });
  recordIds = [];
  for (const name of ['Abara', 'Berg', 'Chen', 'Dubois', 'Ångström']) {
    const contact = await makeContact(t.ctx, name);
    recordIds.push((await enroll(t.ctx, SYSTEM, { contactId: contact.id, programId: program.id, source: 'back-office' })).id);
  }
});

afterEach(async () => {
  await t.dispose();
});

describe('the total of a filtered list', () => {
  it('is the same on every page, and follows a status change at once', async () => {
    expect((await listTracking(t.db, onHold(1))).total).toBe(5);
    expect((await listTracking(t.db, onHold(2))).total).toBe(5);
    const past = await listTracking(t.db, onHold(9));
    expect(past).toEqual({ rows: [], total: 5 });

    await setStatus(t.ctx, SYSTEM, { id: recordIds[0] as number, to: 'Inactive', reason: 'On leave' });
    const after = await listTracking(t.db, onHold(1));
    expect(after.total).toBe(4);
    expect(after.rows.map((r) => r.id)).not.toContain(recordIds[0]);
    expect((await listTracking(t.db, onHold(9))).total).toBe(4);
  });

  it('is counted again after a write from another connection to the same file', async () => {
    expect((await listTracking(t.db, onHold(1))).total).toBe(5);
    await new Promise<void>((resolve, reject) => {
      const other = new sqlite3.Database(t.file, (openError) => {
        if (openError) return reject(openError);
        other.run("UPDATE records SET status = 'Inactive' WHERE id = ?", [recordIds[1]], (err) => {
          other.close(() => (err ? reject(err) : resolve()));
        });
      });
    });
    expect((await listTracking(t.db, onHold(1))).total).toBe(4);
  });
});

describe('the search box', () => {
  const search = async (text: string): Promise<string[]> =>
    (await listTracking(t.db, { ...onHold(1), filter: null, pageSize: 50, search: text })).rows.map((r) => r.contactName.split(' ').at(-1) ?? '');

  it('matches fragments of any word of the name, in any order and case', async () => {
    expect(await search('ber')).toEqual(['Berg']);
    expect(await search('ÅNGSTR')).toEqual(['Ångström']);
    expect(await search('ångström pat')).toEqual(['Ångström']);
    expect(await search('  dub   PAT ')).toEqual(['Dubois']);
    // Å sorts (and is found) as A: the name key folds accents away.
    expect(await search('a')).toEqual(['Abara', 'Ångström', 'Berg', 'Chen', 'Dubois']);
    expect(await search('angstrom')).toEqual(['Ångström']);
    expect(await search('zz')).toEqual([]);
    expect((await listTracking(t.db, { ...onHold(1), filter: null, search: '%' })).total).toBe(0);
  });
});

describe('a filtered page, found by walking the list order or by gathering every match', () => {
  it('is the same rows on every page, whether the matches are spread along the order or all sort last', async () => {
    // 1,000 records in list order by name: 200 "Zz…" names sort last, 150 "Mm…" ones are spread in between.
    const at = '2026-03-01T10:00:00.000Z';
    const { program } = await makeProgram(t.ctx, { requireApproval: false });
    const names = Array.from({ length: 1000 }, (_, i) =>
      i >= 800 ? `Zz${String(i).padStart(4, '0')}` : i % 5 === 0 && i < 750 ? `Mm${String(i).padStart(4, '0')}` : `Name${String(i).padStart(4, '0')}`,
    );
    const contactIds: number[] = [];
    for (let i = 0; i < names.length; i += 200) {
      const rows = names.slice(i, i + 200).map((last, k) => ({
        first_name: 'Pat',
        last_name: last,
        email: `p${i + k}@example.org`,
        name_key: `${last.toLowerCase()} pat`,
        email_key: `p${i + k}@example.org`,
        created_at: at,
        updated_at: at,
      }));
      contactIds.push(...((await t.db('contacts').insert(rows).returning('id')) as Array<{ id: number }>).map((r) => r.id));
    }
    const records = contactIds.map((id, i) => ({
      contact_id: id,
      program_id: program.id,
      status: i % 3 === 0 ? 'Active' : 'In Progress',
      sort_name: `${(names[i] as string).toLowerCase()} pat`,
      expires_on: i % 3 === 0 ? `2027-${String((i % 12) + 1).padStart(2, '0')}-15` : null,
      created_at: at,
      updated_at: at,
    }));
    for (let i = 0; i < records.length; i += 200) await t.db('records').insert(records.slice(i, i + 200));

    const filters: unknown[] = [
      { combinator: 'and', rules: [{ field: 'contactName', operator: 'contains', value: 'zz' }] },
      { combinator: 'and', rules: [{ field: 'contactName', operator: 'contains', value: 'mm' }] },
      {
        combinator: 'or',
        rules: [
          { field: 'status', operator: '=', value: 'Active' },
          { field: 'email', operator: 'contains', value: '7@' },
        ],
      },
      {
        combinator: 'and',
        rules: [
          { field: 'expiresOn', operator: 'notNull' },
          { field: 'email', operator: 'contains', value: '1' },
        ],
      },
    ];
    for (const input of filters) {
      const checked = validateFilterTree(input);
      if (!checked.ok) throw new Error(checked.message);
      const filter = checked.tree;
      for (const column of ['contactName', 'expiresOn'] as const) {
        const query = { quick: { kind: 'all' } as const, filter, today: TODAY, sort: { column, direction: 'asc' as const }, pageSize: 20 };
        const reference = (await listTracking(t.db, { ...query, page: 1, pageSize: 5000 })).rows.map((r) => r.id);
        expect(reference.length, JSON.stringify(filter)).toBeGreaterThan(20);
        const pages = Math.ceil(reference.length / 20);
        for (const page of [1, 2, pages, pages + 1]) {
          const { rows, total } = await listTracking(t.db, { ...query, page });
          expect(total).toBe(reference.length);
          expect(
            rows.map((r) => r.id),
            `${JSON.stringify(filter)} by ${column}, page ${page}`,
          ).toEqual(reference.slice((page - 1) * 20, page * 20));
        }
      }
    }
    // The search box, whose matches all sort last.
    const searched = await listTracking(t.db, {
      quick: { kind: 'all' },
      search: 'zz pat',
      sort: { column: 'contactName', direction: 'asc' },
      page: 1,
      pageSize: 20,
    });
    expect(searched.total).toBe(200);
    expect(searched.rows.map((r) => r.contactName)).toEqual(names.slice(800, 820).map((n) => `Pat ${n}`));
  });
});

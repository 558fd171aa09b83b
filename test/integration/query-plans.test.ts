/**
 * The Tracking page's queries stay on indexes (migrations 003 and 005):
 * every query the list runs — each Quick Filter sorted by every column of
 * SORT_COLUMNS in both directions, first and a later page, its total — and the
 * status counts,
 * checked with EXPLAIN QUERY PLAN on a real SQLite file. A query fails the
 * check when its plan scans the records table without an index, or when it
 * sorts every matching row instead of walking an index in list order.
 *
 * The queries are the ones `listTracking` and `trackingCounts` actually send,
 * captured from knex, so a change in either is checked as well. Plans are
 * checked without statistics (a new database), after ANALYZE, and with the
 * statistics `PRAGMA optimize` (run at every close) leaves on the benchmark's
 * database: its sampled estimates make the planner think a certification
 * holds 2,000 records instead of 25,000, which is what tempts it to loop over
 * the certifications and sort.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../main/db/migrations';
import { validateFilterTree } from '../../main/filters/compile';
import { addDays } from '../../main/rules/calendar';
import { STATUSES } from '../../main/rules/statuses';
import { nameKey } from '../../main/domain/contact';
import { EMPTIABLE_SORTS, listTracking, pageTracking, SORT_COLUMNS, trackingCounts } from '../../main/services/tracking';
import { type QuickFilter, type SortColumn } from '../../main/services/tracking';
import { captured, explain, STATISTICS, useStatistics, type Query } from './query-plan-support';
import { freshDb, makeProgram, type TestDb } from './support';

const TODAY = '2026-03-10';

/** A loop over records (or their kept sort keys) that is not a lookup of single rows by id. */
const walksRecords = (detail: string): boolean => /^(SCAN|SEARCH) (r|records|k|record_sort_keys)\b/.test(detail) && !/USING INTEGER PRIMARY KEY/.test(detail);

/**
 * What is wrong with a query's plan, in words (empty: nothing): a scan of
 * records that uses no index, or, in a query with LIMIT, a temporary b-tree
 * ordering rows at the level that walks records (it sorts every matching row
 * where an index in list order would stop after the page; "for last term":
 * an index on the column and another orders ties by that other column, so
 * every record of a value is sorted by id, all of a status when sorted by
 * status). Sorting only the rows of a page, after a subquery picked their ids, is fine.
 */
async function planProblems(db: Knex, query: Query): Promise<string[]> {
  const plan = await explain(db, query);
  const page = /\blimit\b/i.test(query.sql);
  const problems: string[] = [];
  for (const row of plan) {
    if (/^SCAN (r|records|k|record_sort_keys)\b/.test(row.detail) && !/USING (COVERING )?INDEX/.test(row.detail))
      problems.push(`full scan of records (${row.detail})`);
    if (
      page &&
      /USE TEMP B-TREE FOR (RIGHT PART OF |LAST TERM OF )?ORDER BY/.test(row.detail) &&
      plan.some((other) => other.parent === row.parent && walksRecords(other.detail))
    ) {
      problems.push(`sorts every matching row (${row.detail})`);
    }
  }
  return problems.map((p) => `${p} in: ${query.sql}`);
}

const QUICK_FILTERS = (programId: number): Array<[string, QuickFilter]> => [
  ['all', { kind: 'all' }],
  ...STATUSES.map((status): [string, QuickFilter] => [status, { kind: 'status', status }]),
  ['certification', { kind: 'program', programId }],
];

/** Every column the list can sort on: a column added there without its indexes fails the checks below. */
const SORTS = Object.keys(SORT_COLUMNS) as SortColumn[];
const DIRECTIONS = ['asc', 'desc'] as const;
/** The sorts a filtered first page walks in list order (the others gather the matches). */
const WALK_SORTS: SortColumn[] = ['contactName', 'expiresOn'];

/** Every query of the list for one Quick Filter and sort (first and third page), and of the counts. */
async function listQueries(db: Knex, quick: QuickFilter, column: SortColumn, direction: 'asc' | 'desc' = 'asc'): Promise<Query[]> {
  return captured(db, async () => {
    for (const page of [1, 3]) await listTracking(db, { quick, sort: { column, direction }, page, pageSize: 50, today: TODAY });
  });
}

let t: TestDb;
let programId: number;

beforeAll(async () => {
  t = await freshDb();
  const first = await makeProgram(t.ctx);
  await makeProgram(t.ctx, { expiration: { kind: 'never' } });
  programId = first.program.id;
  // A few hundred records over every status, some without an expiration date, through plain inserts.
  const at = '2026-03-01T10:00:00.000Z';
  const contacts = Array.from({ length: 120 }, (_, i) => {
    const firstName = ['Ana', 'Björn', 'Chloé', 'Dev', 'Eli'][i % 5] as string;
    const lastName = `Member${String(i).padStart(3, '0')}`;
    return { first_name: firstName, last_name: lastName, email: `m${i}@example.org`, name_key: nameKey(firstName, lastName), created_at: at, updated_at: at };
  });
  const ids = (await t.db('contacts').insert(contacts).returning('id')) as Array<{ id: number }>;
  const programs = [programId, programId + 1];
  const records = ids.flatMap(({ id }, i) =>
    programs.map((program, k) => {
      const status = STATUSES[(i + k * 3) % STATUSES.length] as string;
      const timed = status === 'Active' || status === 'Expiring' || status === 'Expired';
      return {
        contact_id: id,
        program_id: program,
        status,
        sort_name: contacts[i]?.name_key ?? '',
        expires_on: timed && i % 4 !== 0 ? addDays(TODAY, (i % 50) - 10) : null,
        applied_on: i % 3 !== 0 ? addDays(TODAY, -(i % 40) - 300) : null,
        started_on: i % 5 !== 1 ? addDays(TODAY, -(i % 30) - 200) : null,
        completed_on: timed ? addDays(TODAY, -(i % 20) - 100) : null,
        required_done: i % 4,
        credits_needed: timed && i % 3 !== 0 ? (i % 7) * 2.5 : null,
        updated_at: `2026-03-0${1 + (i % 9)}T10:00:00.000Z`,
        created_at: at,
      };
    }),
  );
  await t.db('records').insert(records);
});

afterAll(async () => {
  await t.dispose();
});

describe('query plans of the Tracking page', () => {
  it('the performance migration is installed', () => {
    expect(
      MIGRATIONS.map((m) => m.name),
      'add 003_performance to main/db/migrations/index.ts',
    ).toContain('003_performance');
  });

  for (const stats of STATISTICS) {
    describe(stats, () => {
      beforeAll(async () => {
        await useStatistics(t.db, stats);
      });

      it('every Quick Filter, sorted by every sortable column in either direction, pages and counts its total on an index', async () => {
        const problems: string[] = [];
        for (const [label, quick] of QUICK_FILTERS(programId)) {
          for (const column of SORTS) {
            for (const direction of DIRECTIONS) {
              const queries = await listQueries(t.db, quick, column, direction);
              expect(queries.length, `${label} by ${column} ${direction}: the list sent no query`).toBeGreaterThan(1);
              for (const q of queries) problems.push(...(await planProblems(t.db, q)).map((p) => `${label} by ${column} ${direction}: ${p}`));
            }
          }
        }
        expect(problems).toEqual([]);
      });

      it("a broad Customize Filter on the contact walks the list order on its first page, looking up each record's contact, never every contact", async () => {
        const checked = validateFilterTree({
          combinator: 'or',
          rules: [
            { field: 'status', operator: '=', value: 'Admin Review' },
            { field: 'contactName', operator: 'contains', value: 'member' },
          ],
        });
        if (!checked.ok) throw new Error(checked.message);
        for (const column of WALK_SORTS) {
          const queries = await captured(t.db, () =>
            listTracking(t.db, { quick: { kind: 'all' }, filter: checked.tree, sort: { column, direction: 'asc' }, page: 1, pageSize: 50, today: TODAY }),
          );
          const pages = queries.filter((q) => q.sql.includes('as `page`'));
          expect(pages, `by ${column}: one page query`).toHaveLength(1);
          const page = pages[0] as Query;
          expect(await planProblems(t.db, page)).toEqual([]);
          const plan = await explain(t.db, page);
          expect(
            plan.map((p) => p.detail).filter((d) => /^SCAN fc\b|BLOOM FILTER ON fc/.test(d)),
            `by ${column}: ${page.sql}`,
          ).toEqual([]);
        }
      });

      it("a broad filter's page without its total walks the list order, tests each record's own contact and counts nothing", async () => {
        const checked = validateFilterTree({
          combinator: 'or',
          rules: [
            { field: 'status', operator: '=', value: 'Admin Review' },
            { field: 'certification', operator: '=', value: programId },
            { field: 'organization', operator: 'contains', value: 'health' },
          ],
        });
        if (!checked.ok) throw new Error(checked.message);
        for (const direction of DIRECTIONS) {
          // A write first: no total is kept, so the page is found without one.
          await t.db.raw('UPDATE settings SET value = value WHERE key = (SELECT min(key) FROM settings)');
          let answer: { total: number | null } | null = null;
          const queries = await captured(t.db, async () => {
            answer = await pageTracking(t.db, {
              quick: { kind: 'all' },
              filter: checked.tree,
              sort: { column: 'contactName', direction },
              page: 1,
              pageSize: 50,
              today: TODAY,
            });
          });
          expect(answer, direction).toMatchObject({ total: null });
          expect(
            queries.filter((q) => /count\(/i.test(q.sql)),
            `${direction}: no count`,
          ).toEqual([]);
          const pages = queries.filter((q) => q.sql.includes('as `page`'));
          expect(pages, `${direction}: one page query`).toHaveLength(1);
          const page = pages[0] as Query;
          expect(await planProblems(t.db, page)).toEqual([]);
          const plan = (await explain(t.db, page)).map((p) => p.detail);
          expect(plan, `${direction}: ${page.sql}`).toContainEqual(expect.stringMatching(/^SCAN r USING COVERING INDEX records_sort_name_index/));
          expect(plan, `${direction}: ${page.sql}`).toContainEqual(expect.stringMatching(/^SEARCH fc USING INTEGER PRIMARY KEY/));
          expect(
            plan.filter((d) => /^SCAN fc\b|BLOOM FILTER ON fc|VIRTUAL TABLE/.test(d)),
            `${direction}: ${page.sql}`,
          ).toEqual([]);
        }
      });

      it('the status counts read no records table scan', async () => {
        const queries = await captured(t.db, () => trackingCounts(t.db));
        expect(queries.length).toBeGreaterThan(0);
        const problems: string[] = [];
        for (const q of queries) problems.push(...(await planProblems(t.db, q)));
        expect(problems).toEqual([]);
      });
    });
  }

  it('the counts table agrees with the records through inserts, status changes and deletes', async () => {
    const exact = async (): Promise<Array<{ program_id: number; status: string; n: number }>> =>
      (await t.db('records').select('program_id', 'status').count({ n: '*' }).groupBy('program_id', 'status').orderBy(['program_id', 'status'])) as Array<{
        program_id: number;
        status: string;
        n: number;
      }>;
    const kept = async (): Promise<Array<{ program_id: number; status: string; n: number }>> =>
      (await t.db('record_counts').where('n', '>', 0).select('program_id', 'status', 'n').orderBy(['program_id', 'status'])) as Array<{
        program_id: number;
        status: string;
        n: number;
      }>;
    expect(await kept()).toEqual(await exact());
    await t.db.transaction(async (trx) => {
      await trx('records').where('status', 'Active').update({ status: 'Cancelled' });
      await trx('records').where('status', 'Expired').update({ notes: 'not a change of the counts' });
      // A record moves to the other certification (after the contact's record there is deleted).
      const [moving] = (await trx('records').where({ program_id: programId, status: 'Applied' }).select('id', 'contact_id').limit(1)) as Array<{
        id: number;
        contact_id: number;
      }>;
      if (!moving) throw new Error('no Applied record to move');
      await trx('records')
        .where({ contact_id: moving.contact_id, program_id: programId + 1 })
        .delete();
      await trx('records')
        .where({ id: moving.id })
        .update({ program_id: programId + 1, status: 'In Progress' });
      await trx('records').insert({
        contact_id: moving.contact_id,
        program_id: programId,
        status: 'Applied',
        sort_name: 'x',
        created_at: TODAY,
        updated_at: TODAY,
      });
    });
    expect(await kept()).toEqual(await exact());
  });

  it('every sort pages through the list in its order, empty values last in either direction, each record once', async () => {
    type Row = { id: number; status: string; program_id: number; [key: string]: unknown };
    const all = (await t
      .db('records as r')
      .join('contacts as c', 'c.id', 'r.contact_id')
      .join('programs as p', 'p.id', 'r.program_id')
      .select('r.*', 'c.email as email', 'p.name as certification')) as Row[];
    const field: Record<SortColumn, string> = {
      contactName: 'sort_name',
      email: 'email',
      certification: 'certification',
      status: 'status',
      progress: 'required_done',
      appliedOn: 'applied_on',
      startedOn: 'started_on',
      completedOn: 'completed_on',
      expiresOn: 'expires_on',
      updatedAt: 'updated_at',
      creditsNeeded: 'credits_needed',
    };
    // Two contacts' emails changed and a certification renamed: the kept keys follow.
    await t
      .db('contacts')
      .whereIn('id', [3, 7])
      .update({ email: t.db.raw("'0-' || email") });
    for (const row of all) if (row.contact_id === 3 || row.contact_id === 7) row.email = `0-${String(row.email)}`;
    const mismatches: string[] = [];
    for (const [label, quick] of QUICK_FILTERS(programId)) {
      const inScope = all.filter((r) =>
        quick.kind === 'status' ? r.status === quick.status : quick.kind === 'program' ? r.program_id === quick.programId : true,
      );
      for (const column of SORTS) {
        for (const direction of DIRECTIONS) {
          const key = field[column];
          const sign = direction === 'asc' ? 1 : -1;
          const expected = [...inScope]
            .sort((a, b) => {
              const x = a[key] as string | number | null;
              const y = b[key] as string | number | null;
              if (x === null || y === null) return x === y ? sign * (a.id - b.id) : x === null ? 1 : -1;
              return x < y ? -sign : x > y ? sign : sign * (a.id - b.id);
            })
            .map((r) => r.id);
          const seen: number[] = [];
          for (let page = 1; page <= Math.ceil(expected.length / 7) + 1; page++) {
            const { rows, total } = await listTracking(t.db, { quick, sort: { column, direction }, page, pageSize: 7, today: TODAY });
            if (total !== expected.length) mismatches.push(`${label} by ${column} ${direction}: total ${total}, expected ${expected.length}`);
            seen.push(...rows.map((r) => r.id));
          }
          if (JSON.stringify(seen) !== JSON.stringify(expected))
            mismatches.push(`${label} by ${column} ${direction}: ${seen.slice(0, 8).join(',')}… expected ${expected.slice(0, 8).join(',')}…`);
        }
      }
    }
    await t
      .db('contacts')
      .whereIn('id', [3, 7])
      .update({ email: t.db.raw('substr(email, 3)') });
    expect(mismatches).toEqual([]);
  });

  it('the sortable columns that may be empty are the ones the schema lets be empty (they sort empties last)', async () => {
    const nullable = new Set<string>();
    for (const table of ['records', 'record_sort_keys']) {
      const info = (await t.db.raw('SELECT name, "notnull" AS required FROM pragma_table_info(?)', [table])) as Array<{ name: string; required: number }>;
      for (const c of info) if (!c.required) nullable.add(`${table === 'records' ? 'r' : 'k'}.${c.name}`);
    }
    const emptiable = SORTS.filter((column) => nullable.has(SORT_COLUMNS[column]));
    expect(new Set(emptiable)).toEqual(EMPTIABLE_SORTS);
  });

  it("the kept sort keys follow inserts, status changes, moves, a contact's email, a certification's name and deletes", async () => {
    const drift = async (db: Knex): Promise<unknown[]> =>
      (await db.raw(`SELECT r.id, k.record_id FROM records r
        LEFT JOIN record_sort_keys k ON k.record_id = r.id
        LEFT JOIN contacts c ON c.id = r.contact_id
        LEFT JOIN programs p ON p.id = r.program_id
        WHERE k.record_id IS NULL OR k.status IS NOT r.status OR k.program_id IS NOT r.program_id OR k.email IS NOT c.email OR k.certification IS NOT p.name
        UNION ALL SELECT NULL, k.record_id FROM record_sort_keys k WHERE k.record_id NOT IN (SELECT id FROM records)`)) as unknown[];
    expect(await drift(t.db)).toEqual([]);
    const ROLLBACK = new Error('rollback');
    await t.db
      .transaction(async (trx) => {
        await trx('records').where('status', 'Active').update({ status: 'Cancelled' });
        await trx('contacts')
          .where('id', '<', 10)
          .update({ email: trx.raw("'new.' || email") });
        await trx('programs').where('id', programId).update({ name: 'Renamed Certification' });
        const [moving] = (await trx('records').where({ program_id: programId, status: 'Applied' }).select('id', 'contact_id').limit(1)) as Array<{
          id: number;
          contact_id: number;
        }>;
        if (!moving) throw new Error('no Applied record to move');
        await trx('records')
          .where({ contact_id: moving.contact_id, program_id: programId + 1 })
          .delete();
        await trx('records')
          .where({ id: moving.id })
          .update({ program_id: programId + 1 });
        const [other] = (await trx('contacts')
          .insert({ first_name: 'Zed', last_name: 'Moved', email: 'zed@example.org', name_key: 'moved zed', created_at: TODAY, updated_at: TODAY })
          .returning('id')) as Array<{ id: number }>;
        await trx('records').where({ id: moving.id }).update({ contact_id: other?.id });
        await trx('records').insert({
          contact_id: moving.contact_id,
          program_id: programId,
          status: 'Applied',
          sort_name: 'x',
          created_at: TODAY,
          updated_at: TODAY,
        });
        expect(await drift(trx)).toEqual([]);
        throw ROLLBACK;
      })
      .catch((err: unknown) => {
        if (err !== ROLLBACK) throw err;
      });
  });

  it('the check fails when an index the list needs is missing', async () => {
    const problemsOf = async (db: Knex, column: SortColumn = 'progress'): Promise<string> => {
      const problems: string[] = [];
      for (const direction of DIRECTIONS)
        for (const q of await listQueries(db, { kind: 'status', status: 'Active' }, column, direction)) problems.push(...(await planProblems(db, q)));
      return problems.join('\n');
    };
    const ROLLBACK = new Error('rollback');
    let withoutSortIndex = '';
    let withoutKeptIndex = '';
    let withoutStatusOrder = '';
    let withoutExpiresOrder = '';
    let withoutAnyIndex = '';
    await t.db
      .transaction(async (trx) => {
        await trx.raw('DROP INDEX records_status_progress');
        withoutSortIndex = await problemsOf(trx);
        // Longer indexes on the same columns remain, but order ties by another column than the id: every record of the status is sorted.
        await trx.raw('DROP INDEX records_status_order');
        withoutStatusOrder = await problemsOf(trx, 'status');
        // As migration 017's index was: the name after the date, not the id.
        await trx.raw('DROP INDEX records_status_expires_cover');
        await trx.raw('CREATE INDEX records_status_expires_then_name ON records (status, expires_on IS NULL, expires_on, sort_name)');
        withoutExpiresOrder = await problemsOf(trx, 'expiresOn');
        await trx.raw('DROP INDEX record_sort_keys_status_email');
        withoutKeptIndex = await problemsOf(trx, 'email');
        const indexes = (await trx.raw("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL")) as Array<{
          name: string;
        }>;
        for (const { name } of indexes) await trx.raw(`DROP INDEX "${name}"`);
        withoutAnyIndex = await problemsOf(trx);
        throw ROLLBACK;
      })
      .catch((err: unknown) => {
        if (err !== ROLLBACK) throw err;
      });
    expect(withoutSortIndex).toMatch(/sorts every matching row/);
    expect(withoutKeptIndex).toMatch(/sorts every matching row/);
    expect(withoutStatusOrder).toMatch(/sorts every matching row \(USE TEMP B-TREE FOR LAST TERM OF ORDER BY\)/);
    expect(withoutExpiresOrder).toMatch(/sorts every matching row \(USE TEMP B-TREE FOR LAST TERM OF ORDER BY\)/);
    expect(withoutAnyIndex).toMatch(/full scan of records \(SCAN r\)/);
    // Dropped inside a transaction that was rolled back: the indexes are back.
    expect(await problemsOf(t.db)).toBe('');
    expect(await problemsOf(t.db, 'email')).toBe('');
  });
});

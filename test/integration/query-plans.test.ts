/**
 * The Tracking page's queries stay on indexes (migration 003_performance):
 * every query the list runs — each Quick Filter sorted by contact name and by
 * expiration date, first and a later page, its total — and the status counts,
 * checked with EXPLAIN QUERY PLAN on a real SQLite file. A query fails the
 * check when its plan scans the records table without an index, or when it
 * sorts every matching row instead of walking an index in list order.
 *
 * The queries are the ones `listTracking` and `trackingCounts` actually send,
 * captured from knex, so a change in either is checked as well. Plans are
 * checked without statistics (a new database), after ANALYZE, and with the
 * statistics `PRAGMA optimize` (run at every close) leaves on a database of a
 * million records: its sampled estimates make the planner think a certification
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
import { listTracking, trackingCounts } from '../../main/services/tracking';
import { type QuickFilter, type SortColumn } from '../../main/services/tracking';
import { freshDb, makeProgram, type TestDb } from './support';

const TODAY = '2026-03-10';

/** sqlite_stat1 of the benchmark's 1,000,000-record database after `PRAGMA optimize` (npm run bench). */
const MILLION_RECORD_STATS: Array<[string, string, string]> = [
  ['records', 'records_program_expires_order', '1000000 2001 2001 12'],
  ['records', 'records_program_name_order', '1000000 2001 2001 2'],
  ['records', 'records_status_expires_order', '1000000 2001 2001 667'],
  ['records', 'records_status_name_order', '1000000 2001 2001 2'],
  ['records', 'records_expires_order', '1000000 2001 201'],
  ['records', 'records_name_order', '1000000 2001 10'],
  ['records', 'records_contact_id_index', '1000000 5'],
  ['records', 'records_sort_name_index', '1000000 10'],
  ['records', 'records_expires_on_index', '1000000 201'],
  ['records', 'records_contact_id_program_id_unique', '1000000 5 1'],
  ['programs', 'programs_code_unique', '40 1'],
  ['programs', 'programs_central_id_unique', '40 40'],
  ['contacts', 'contacts_email_index', '250000 1'],
  ['contacts', 'contacts_name_key_index', '250000 3'],
  ['contacts', 'contacts_member_number_unique', '250000 1'],
  ['contacts', 'contacts_central_id_unique', '250000 2'],
];

type Statistics = 'without statistics' | 'after ANALYZE' | 'with the statistics of a 1,000,000-record database';

async function useStatistics(db: Knex, stats: Statistics): Promise<void> {
  if (stats === 'without statistics') return;
  await db.raw('ANALYZE');
  if (stats === 'after ANALYZE') return;
  await db.raw('DELETE FROM sqlite_stat1');
  for (const [tbl, idx, stat] of MILLION_RECORD_STATS) await db.raw('INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)', [tbl, idx, stat]);
  // Makes the planner load the statistics just written.
  await db.raw('ANALYZE sqlite_schema');
}

interface Query {
  sql: string;
  bindings: readonly unknown[];
}

/** The SQL `run` sends, in order. */
async function captured(db: Knex, run: () => Promise<unknown>): Promise<Query[]> {
  const queries: Query[] = [];
  const listener = (q: { sql: string; bindings?: readonly unknown[] }): void => void queries.push({ sql: q.sql, bindings: q.bindings ?? [] });
  db.on('query', listener);
  try {
    await run();
  } finally {
    db.off('query', listener);
  }
  return queries;
}

interface PlanRow {
  id: number;
  parent: number;
  detail: string;
}

/** A loop over records that is not a lookup of single rows by id. */
const walksRecords = (detail: string): boolean => /^(SCAN|SEARCH) (r|records)\b/.test(detail) && !/USING INTEGER PRIMARY KEY/.test(detail);

/**
 * What is wrong with a query's plan, in words (empty: nothing): a scan of
 * records that uses no index, or, in a query with LIMIT, a temporary b-tree
 * ordering rows at the level that walks records (it sorts every matching row
 * where an index in list order would stop after the page). Sorting only the
 * rows of a page, after a subquery picked their ids, is fine.
 */
async function planProblems(db: Knex, query: Query): Promise<string[]> {
  const plan = (await db.raw(`EXPLAIN QUERY PLAN ${query.sql}`, query.bindings as Knex.RawBinding[])) as PlanRow[];
  const page = /\blimit\b/i.test(query.sql);
  const problems: string[] = [];
  for (const row of plan) {
    if (/^SCAN (r|records)\b/.test(row.detail) && !/USING (COVERING )?INDEX/.test(row.detail)) problems.push(`full scan of records (${row.detail})`);
    if (page && /USE TEMP B-TREE FOR (RIGHT PART OF )?ORDER BY/.test(row.detail) && plan.some((other) => other.parent === row.parent && walksRecords(other.detail))) {
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

const SORTS: SortColumn[] = ['contactName', 'expiresOn'];

/** Every query of the list for one Quick Filter and sort (first and third page), and of the counts. */
async function listQueries(db: Knex, quick: QuickFilter, column: SortColumn): Promise<Query[]> {
  return captured(db, async () => {
    for (const page of [1, 3]) await listTracking(db, { quick, sort: { column, direction: 'asc' }, page, pageSize: 50, today: TODAY });
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
        created_at: at,
        updated_at: at,
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
    expect(MIGRATIONS.map((m) => m.name), 'add 003_performance to main/db/migrations/index.ts').toContain('003_performance');
  });

  for (const stats of ['without statistics', 'after ANALYZE', 'with the statistics of a 1,000,000-record database'] as const satisfies readonly Statistics[]) {
    describe(stats, () => {
      beforeAll(async () => {
        await useStatistics(t.db, stats);
      });

      it('every Quick Filter, sorted by contact name and by expiration date, pages and counts its total on an index', async () => {
        const problems: string[] = [];
        for (const [label, quick] of QUICK_FILTERS(programId)) {
          for (const column of SORTS) {
            const queries = await listQueries(t.db, quick, column);
            expect(queries.length, `${label} by ${column}: the list sent no query`).toBeGreaterThan(1);
            for (const q of queries) problems.push(...(await planProblems(t.db, q)).map((p) => `${label} by ${column}: ${p}`));
          }
        }
        expect(problems).toEqual([]);
      });

      it('a broad Customize Filter on the contact walks the list order on its first page, looking up each record\'s contact, never every contact', async () => {
        const checked = validateFilterTree({
          combinator: 'or',
          rules: [
            { field: 'status', operator: '=', value: 'Admin Review' },
            { field: 'contactName', operator: 'contains', value: 'member' },
          ],
        });
        if (!checked.ok) throw new Error(checked.message);
        for (const column of SORTS) {
          const queries = await captured(t.db, () => listTracking(t.db, { quick: { kind: 'all' }, filter: checked.tree, sort: { column, direction: 'asc' }, page: 1, pageSize: 50, today: TODAY }));
          const pages = queries.filter((q) => q.sql.includes("as `page`"));
          expect(pages, `by ${column}: one page query`).toHaveLength(1);
          const page = pages[0] as Query;
          expect(await planProblems(t.db, page)).toEqual([]);
          const plan = (await t.db.raw(`EXPLAIN QUERY PLAN ${page.sql}`, page.bindings as Knex.RawBinding[])) as PlanRow[];
          expect(plan.map((p) => p.detail).filter((d) => /^SCAN fc\b|BLOOM FILTER ON fc/.test(d)), `by ${column}: ${page.sql}`).toEqual([]);
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
      const [moving] = (await trx('records').where({ program_id: programId, status: 'Applied' }).select('id', 'contact_id').limit(1)) as Array<{ id: number; contact_id: number }>;
      if (!moving) throw new Error('no Applied record to move');
      await trx('records').where({ contact_id: moving.contact_id, program_id: programId + 1 }).delete();
      await trx('records').where({ id: moving.id }).update({ program_id: programId + 1, status: 'In Progress' });
      await trx('records').insert({ contact_id: moving.contact_id, program_id: programId, status: 'Applied', sort_name: 'x', created_at: TODAY, updated_at: TODAY });
    });
    expect(await kept()).toEqual(await exact());
  });

  it('the check fails when an index the list needs is missing', async () => {
    const problemsOf = async (db: Knex): Promise<string> => {
      const problems: string[] = [];
      for (const q of await listQueries(db, { kind: 'status', status: 'Active' }, 'contactName')) problems.push(...(await planProblems(db, q)));
      return problems.join('\n');
    };
    const ROLLBACK = new Error('rollback');
    let withoutSortIndex = '';
    let withoutAnyIndex = '';
    await t.db
      .transaction(async (trx) => {
        await trx.raw('DROP INDEX records_status_name_order');
        withoutSortIndex = await problemsOf(trx);
        const indexes = (await trx.raw("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND sql IS NOT NULL")) as Array<{ name: string }>;
        for (const { name } of indexes) await trx.raw(`DROP INDEX "${name}"`);
        withoutAnyIndex = await problemsOf(trx);
        throw ROLLBACK;
      })
      .catch((err: unknown) => {
        if (err !== ROLLBACK) throw err;
      });
    expect(withoutSortIndex).toMatch(/sorts every matching row/);
    expect(withoutAnyIndex).toMatch(/full scan of records \(SCAN r\)/);
    // Dropped inside a transaction that was rolled back: the indexes are back.
    expect(await problemsOf(t.db)).toBe('');
  });
});

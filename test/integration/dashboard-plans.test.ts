/**
 * The renewals dashboard's queries stay on indexes (migration 014): every
 * query `dashboardSummary` sends, captured from knex, is checked with EXPLAIN
 * QUERY PLAN on a real SQLite file. A query over records must be read from an
 * index alone (a COVERING INDEX: no read of each matching record, which cost
 * 540 ms at 300,000 records); the waiting counts read the kept counts table.
 * Checked without statistics, after ANALYZE, and with sampled statistics like
 * those `PRAGMA optimize` leaves on the benchmark's database.
 */
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../main/rules/calendar';
import { STATUSES } from '../../main/rules/statuses';
import { dashboardSummary } from '../../main/services/dashboard';
import { freshDb, makeContact, makeProgram, type TestDb } from './support';

const TODAY = '2026-03-10';

/**
 * sqlite_stat1 of the records indexes on the benchmark's 300,000-record database with migration 014, as
 * `PRAGMA optimize` (run at every close) samples them (npm run bench -- --records 300000).
 */
const SAMPLED_STATS: Array<[string, string]> = [
  ['records_applied_order', '300000 2001 7'],
  ['records_completed_order', '300000 2001 8'],
  ['records_contact_id_index', '300000 5'],
  ['records_contact_id_program_id_unique', '300000 5 1'],
  ['records_expires_on_index', '300000 66'],
  ['records_expires_order', '300000 2001 66'],
  ['records_program_applied_order', '300000 2001 2001 5'],
  ['records_program_completed_order', '300000 2001 2001 4'],
  ['records_program_expires_order', '300000 2001 2001 4'],
  ['records_program_name', '300000 2001 2'],
  ['records_program_progress', '300000 2001 2001'],
  ['records_program_started_order', '300000 2001 2001 5'],
  ['records_program_status', '300000 2001 2001'],
  ['records_program_updated', '300000 2001 1'],
  ['records_progress_order', '300000 2001'],
  ['records_sort_name_index', '300000 6'],
  ['records_started_order', '300000 2001 7'],
  ['records_status_applied_order', '300000 2001 2001 6'],
  ['records_status_completed_order', '300000 2001 2001 9'],
  ['records_status_expires_order', '300000 2001 2001 251'],
  ['records_status_expires_program', '300000 2001 2001 251 10 10'],
  ['records_status_name', '300000 2001 2'],
  ['records_status_order', '300000 2001'],
  ['records_status_progress', '300000 2001 1001'],
  ['records_status_started_order', '300000 2001 2001 7'],
  ['records_status_updated', '300000 2001 1'],
  ['records_updated_order', '300000 1'],
];

type Statistics = 'without statistics' | 'after ANALYZE' | 'with sampled statistics';

async function useStatistics(db: Knex, stats: Statistics): Promise<void> {
  if (stats === 'without statistics') return;
  await db.raw('ANALYZE');
  if (stats === 'after ANALYZE') return;
  await db.raw("DELETE FROM sqlite_stat1 WHERE tbl = 'records'");
  for (const [idx, stat] of SAMPLED_STATS) await db.raw("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('records', ?, ?)", [idx, stat]);
  await db.raw('ANALYZE sqlite_schema');
}

interface Query {
  sql: string;
  bindings: readonly unknown[];
}

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

/** What is wrong with a query's plan, in words: records read row by row instead of from an index alone. */
async function planProblems(db: Knex, query: Query): Promise<string[]> {
  const plan = (await db.raw(`EXPLAIN QUERY PLAN ${query.sql}`, query.bindings as Knex.RawBinding[])) as Array<{ detail: string }>;
  return plan
    .map((row) => row.detail)
    .filter((detail) => /^(SCAN|SEARCH) (r|records)\b/.test(detail) && !/USING (COVERING INDEX|INTEGER PRIMARY KEY)/.test(detail))
    .map((detail) => `${detail} in: ${query.sql}`);
}

let t: TestDb;

beforeAll(async () => {
  t = await freshDb();
  // As many certifications as the benchmark's database has, about as full.
  const programs: number[] = [];
  for (let i = 0; i < 40; i++) programs.push((await makeProgram(t.ctx)).program.id);
  const at = '2026-03-01T10:00:00.000Z';
  const records = [];
  for (let i = 0; i < 800; i++) {
    const contact = await makeContact(t.ctx);
    const status = STATUSES[i % STATUSES.length] as string;
    records.push({
      contact_id: contact.id,
      program_id: programs[i % programs.length],
      status,
      sort_name: contact.name_key,
      expires_on: i % 7 === 0 ? null : addDays(TODAY, (i % 400) - 150),
      credits_on_track_until: i % 3 === 0 ? addDays(TODAY, (i % 90) - 30) : null,
      created_at: at,
      updated_at: at,
    });
  }
  await t.db.batchInsert('records', records, 200);
});

afterAll(async () => {
  await t.dispose();
});

describe('query plans of the renewals dashboard', () => {
  for (const stats of ['without statistics', 'after ANALYZE', 'with sampled statistics'] as const satisfies readonly Statistics[]) {
    it(`every query reads an index alone or the kept counts (${stats})`, async () => {
      await useStatistics(t.db, stats);
      const queries = await captured(t.db, () => dashboardSummary(t.db, { today: TODAY, timeZone: 'UTC' }));
      const onRecords = queries.filter((q) => /from `records`/.test(q.sql));
      // Four horizons, on track within each, and the expired: each one GROUP BY.
      expect(onRecords).toHaveLength(9);
      expect(queries.filter((q) => /from `record_counts`/.test(q.sql))).toHaveLength(2);
      const problems: string[] = [];
      for (const q of queries) problems.push(...(await planProblems(t.db, q)));
      expect(problems).toEqual([]);
    });
  }
});

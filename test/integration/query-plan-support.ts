/**
 * What the query-plan tests share: the SQL a service sends, captured from knex, its EXPLAIN QUERY PLAN,
 * and the planner statistics to check it under (none, ANALYZE's, the benchmark database's).
 */
import type { Knex } from 'knex';

/**
 * sqlite_stat1 of the benchmark's 300,000-record database after migration 006
 * (its sampled ANALYZE) and `PRAGMA optimize` (npm run bench -- --records 300000).
 */
export const BENCH_STATS: Array<[string, string, string]> = [
  ['records', 'records_applied_order', '300000 2001 7'],
  ['records', 'records_completed_order', '300000 2001 8'],
  ['records', 'records_contact_id_program_id_unique', '300000 5 1'],
  ['records', 'records_expires_order', '300000 2001 66'],
  ['records', 'records_program_applied_order', '300000 2001 2001 5'],
  ['records', 'records_program_completed_order', '300000 2001 2001 4'],
  ['records', 'records_program_expires_order', '300000 2001 2001 4'],
  ['records', 'records_program_name', '300000 2001 2'],
  ['records', 'records_program_progress', '300000 2001 2001'],
  ['records', 'records_program_started_order', '300000 2001 2001 5'],
  ['records', 'records_program_status', '300000 2001 2001'],
  ['records', 'records_program_updated', '300000 2001 1'],
  ['records', 'records_progress_order', '300000 2001'],
  ['records', 'records_sort_name_index', '300000 6'],
  ['records', 'records_started_order', '300000 2001 7'],
  ['records', 'records_status_applied_order', '300000 2001 2001 6'],
  ['records', 'records_status_completed_order', '300000 2001 2001 9'],
  // Migration 019's one index for 003's (status, expires_on IS NULL, expires_on), 014's and 017's: their statistics, the id unique.
  ['records', 'records_status_expires_cover', '300000 2001 2001 251 1 1 1 1'],
  ['records', 'records_status_name', '300000 2001 2'],
  ['records', 'records_status_order', '300000 2001'],
  ['records', 'records_status_progress', '300000 2001 1001'],
  ['records', 'records_status_started_order', '300000 2001 2001 7'],
  ['records', 'records_status_updated', '300000 2001 1'],
  ['records', 'records_updated_order', '300000 1'],
  // Migration 010 (its sampled ANALYZE): no renewal requirement in the benchmark, so credits needed is empty everywhere.
  ['records', 'records_credits_needed_order', '300000 300000 300000'],
  ['records', 'records_status_credits_needed_order', '300000 2001 2001 2001'],
  ['records', 'records_program_credits_needed_order', '300000 2001 2001 2001'],
  ['record_sort_keys', 'record_sort_keys_certification', '300000 2001'],
  ['record_sort_keys', 'record_sort_keys_email', '300000 5'],
  ['record_sort_keys', 'record_sort_keys_program_certification', '300000 2001 2001'],
  ['record_sort_keys', 'record_sort_keys_program_email', '300000 2001 1'],
  ['record_sort_keys', 'record_sort_keys_status_certification', '300000 2001 667'],
  ['record_sort_keys', 'record_sort_keys_status_email', '300000 2001 2'],
  ['programs', 'programs_central_id_unique', '40 40'],
  ['programs', 'programs_code_unique', '40 1'],
  ['contacts', 'contacts_central_id_unique', '75000 2'],
  ['contacts', 'contacts_email_index', '75000 1'],
  ['contacts', 'contacts_member_number_unique', '75000 1'],
  ['contacts', 'contacts_name_key_index', '75000 2'],
  // The outbox of the benchmark's database: 60,000 emails (the record checker's queued-email rule).
  ['outbox', 'sqlite_autoindex_outbox_1', '60000 4 2 1'],
];

export const STATISTICS = ['without statistics', 'after ANALYZE', 'with the statistics of the benchmark database'] as const;
export type Statistics = (typeof STATISTICS)[number];

/** Puts the planner statistics in place; `table`: replace only that table's with the benchmark's (default: every table's). */
export async function useStatistics(db: Knex, stats: Statistics, table?: string): Promise<void> {
  if (stats === 'without statistics') return;
  await db.raw('ANALYZE');
  if (stats === 'after ANALYZE') return;
  if (table === undefined) await db.raw('DELETE FROM sqlite_stat1');
  else await db.raw('DELETE FROM sqlite_stat1 WHERE tbl = ?', [table]);
  for (const [tbl, idx, stat] of BENCH_STATS) {
    if (table === undefined || tbl === table) await db.raw('INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)', [tbl, idx, stat]);
  }
  // Makes the planner load the statistics just written.
  await db.raw('ANALYZE sqlite_schema');
}

export interface Query {
  sql: string;
  bindings: readonly unknown[];
}

/** The SQL `run` sends, in order. */
export async function captured(db: Knex, run: () => Promise<unknown>): Promise<Query[]> {
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

export interface PlanRow {
  id: number;
  parent: number;
  detail: string;
}

/** The query's plan, as EXPLAIN QUERY PLAN gives it. */
export async function explain(db: Knex, query: Query): Promise<PlanRow[]> {
  return (await db.raw(`EXPLAIN QUERY PLAN ${query.sql}`, query.bindings as Knex.RawBinding[])) as PlanRow[];
}

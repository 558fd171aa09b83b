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
import { captured, explain, STATISTICS, useStatistics, type Query } from './query-plan-support';
import { freshDb, makeContact, makeProgram, type TestDb } from './support';

const TODAY = '2026-03-10';

/** What is wrong with a query's plan, in words: records read row by row instead of from an index alone. */
async function planProblems(db: Knex, query: Query): Promise<string[]> {
  const plan = await explain(db, query);
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
  for (const stats of STATISTICS) {
    it(`every query reads an index alone or the kept counts (${stats})`, async () => {
      await useStatistics(t.db, stats, 'records');
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

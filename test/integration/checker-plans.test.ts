/**
 * The record checker's queries stay on indexes at scale (issue 18: "it runs in the background with
 * progress at 1M records"): every query `checkRecords` and `fixAll` send for each rule — the count,
 * the first findings, the pages of ids a bulk fix walks — captured from knex and checked with
 * EXPLAIN QUERY PLAN on a real SQLite file. A rule's query must find its records through an index
 * on the rule's own condition: no scan of the records or the outbox, and no walk of the records in
 * id order (with ORDER BY id LIMIT 50 the planner likes to read every record from the first id on,
 * which finds 50 contradictions at once but reads a million records when there are none).
 * Checked without statistics, after ANALYZE, and with the benchmark database's statistics
 * (query-plan-support.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../main/rules/calendar';
import { STATUSES } from '../../main/rules/statuses';
import type { Actor } from '../../main/services/context';
import { CHECK_RULE_IDS, checkRecords, fixAll } from '../../main/services/record-checker';
import { captured, explain, STATISTICS, useStatistics, type Query } from './query-plan-support';
import { freshDb, makeContact, makeProgram, makeStaff, type TestDb } from './support';

const TODAY = '2026-03-10';

/**
 * What is wrong with a rule's query plan, in words: the records or the outbox scanned, or the records walked
 * by id (a range of ids, not a lookup of one) instead of searched through an index on the rule's condition.
 */
function planProblems(plan: readonly string[], sql: string, partial: ReadonlySet<string>): string[] {
  return plan
    .filter(
      (detail) =>
        // A scan of a partial index reads only the rows of its condition (the queued emails), not the table.
        (/^SCAN (r|x|o|records|outbox)\b/.test(detail) && !partial.has(/USING (?:COVERING )?INDEX (\S+)/.exec(detail)?.[1] ?? '')) ||
        /^SEARCH (r|x|records) USING INTEGER PRIMARY KEY \(rowid[<>]/.test(detail) ||
        // Only the status constrained: every record of the status read (each rule says more than its status).
        (/^SEARCH (r|records) USING (COVERING )?INDEX \S+ \(status=\?( AND rowid>\?)?\)$/.test(detail) &&
          !partial.has(/INDEX (\S+)/.exec(detail)?.[1] ?? '')) ||
        /^SEARCH (r|x|records) USING (COVERING )?INDEX \S+ \((program_id|contact_id)/.test(detail),
    )
    .map((detail) => `${detail} in: ${sql}`);
}

let t: TestDb;
let admin: Actor;

beforeAll(async () => {
  t = await freshDb({ at: `${TODAY}T15:00:00Z` });
  admin = await makeStaff(t.ctx, 'ria', 'Ria Admin', 'admin');
  // As many certifications as the benchmark's database has; every status, with and without dates; some queued emails.
  const programs: number[] = [];
  for (let i = 0; i < 40; i++) programs.push((await makeProgram(t.ctx)).program.id);
  const at = '2026-03-01T10:00:00.000Z';
  const records = [];
  for (let i = 0; i < 800; i++) {
    const contact = await makeContact(t.ctx);
    records.push({
      contact_id: contact.id,
      program_id: programs[i % programs.length],
      status: STATUSES[i % STATUSES.length] as string,
      sort_name: contact.name_key,
      started_on: i % 11 === 0 ? null : '2025-01-10',
      completed_on: i % 13 === 0 ? null : '2025-06-10',
      expires_on: i % 7 === 0 ? null : addDays(TODAY, (i % 400) - 150),
      required_total: 3,
      required_done: i % 5 === 0 ? 3 : 1,
      created_at: at,
      updated_at: at,
    });
  }
  await t.db.batchInsert('records', records, 200);
  const ids = (await t.db('records').orderBy('id').pluck('id')) as number[];
  await t.db.batchInsert(
    'outbox',
    ids
      .filter((_, i) => i % 9 === 0)
      .map((id, i) => ({
        kind: i % 2 ? 'certification-expiring' : 'reminder-90-days-before',
        reminder_offset: i % 2 ? null : -90,
        cycle: 1,
        record_id: id,
        expires_on: '2026-05-01',
        to_email: 'x@example.org',
        to_name: 'X',
        subject: 's',
        body: 'b',
        state: i % 3 ? 'exported' : 'queued',
        created_at: at,
      })),
    200,
  );
});

afterAll(async () => {
  await t.dispose();
});

describe('query plans of the record checker', () => {
  for (const stats of STATISTICS) {
    it(`every rule finds its records through an index on its condition (${stats})`, async () => {
      await useStatistics(t.db, stats);
      const checking = await captured(t.db, () => checkRecords(t.ctx));
      // Walking the ids of a bulk fix, page after page (the fixes themselves look records up by id).
      const walking: Query[] = [];
      for (const id of CHECK_RULE_IDS) {
        const queries = await captured(t.db, () =>
          t.db.transaction(async (trx) => fixAll({ ...t.ctx, db: trx }, admin, id).then(() => trx.rollback())).catch(() => undefined),
        );
        walking.push(...queries.filter((q) => /order by `r`\.`id` asc limit/.test(q.sql) && !/json_each/.test(q.sql)));
      }
      const ruleQueries = [...checking, ...walking].filter((q) => /from `records` as `?r`? /.test(q.sql));
      expect(ruleQueries.length).toBeGreaterThanOrEqual(CHECK_RULE_IDS.length * 2);
      const partial = new Set(
        ((await t.db('sqlite_master').where({ type: 'index' }).whereLike('sql', '% WHERE %').pluck('name')) as string[]).filter((n) => n.length > 0),
      );
      const problems: string[] = [];
      for (const q of ruleQueries) {
        const plan = (await explain(t.db, q)).map((row) => row.detail);
        problems.push(...planProblems(plan, q.sql, partial));
      }
      expect(problems).toEqual([]);
    });
  }
});

import type { Knex } from 'knex';

/**
 * An import of 100,000 records (issue 15) writes every index of `records` once per record, and a
 * completion that moves a record to Active rewrites most of them. Two of them serve no query:
 * - `records_contact_id_index` (contact_id): the unique (contact_id, program_id) index starts with
 *   the same column and serves every lookup by contact, and the foreign key's check, as well;
 * - `records_expires_on_index` (expires_on): every query on the expiration date says
 *   `(expires_on IS NULL) = 0` so that the (expires_on IS NULL, expires_on) sort indexes serve it.
 * And three indexes on (status, expires_on IS NULL, expires_on) become one: 003's gives the list
 * its order, ties by id; 014's carries the certification and the on-track date for the dashboard's
 * counts, 017's the name for "expiring soon, by name"; both ordered ties by their extra columns, so
 * the list could not use them. With the id explicitly fourth, one index does all three.
 * Kept, though it looks like a prefix of (status, …): `records_status_order` (status) gives the list
 * its order by status, ties by id; the longer ones order ties by another column and the list would
 * sort every record of a status (query-plans.test.ts checks it).
 */
/**
 * A database with planner statistics gets the new index's from 003's (the same leading columns, the id
 * unique): an index without statistics beside indexes with them looks cheaper than it is, and the
 * planner would take it for the list by status and sort every record of the status.
 */
const STATISTICS = `INSERT INTO sqlite_stat1 (tbl, idx, stat)
  SELECT tbl, 'records_status_expires_cover', stat || ' 1 1 1 1' FROM sqlite_stat1
   WHERE tbl = 'records' AND idx = 'records_status_expires_order' AND stat NOT GLOB '*[a-z]*'`;

const STATEMENTS = [
  'DROP INDEX IF EXISTS records_contact_id_index',
  'DROP INDEX IF EXISTS records_expires_on_index',
  'CREATE INDEX records_status_expires_cover ON records (status, expires_on IS NULL, expires_on, id, program_id, credits_on_track_until, sort_name)',
  STATISTICS,
  'DROP INDEX IF EXISTS records_status_expires_order',
  'DROP INDEX IF EXISTS records_status_expires_program',
  'DROP INDEX IF EXISTS records_status_expires_name',
];

export async function up(knex: Knex): Promise<void> {
  const [stats] = await knex.raw<Array<{ n: number }>>("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'");
  for (const sql of STATEMENTS) if (sql !== STATISTICS || stats?.n) await knex.raw(sql);
  // The planner reads the statistics again.
  if (stats?.n) await knex.raw('ANALYZE sqlite_schema');
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

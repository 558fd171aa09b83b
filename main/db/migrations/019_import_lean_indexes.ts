import type { Knex } from 'knex';

/**
 * An import of 100,000 records (issue 15) writes every index of `records` once per record, and a
 * completion that moves a record to Active rewrites most of them. Two of them serve no query:
 * - `records_contact_id_index` (contact_id): the unique (contact_id, program_id) index starts with
 *   the same column and serves every lookup by contact, and the foreign key's check, as well;
 * - `records_expires_on_index` (expires_on): every query on the expiration date says
 *   `(expires_on IS NULL) = 0` so that the (expires_on IS NULL, expires_on) sort indexes serve it.
 * Kept, though each looks like a prefix of another: `records_status_order` (status) and
 * `records_status_expires_order` (status, expires_on IS NULL, expires_on) give the list its order
 * ties included (status, id; date, id): the longer indexes order ties by another column, and the
 * list would sort every record of a status (query-plans.test.ts checks it).
 */
const STATEMENTS = ['DROP INDEX IF EXISTS records_contact_id_index', 'DROP INDEX IF EXISTS records_expires_on_index'];

export async function up(knex: Knex): Promise<void> {
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

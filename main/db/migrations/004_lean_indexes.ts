import type { Knex } from 'knex';

/**
 * Drops the two indexes of 001 that migration 003 made redundant: each is a
 * prefix of a sort index (`status, …` and `program_id, …`), so every query
 * they served is served as well, while every change of status paid for
 * updating them (the time sweep changes a fifth of all records in a year).
 */
const STATEMENTS = ['DROP INDEX IF EXISTS records_status_index', 'DROP INDEX IF EXISTS records_program_id_status_index'];

export async function up(knex: Knex): Promise<void> {
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

import type { Knex } from 'knex';

/**
 * SPEC §6, "work done elsewhere arrives" (issue #15): a completion remembers
 * where it came from (`source`: the CSV file, the central system, staff) and
 * can be removed by staff with a reason — kept, marked removed, never deleted
 * (the sync export has no deletes; history keeps both). Only a completion not
 * removed counts, so the one-per-record-component-cycle rule becomes a partial
 * unique index. `central_events` remembers each central event applied (by its
 * central id), so a second delivery changes nothing.
 */
const STATEMENTS = [
  "ALTER TABLE component_progress ADD COLUMN source TEXT NOT NULL DEFAULT ''",
  'ALTER TABLE component_progress ADD COLUMN removed_at TEXT',
  'ALTER TABLE component_progress ADD COLUMN removed_reason TEXT',
  'ALTER TABLE component_progress ADD COLUMN removed_by INTEGER REFERENCES users (id)',
  'DROP INDEX component_progress_record_id_component_id_cycle_unique',
  'CREATE UNIQUE INDEX component_progress_counted ON component_progress (record_id, component_id, cycle) WHERE removed_at IS NULL',
  `CREATE TABLE central_events (
     entity TEXT NOT NULL,
     central_id TEXT NOT NULL,
     record_id INTEGER REFERENCES records (id),
     applied_at TEXT NOT NULL,
     PRIMARY KEY (entity, central_id)
   )`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

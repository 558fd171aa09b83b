import type { Knex } from 'knex';

/**
 * Renewal by continuing-education credits (SPEC §6, issue 18).
 *
 * - `credit_categories`: the list of CE categories the admin keeps (Ethics, Technical…).
 * - programs gain an optional renewal requirement: `renewal_credits` (NULL: none), the minimums per
 *   category as JSON `[{"category":"Ethics","credits":6}]`, an optional carry-over cap (NULL: nothing
 *   carries over), and whether a renewal waits in Admin Review.
 * - `ce_activities`: credits a contact earned, recorded against the record and the cycle they were
 *   recorded in; removed with a reason, never deleted. `external_id` makes an import idempotent.
 * - records keep, in the same transaction as each activity change, renewal or date change:
 *   `cycle_starts_on` (first day of the current cycle once renewed; NULL: the completion date),
 *   `credits_needed` (NULL: no requirement applies) and `credits_on_track_until` (the last day on which
 *   the credits that count still meet the requirement pro rata: "on track" is one date comparison with
 *   the office's today). Plain ADD COLUMNs: no table rebuild, no cascade.
 * - the Tracking list sorts by credits needed both ways, per Quick Filter kind, like 006 (the column may
 *   be empty, so `IS NULL` leads).
 */
const STATEMENTS = [
  `CREATE TABLE credit_categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    position INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  )`,
  'ALTER TABLE programs ADD COLUMN renewal_credits REAL',
  "ALTER TABLE programs ADD COLUMN renewal_minimums TEXT NOT NULL DEFAULT '[]'",
  'ALTER TABLE programs ADD COLUMN renewal_carry_over_cap REAL',
  'ALTER TABLE programs ADD COLUMN renewal_review INTEGER NOT NULL DEFAULT 0',
  `CREATE TABLE ce_activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE RESTRICT,
    cycle INTEGER NOT NULL,
    kind TEXT NOT NULL DEFAULT 'activity' CHECK (kind IN ('activity', 'carry-over')),
    earned_on TEXT NOT NULL,
    title TEXT NOT NULL,
    category TEXT,
    credits REAL NOT NULL CHECK (credits > 0),
    source TEXT NOT NULL DEFAULT '',
    external_id TEXT,
    recorded_by INTEGER REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    removed_at TEXT,
    removed_by INTEGER REFERENCES users(id),
    removed_reason TEXT
  )`,
  'CREATE INDEX ce_activities_record ON ce_activities (record_id, cycle)',
  'CREATE UNIQUE INDEX ce_activities_external ON ce_activities (record_id, external_id) WHERE external_id IS NOT NULL',
  'ALTER TABLE records ADD COLUMN cycle_starts_on TEXT',
  'ALTER TABLE records ADD COLUMN credits_needed REAL',
  'ALTER TABLE records ADD COLUMN credits_on_track_until TEXT',
  'CREATE INDEX records_credits_needed_order ON records (credits_needed IS NULL, credits_needed)',
  'CREATE INDEX records_status_credits_needed_order ON records (status, credits_needed IS NULL, credits_needed)',
  'CREATE INDEX records_program_credits_needed_order ON records (program_id, credits_needed IS NULL, credits_needed)',
  'CREATE INDEX records_credits_on_track ON records (credits_on_track_until) WHERE credits_on_track_until IS NOT NULL',
];

/** As in 006: a database with statistics gets sampled ones for the new indexes, or SQLite would guess them too good. */
const ANALYZE_STATEMENTS = ['PRAGMA analysis_limit = 2000', 'ANALYZE records', 'PRAGMA analysis_limit = 0'];

export async function up(knex: Knex): Promise<void> {
  for (const sql of STATEMENTS) await knex.raw(sql);
  const stats = (await knex.raw("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")) as unknown[];
  if (stats.length > 0) for (const sql of ANALYZE_STATEMENTS) await knex.raw(sql);
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

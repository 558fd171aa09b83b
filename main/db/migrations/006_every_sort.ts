import type { Knex } from 'knex';

/**
 * Every column of the Tracking list sorts on an index, in both directions
 * (issue 17; checked by test/integration/query-plans.test.ts, measured by
 * `npm run bench`).
 *
 * The list orders by `<column> <dir>, id <dir>`. An index walked forwards or
 * backwards serves both directions, so each column has one index per Quick
 * Filter kind: the column alone (All), after `status`, after `program_id`.
 * A column that may be empty (the four dates) carries `<column> IS NULL` in
 * front, as 003 did for the expiration date: ascending, empties come last by
 * walking forwards; descending, the filled part is walked backwards and the
 * empty part after it (SQL puts NULL last when descending). Columns that are
 * never empty lose that term: it kept name descending off its index. The name
 * indexes of 003 are replaced by plain ones (001's `records_sort_name_index`
 * already serves All).
 *
 * Columns of the contact (email) and the certification (name) are copied into
 * `record_sort_keys`, one row per record with the Quick Filter's columns,
 * kept by triggers in the same transaction as every write of a record, a
 * contact's email or a certification's name. A table of its own rather than
 * columns on records: the change log and the sync export hand records over
 * column by column, and sort keys are not part of that format.
 */
// Written out in full: migrations are plain SQL text, never built from pieces.
const STATEMENTS = [
  'DROP INDEX IF EXISTS records_name_order',
  'DROP INDEX IF EXISTS records_status_name_order',
  'DROP INDEX IF EXISTS records_program_name_order',
  'CREATE INDEX records_status_name ON records (status, sort_name)',
  'CREATE INDEX records_program_name ON records (program_id, sort_name)',

  'CREATE INDEX records_status_order ON records (status)',
  'CREATE INDEX records_program_status ON records (program_id, status)',

  'CREATE INDEX records_progress_order ON records (required_done)',
  'CREATE INDEX records_status_progress ON records (status, required_done)',
  'CREATE INDEX records_program_progress ON records (program_id, required_done)',

  'CREATE INDEX records_updated_order ON records (updated_at)',
  'CREATE INDEX records_status_updated ON records (status, updated_at)',
  'CREATE INDEX records_program_updated ON records (program_id, updated_at)',

  'CREATE INDEX records_applied_order ON records (applied_on IS NULL, applied_on)',
  'CREATE INDEX records_status_applied_order ON records (status, applied_on IS NULL, applied_on)',
  'CREATE INDEX records_program_applied_order ON records (program_id, applied_on IS NULL, applied_on)',

  'CREATE INDEX records_started_order ON records (started_on IS NULL, started_on)',
  'CREATE INDEX records_status_started_order ON records (status, started_on IS NULL, started_on)',
  'CREATE INDEX records_program_started_order ON records (program_id, started_on IS NULL, started_on)',

  'CREATE INDEX records_completed_order ON records (completed_on IS NULL, completed_on)',
  'CREATE INDEX records_status_completed_order ON records (status, completed_on IS NULL, completed_on)',
  'CREATE INDEX records_program_completed_order ON records (program_id, completed_on IS NULL, completed_on)',

  `CREATE TABLE record_sort_keys (
    record_id INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    program_id INTEGER NOT NULL,
    email TEXT NOT NULL,
    certification TEXT NOT NULL
  )`,
  `INSERT INTO record_sort_keys (record_id, status, program_id, email, certification)
    SELECT r.id, r.status, r.program_id, c.email, p.name FROM records r JOIN contacts c ON c.id = r.contact_id JOIN programs p ON p.id = r.program_id ORDER BY r.id`,
  'CREATE INDEX record_sort_keys_email ON record_sort_keys (email)',
  'CREATE INDEX record_sort_keys_status_email ON record_sort_keys (status, email)',
  'CREATE INDEX record_sort_keys_program_email ON record_sort_keys (program_id, email)',
  'CREATE INDEX record_sort_keys_certification ON record_sort_keys (certification)',
  'CREATE INDEX record_sort_keys_status_certification ON record_sort_keys (status, certification)',
  'CREATE INDEX record_sort_keys_program_certification ON record_sort_keys (program_id, certification)',
  // A record whose contact or certification is missing is refused by its foreign key when the statement ends; '' meanwhile.
  `CREATE TRIGGER record_sort_keys_insert AFTER INSERT ON records BEGIN
    INSERT INTO record_sort_keys (record_id, status, program_id, email, certification)
      VALUES (NEW.id, NEW.status, NEW.program_id, coalesce((SELECT email FROM contacts WHERE id = NEW.contact_id), ''), coalesce((SELECT name FROM programs WHERE id = NEW.program_id), ''));
  END`,
  // A change of status alone (the common write) touches only the status indexes.
  `CREATE TRIGGER record_sort_keys_status AFTER UPDATE OF status ON records
    WHEN OLD.status IS NOT NEW.status BEGIN
    UPDATE record_sort_keys SET status = NEW.status WHERE record_id = NEW.id;
  END`,
  `CREATE TRIGGER record_sort_keys_move AFTER UPDATE OF program_id, contact_id ON records
    WHEN OLD.program_id IS NOT NEW.program_id OR OLD.contact_id IS NOT NEW.contact_id BEGIN
    UPDATE record_sort_keys SET program_id = NEW.program_id,
      email = coalesce((SELECT email FROM contacts WHERE id = NEW.contact_id), ''), certification = coalesce((SELECT name FROM programs WHERE id = NEW.program_id), '')
      WHERE record_id = NEW.id;
  END`,
  `CREATE TRIGGER record_sort_keys_delete AFTER DELETE ON records BEGIN
    DELETE FROM record_sort_keys WHERE record_id = OLD.id;
  END`,
  `CREATE TRIGGER record_sort_keys_contact_email AFTER UPDATE OF email ON contacts
    WHEN OLD.email IS NOT NEW.email BEGIN
    UPDATE record_sort_keys SET email = NEW.email WHERE record_id IN (SELECT id FROM records WHERE contact_id = NEW.id);
  END`,
  `CREATE TRIGGER record_sort_keys_program_name AFTER UPDATE OF name ON programs
    WHEN OLD.name IS NOT NEW.name BEGIN
    UPDATE record_sort_keys SET certification = NEW.name WHERE program_id = NEW.id;
  END`,
];

/**
 * A database that has statistics (`PRAGMA optimize` at every close) has none
 * yet for the new indexes, and SQLite's guess for an index without them (a
 * handful of rows per status) would have it sort a whole status instead of
 * walking its sort index until the next close. A sampled ANALYZE (about 2,000
 * rows per index: well under a second at a million records) gives them theirs.
 */
const ANALYZE_STATEMENTS = ['PRAGMA analysis_limit = 2000', 'ANALYZE records', 'ANALYZE record_sort_keys', 'PRAGMA analysis_limit = 0'];

export async function up(knex: Knex): Promise<void> {
  for (const sql of STATEMENTS) await knex.raw(sql);
  const stats = (await knex.raw("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")) as unknown[];
  if (stats.length > 0) for (const sql of ANALYZE_STATEMENTS) await knex.raw(sql);
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

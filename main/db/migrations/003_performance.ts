import type { Knex } from 'knex';

/**
 * The fast paths of the Tracking page at a million records (issue 6; measured
 * by `npm run bench`, checked by test/integration/query-plans.test.ts).
 *
 * Sort indexes. The list orders by `<column> IS NULL, <column>, id` (empty
 * values last), so each index carries the same `IS NULL` expression: SQLite
 * then walks the index in list order and stops after the page instead of
 * sorting every matching row. The Quick Filter's column comes first (status or
 * certification); the rowid at the end of every index is the id tie-break, and
 * an index holding the filter and sort columns also covers a query for the ids
 * of a page. Only the two sorts the page opens with (contact name, the default,
 * and expiration date) have indexes; other columns still sort.
 *
 * Counts. `record_counts` holds how many records each (certification, status)
 * pair has, kept by triggers in the same transaction as every insert, delete
 * and change of status or certification, so the Quick Filter counts and the
 * list's total for a plain Quick Filter are a read of at most 400 rows instead
 * of a count over a million.
 */
// Written out in full: migrations are plain SQL text, never built from pieces.
const STATEMENTS = [
  'CREATE INDEX records_name_order ON records (sort_name IS NULL, sort_name)',
  'CREATE INDEX records_expires_order ON records (expires_on IS NULL, expires_on)',
  'CREATE INDEX records_status_name_order ON records (status, sort_name IS NULL, sort_name)',
  'CREATE INDEX records_status_expires_order ON records (status, expires_on IS NULL, expires_on)',
  'CREATE INDEX records_program_name_order ON records (program_id, sort_name IS NULL, sort_name)',
  'CREATE INDEX records_program_expires_order ON records (program_id, expires_on IS NULL, expires_on)',
  `CREATE TABLE record_counts (
    program_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (program_id, status)
  ) WITHOUT ROWID`,
  'INSERT INTO record_counts (program_id, status, n) SELECT program_id, status, count(*) FROM records GROUP BY program_id, status',
  `CREATE TRIGGER record_counts_insert AFTER INSERT ON records BEGIN
    INSERT INTO record_counts (program_id, status, n) VALUES (NEW.program_id, NEW.status, 1)
      ON CONFLICT (program_id, status) DO UPDATE SET n = n + 1;
  END`,
  `CREATE TRIGGER record_counts_delete AFTER DELETE ON records BEGIN
    UPDATE record_counts SET n = n - 1 WHERE program_id = OLD.program_id AND status = OLD.status;
  END`,
  `CREATE TRIGGER record_counts_update AFTER UPDATE OF status, program_id ON records
    WHEN OLD.status IS NOT NEW.status OR OLD.program_id IS NOT NEW.program_id BEGIN
    UPDATE record_counts SET n = n - 1 WHERE program_id = OLD.program_id AND status = OLD.status;
    INSERT INTO record_counts (program_id, status, n) VALUES (NEW.program_id, NEW.status, 1)
      ON CONFLICT (program_id, status) DO UPDATE SET n = n + 1;
  END`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

import type { Knex } from 'knex';

/**
 * A status change of many records (a bulk change, a completions import, the year's sweep) spent about a
 * fifth of its time writing a statement journal: SQLite copies every page a statement changes to a
 * temporary file, so that a statement that fails can be undone alone, whenever the statement might
 * abort halfway. Ours never need it (every write of records runs in a transaction that a failure rolls
 * back whole), and the record writer's UPDATE no longer asks for one (`bulkUpdate`: UPDATE OR FAIL, no
 * function call). Two triggers the UPDATE fires still did:
 * - the status check said RAISE(ABORT); RAISE(FAIL) refuses the same statuses with the same message, and
 *   a refused row is still never written;
 * - the count kept per program and status was an upsert, whose DO UPDATE always aborts; it is now an
 *   insert of the missing row and two plain updates.
 * The insert trigger keeps its upsert: an INSERT of records checks its foreign keys, which needs the
 * journal anyway.
 */
const STATUSES = "'In Progress', 'Applied', 'Declined', 'Active', 'Inactive', 'Expired', 'Not Completed', 'Admin Review', 'Expiring', 'Cancelled'";

const STATEMENTS = [
  'DROP TRIGGER records_status_check_update',
  `CREATE TRIGGER records_status_check_update BEFORE UPDATE OF status ON records
    WHEN NEW.status NOT IN (${STATUSES}) BEGIN SELECT RAISE(FAIL, 'invalid status'); END`,
  'DROP TRIGGER record_counts_update',
  `CREATE TRIGGER record_counts_update AFTER UPDATE OF status, program_id ON records
    WHEN OLD.status IS NOT NEW.status OR OLD.program_id IS NOT NEW.program_id BEGIN
    UPDATE record_counts SET n = n - 1 WHERE program_id = OLD.program_id AND status = OLD.status;
    INSERT INTO record_counts (program_id, status, n) SELECT NEW.program_id, NEW.status, 0
      WHERE NOT EXISTS (SELECT 1 FROM record_counts WHERE program_id = NEW.program_id AND status = NEW.status);
    UPDATE record_counts SET n = n + 1 WHERE program_id = NEW.program_id AND status = NEW.status;
  END`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

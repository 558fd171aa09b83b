import type { Knex } from 'knex';

/**
 * The record checker (issue 18) runs at a million records. Two of its rules had no index on their
 * condition: "In Progress with every required component done" compares two columns (the status
 * index alone read every In Progress record), and "an email queued for a record it no longer fits"
 * read the whole outbox for its queued emails. Both indexes are partial: the first holds only
 * records breaking the rule (normally none), the second only emails still queued, so the writes
 * that keep them cost next to nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    "CREATE INDEX records_in_progress_all_done ON records (status) WHERE status = 'In Progress' AND required_total > 0 AND required_done >= required_total",
  );
  await knex.raw("CREATE INDEX outbox_queued ON outbox (record_id) WHERE state = 'queued'");
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

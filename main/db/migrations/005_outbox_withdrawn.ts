import type { Knex } from 'knex';

/**
 * SPEC §6, "the outbox tells the truth": a queued "Certification Expiring"
 * email whose record stops being Expiring is withdrawn — kept, marked, never
 * sent. The state column gains the value 'withdrawn'; these two columns say
 * when and why. Plain ADD COLUMNs: no table rebuild, no cascade.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE outbox ADD COLUMN withdrawn_at TEXT');
  await knex.raw('ALTER TABLE outbox ADD COLUMN withdrawn_reason TEXT');
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

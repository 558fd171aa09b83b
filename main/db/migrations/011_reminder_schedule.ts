import type { Knex } from 'knex';

/**
 * Issue 18: a reminder schedule per certification. The schedule is part of the program row
 * (JSON text, so the sync export hands it over with the program); each reminder email is an
 * outbox row of kind `reminder-<days>-days-<before|after>` that also says the record's cycle
 * and its offset from the expiration date (negative before), so a renewal or a new date
 * withdraws it. Plain ADD COLUMNs: no table rebuild, no cascade. The partial index finds a
 * changed record's reminders without touching the "Certification Expiring" emails.
 */
const STATEMENTS = [
  "ALTER TABLE programs ADD COLUMN reminder_schedule TEXT NOT NULL DEFAULT '[]'",
  'ALTER TABLE outbox ADD COLUMN cycle INTEGER',
  'ALTER TABLE outbox ADD COLUMN reminder_offset INTEGER',
  'CREATE INDEX outbox_reminders_by_record ON outbox (record_id) WHERE reminder_offset IS NOT NULL',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of STATEMENTS) await knex.raw(sql);
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

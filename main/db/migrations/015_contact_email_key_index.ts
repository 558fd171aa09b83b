import type { Knex } from 'knex';

/**
 * Imports that name a contact by email (applications, completions, records:
 * import/keys.ts) look the address up by 009's folded `email_key`, on this
 * index, then match it exactly in JavaScript; `lower(email)` could use no
 * index (a scan of every contact per file) and lowercases only ASCII.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX contacts_email_key ON contacts (email_key)');
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

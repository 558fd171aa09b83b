import type { Knex } from 'knex';

/**
 * SPEC §6, users: an admin disables, enables and changes the role of local users, and
 * every such change says who made it and when. Users are local to the desk (never
 * synced), so this is their own append-only log, not the sync change log.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE user_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    change TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT,
    by_user_id INTEGER REFERENCES users(id),
    by_name TEXT NOT NULL,
    changed_at TEXT NOT NULL
  )`);
  await knex.raw('CREATE INDEX user_changes_user ON user_changes (user_id, id)');
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

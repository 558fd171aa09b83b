import type { Knex } from 'knex';

/**
 * Two Customize Filters that grew faster than the data (issue 17):
 *
 * - "Organization contains": a LIKE '%…%' cannot seek an index, so every count read all 250,000
 *   contacts (about 200 ms at a million records). `contact_organization_search` is an FTS5 index of
 *   trigrams over `contacts.organization_key` (external content: it stores only the index, the text
 *   stays in contacts), kept by the triggers below in the same statement as each contact write. A
 *   phrase of the typed text's trigrams matches exactly the keys that contain it (filters/compile.ts;
 *   text shorter than three characters still scans).
 * - "Expires in the next N days AND status in (…)", sorted by name: the range on 003's
 *   (status, expires_on IS NULL, expires_on) found the records, then read each one's name from its row
 *   to sort them (72 ms at a million records, 13,600 rows). With the name at the end of the index the
 *   page is sorted from the index alone.
 *
 * Derived data, not staff's changes: neither is written to the change log.
 */
const STATEMENTS = [
  `CREATE VIRTUAL TABLE contact_organization_search USING fts5(organization_key, content = 'contacts', content_rowid = 'id', tokenize = 'trigram')`,
  `INSERT INTO contact_organization_search (contact_organization_search) VALUES ('rebuild')`,
  `CREATE TRIGGER contact_organization_search_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contact_organization_search (rowid, organization_key) VALUES (NEW.id, NEW.organization_key);
  END`,
  `CREATE TRIGGER contact_organization_search_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contact_organization_search (contact_organization_search, rowid, organization_key) VALUES ('delete', OLD.id, OLD.organization_key);
  END`,
  `CREATE TRIGGER contact_organization_search_update AFTER UPDATE OF id, organization_key ON contacts
    WHEN OLD.id IS NOT NEW.id OR OLD.organization_key IS NOT NEW.organization_key BEGIN
    INSERT INTO contact_organization_search (contact_organization_search, rowid, organization_key) VALUES ('delete', OLD.id, OLD.organization_key);
    INSERT INTO contact_organization_search (rowid, organization_key) VALUES (NEW.id, NEW.organization_key);
  END`,
  'CREATE INDEX records_status_expires_name ON records (status, expires_on IS NULL, expires_on, sort_name)',
];

/** Statistics for the new index where the database has them (see 006: without, SQLite guesses a handful of rows per status). */
const ANALYZE_STATEMENTS = ['PRAGMA analysis_limit = 2000', 'ANALYZE records_status_expires_name', 'PRAGMA analysis_limit = 0'];

export async function up(knex: Knex): Promise<void> {
  for (const sql of STATEMENTS) await knex.raw(sql);
  const stats = (await knex.raw("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")) as unknown[];
  if (stats.length > 0) for (const sql of ANALYZE_STATEMENTS) await knex.raw(sql);
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

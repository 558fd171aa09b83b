import type { Knex } from 'knex';
import * as m001 from './001_initial';
import * as m003 from './003_performance';
import * as m004 from './004_lean_indexes';
import * as m005 from './005_outbox_withdrawn';
import * as m006 from './006_every_sort';
import * as m008 from './008_completions';
import * as m009 from './009_search_keys';
import * as m010 from './010_renewal_credits';
import * as m011 from './011_reminder_schedule';
import * as m012 from './012_user_changes';
import * as m014 from './014_dashboard_indexes';
import * as m015 from './015_contact_email_key_index';
import * as m017 from './017_filter_search';
import * as m018 from './018_checker_indexes';
import * as m019 from './019_import_lean_indexes';
import * as m020 from './020_no_statement_journal';

/**
 * Every migration, in order, listed explicitly so a bundled build finds them.
 * Append only: never edit or reorder a migration that has shipped.
 */
export const MIGRATIONS: ReadonlyArray<{ name: string; migration: Knex.Migration }> = [
  { name: '001_initial', migration: m001 },
  // 002 was never shipped (the sync export needed no schema change).
  { name: '003_performance', migration: m003 },
  { name: '004_lean_indexes', migration: m004 },
  { name: '005_outbox_withdrawn', migration: m005 },
  { name: '006_every_sort', migration: m006 },
  { name: '008_completions', migration: m008 },
  { name: '009_search_keys', migration: m009 },
  { name: '010_renewal_credits', migration: m010 },
  { name: '011_reminder_schedule', migration: m011 },
  { name: '012_user_changes', migration: m012 },
  { name: '014_dashboard_indexes', migration: m014 },
  { name: '015_contact_email_key_index', migration: m015 },
  { name: '017_filter_search', migration: m017 },
  { name: '018_checker_indexes', migration: m018 },
  { name: '019_import_lean_indexes', migration: m019 },
  { name: '020_no_statement_journal', migration: m020 },
];

export const migrationSource: Knex.MigrationSource<{ name: string; migration: Knex.Migration }> = {
  getMigrations: () => Promise.resolve([...MIGRATIONS]),
  getMigrationName: (m) => m.name,
  getMigration: (m) => Promise.resolve(m.migration),
};

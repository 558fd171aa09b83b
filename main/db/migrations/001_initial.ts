import type { Knex } from 'knex';

// Written out, not built from STATUSES: a migration is history, and a later rename must not rewrite it.
const statusList = "'In Progress', 'Applied', 'Declined', 'Active', 'Inactive', 'Expired', 'Not Completed', 'Admin Review', 'Expiring', 'Cancelled'";

/** The whole schema of SPEC.md: contacts, programs, records, history, settings, users, outbox, change log, filters. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('contacts', (t) => {
    t.increments('id');
    t.text('central_id').unique();
    t.text('member_number').unique();
    t.text('first_name').notNullable();
    t.text('last_name').notNullable();
    t.text('email').notNullable().defaultTo('');
    t.text('organization').notNullable().defaultTo('');
    t.text('phone').notNullable().defaultTo('');
    // Sort and search key: "last first", case-folded beyond ASCII in JavaScript.
    t.text('name_key').notNullable();
    t.text('created_at').notNullable();
    t.text('updated_at').notNullable();
    t.index(['name_key']);
    t.index(['email']);
  });

  await knex.schema.createTable('programs', (t) => {
    t.increments('id');
    t.text('central_id').unique();
    t.text('code').notNullable().unique();
    t.text('name').notNullable();
    t.text('version').notNullable().defaultTo('1');
    t.text('category').notNullable().defaultTo('');
    t.text('description').notNullable().defaultTo('');
    t.boolean('require_approval').notNullable().defaultTo(false);
    t.boolean('require_completion_approval').notNullable().defaultTo(false);
    t.text('expiration_kind').notNullable().defaultTo('never');
    t.integer('expiration_amount');
    t.text('expiration_unit');
    t.text('expiration_fixed_on');
    t.text('archived_at');
    t.text('created_at').notNullable();
    t.text('updated_at').notNullable();
  });
  await knex.raw(`CREATE TRIGGER programs_expiration_check BEFORE INSERT ON programs
    WHEN NEW.expiration_kind NOT IN ('never', 'period', 'fixed')
    BEGIN SELECT RAISE(ABORT, 'invalid expiration_kind'); END`);

  await knex.schema.createTable('components', (t) => {
    t.increments('id');
    t.integer('program_id').notNullable().references('programs.id').onDelete('RESTRICT');
    t.text('name').notNullable();
    t.text('kind').notNullable().defaultTo('course');
    t.float('credits').notNullable().defaultTo(0);
    t.text('credit_unit').notNullable().defaultTo('credits');
    t.boolean('required').notNullable().defaultTo(true);
    t.integer('position').notNullable().defaultTo(0);
    t.text('archived_at');
    t.index(['program_id', 'position']);
  });

  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.text('username').notNullable().unique();
    t.text('display_name').notNullable();
    t.text('role').notNullable();
    t.text('password_hash').notNullable();
    t.text('created_at').notNullable();
    t.text('disabled_at');
  });

  await knex.schema.createTable('records', (t) => {
    t.increments('id');
    t.integer('contact_id').notNullable().references('contacts.id').onDelete('RESTRICT');
    t.integer('program_id').notNullable().references('programs.id').onDelete('RESTRICT');
    t.text('status').notNullable();
    // The contact's name_key, kept here so the list sorts by name without a join.
    t.text('sort_name').notNullable();
    t.integer('cycle').notNullable().defaultTo(1);
    t.text('applied_on');
    t.text('started_on');
    t.text('completed_on');
    t.text('approved_on');
    t.text('expires_on');
    t.boolean('expiration_overridden').notNullable().defaultTo(false);
    // Kept up to date in the same transaction as each completion, for the list's progress column.
    t.integer('required_total').notNullable().defaultTo(0);
    t.integer('required_done').notNullable().defaultTo(0);
    t.text('notes').notNullable().defaultTo('');
    t.text('created_at').notNullable();
    t.text('updated_at').notNullable();
    t.unique(['contact_id', 'program_id']);
    t.index(['status']);
    t.index(['program_id', 'status']);
    t.index(['expires_on']);
    t.index(['sort_name']);
    t.index(['contact_id']);
  });
  await knex.raw(`CREATE TRIGGER records_status_check_insert BEFORE INSERT ON records
    WHEN NEW.status NOT IN (${statusList}) BEGIN SELECT RAISE(ABORT, 'invalid status'); END`);
  await knex.raw(`CREATE TRIGGER records_status_check_update BEFORE UPDATE OF status ON records
    WHEN NEW.status NOT IN (${statusList}) BEGIN SELECT RAISE(ABORT, 'invalid status'); END`);

  await knex.schema.createTable('component_progress', (t) => {
    t.increments('id');
    t.integer('record_id').notNullable().references('records.id').onDelete('RESTRICT');
    t.integer('component_id').notNullable().references('components.id').onDelete('RESTRICT');
    t.integer('cycle').notNullable();
    t.text('completed_on').notNullable();
    t.float('credits').notNullable().defaultTo(0);
    t.text('note').notNullable().defaultTo('');
    t.integer('recorded_by').references('users.id');
    t.text('recorded_at').notNullable();
    t.unique(['record_id', 'component_id', 'cycle']);
  });

  // Append-only: every change of a record, ordered by id (never by wall clock).
  await knex.schema.createTable('record_history', (t) => {
    t.increments('id');
    t.integer('record_id').notNullable().references('records.id').onDelete('RESTRICT');
    t.integer('cycle').notNullable();
    t.text('kind').notNullable(); // status | expiration | component | note | enrollment
    t.text('from_status');
    t.text('to_status');
    t.text('detail').notNullable().defaultTo('');
    t.text('reason').notNullable().defaultTo('');
    t.text('rule').notNullable().defaultTo('');
    t.integer('actor_id').references('users.id');
    t.text('actor_name').notNullable();
    t.text('on_date').notNullable();
    t.text('at').notNullable();
    t.index(['record_id', 'id']);
  });
  await knex.raw(`CREATE TRIGGER record_history_no_update BEFORE UPDATE ON record_history
    BEGIN SELECT RAISE(ABORT, 'history is never edited'); END`);
  await knex.raw(`CREATE TRIGGER record_history_no_delete BEFORE DELETE ON record_history
    BEGIN SELECT RAISE(ABORT, 'history is never deleted'); END`);

  await knex.schema.createTable('settings', (t) => {
    t.text('key').primary();
    t.text('value').notNullable();
  });

  await knex.schema.createTable('outbox', (t) => {
    t.increments('id');
    t.text('kind').notNullable();
    t.integer('record_id').references('records.id').onDelete('RESTRICT');
    t.text('expires_on');
    t.text('to_email').notNullable();
    t.text('to_name').notNullable();
    t.text('subject').notNullable();
    t.text('body').notNullable();
    t.text('state').notNullable().defaultTo('queued');
    t.text('created_at').notNullable();
    t.integer('exported_seq');
    // Exactly once per record and expiration date.
    t.unique(['kind', 'record_id', 'expires_on']);
  });

  await knex.schema.createTable('change_log', (t) => {
    // AUTOINCREMENT: a rolled-back change never leaves a reused or skipped number.
    t.increments('seq');
    t.text('entity').notNullable();
    t.integer('entity_id').notNullable();
    t.text('op').notNullable();
    t.text('data').notNullable();
    t.text('at').notNullable();
  });

  await knex.schema.createTable('saved_filters', (t) => {
    t.increments('id');
    t.text('name').notNullable().unique();
    t.text('tree').notNullable();
    t.integer('created_by').references('users.id');
    t.text('updated_at').notNullable();
  });
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

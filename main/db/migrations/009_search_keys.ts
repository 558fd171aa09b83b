import type { Knex } from 'knex';
import { contactKeys } from '../../domain/contact';
import type { ContactRow } from '../../domain/rows';

/**
 * Issue 16 §5: search folds case and accents beyond ASCII, the same for the
 * stored keys and the typed words (domain/text-search.ts). Contacts gain the
 * keys of their email, organization and member number (plain ADD COLUMNs: no
 * table rebuild, no cascade), every key is rebuilt with the current folding,
 * and records take their contact's new name key as `sort_name`.
 *
 * Unlike the schema, the keys come from the live folding function, not a
 * frozen copy: a rebuild is idempotent and always right for the code that
 * reads the keys; a later change of the folding adds a migration that runs
 * this rebuild again. Search keys are derived, not a change staff made: they
 * are not written to the change log (the receiver gets them with the
 * contact's next change).
 *
 * Batches of contacts by id, each one UPDATE … FROM json_each: memory stays
 * flat at a million records; only keys that differ are written, and only the
 * records of renamed keys are touched. The whole runs in the migration's
 * transaction (a crash leaves the database as it was before 009).
 */
const BATCH = 5000;

export async function up(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE contacts ADD COLUMN email_key TEXT NOT NULL DEFAULT ''");
  await knex.raw("ALTER TABLE contacts ADD COLUMN organization_key TEXT NOT NULL DEFAULT ''");
  await knex.raw("ALTER TABLE contacts ADD COLUMN member_key TEXT NOT NULL DEFAULT ''");
  await rebuildContactKeys(knex);
}

type Stored = Pick<
  ContactRow,
  'id' | 'first_name' | 'last_name' | 'email' | 'organization' | 'member_number' | 'name_key' | 'email_key' | 'organization_key' | 'member_key'
>;

export async function rebuildContactKeys(knex: Knex, onProgress?: (done: number) => void): Promise<void> {
  let after = 0;
  let done = 0;
  for (;;) {
    const batch: Stored[] = await knex('contacts')
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .select('id', 'first_name', 'last_name', 'email', 'organization', 'member_number', 'name_key', 'email_key', 'organization_key', 'member_key');
    if (batch.length === 0) break;
    after = batch[batch.length - 1]?.id ?? after;
    const changed = [];
    const renamed = [];
    for (const c of batch) {
      const k = contactKeys(c);
      if (k.name_key !== c.name_key) renamed.push(c.id);
      if (k.name_key !== c.name_key || k.email_key !== c.email_key || k.organization_key !== c.organization_key || k.member_key !== c.member_key) {
        changed.push({ id: c.id, n: k.name_key, e: k.email_key, o: k.organization_key, m: k.member_key });
      }
    }
    if (changed.length > 0) {
      await knex.raw(
        `UPDATE contacts SET name_key = j.value ->> 'n', email_key = j.value ->> 'e', organization_key = j.value ->> 'o', member_key = j.value ->> 'm'
         FROM json_each(?) AS j WHERE contacts.id = j.value ->> 'id'`,
        [JSON.stringify(changed)],
      );
    }
    if (renamed.length > 0) {
      await knex.raw(
        `UPDATE records SET sort_name = c.name_key FROM contacts AS c
         WHERE c.id = records.contact_id AND records.contact_id IN (SELECT value FROM json_each(?)) AND records.sort_name <> c.name_key`,
        [JSON.stringify(renamed)],
      );
    }
    done += batch.length;
    onProgress?.(done);
  }
}

export function down(): Promise<void> {
  return Promise.reject(new Error('Migrations are append-only; restore a backup to go back.'));
}

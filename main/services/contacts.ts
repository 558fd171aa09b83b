import type { Knex } from 'knex';
import { changesFor, logChanges } from './changelog';
import { ServiceError, stamp, type Executor, type ServiceContext } from './context';
import { contactKeys, displayName, sameEmailKey, type ContactSearchKeys } from '../domain/contact';
import type { ContactRow, RecordRow } from '../domain/rows';
import { escapeLike, foldForSearch, searchWords } from '../domain/text-search';

export async function getContact(db: Executor, id: number): Promise<ContactRow> {
  const row = (await db('contacts').where({ id }).first()) as ContactRow | undefined;
  if (!row) throw new ServiceError('NOT_FOUND', `Contact ${id} does not exist.`);
  return row;
}

export interface NewContact {
  firstName: string;
  lastName: string;
  email?: string;
  memberNumber?: string | null;
  organization?: string;
  phone?: string;
  centralId?: string | null;
}

/**
 * The stored contact (other than `exceptId`) that already has this email
 * (in any letter case: sameEmailKey) or member number, with which of them: a contact is
 * never duplicated silently (SPEC.md §6).
 */
export async function findDuplicate(
  db: Executor,
  keys: { email?: string | null; memberNumber?: string | null },
  exceptId?: number,
): Promise<{ contact: ContactRow; by: 'email' | 'memberNumber' } | null> {
  const others = (q: Knex.QueryBuilder) => (exceptId === undefined ? q : q.whereNot('id', exceptId));
  if (keys.memberNumber) {
    const holder = (await others(db('contacts').where({ member_number: keys.memberNumber })).first()) as ContactRow | undefined;
    if (holder) return { contact: holder, by: 'memberNumber' };
  }
  const email = keys.email?.trim();
  if (email) {
    const candidates = (await others(db('contacts').where({ email_key: foldForSearch(email) })).orderBy('id')) as ContactRow[];
    const holder = candidates.find((c) => sameEmailKey(c.email) === sameEmailKey(email));
    if (holder) return { contact: holder, by: 'email' };
  }
  return null;
}

/**
 * The refusal of a duplicate, naming the contact who has the email or member number. `editing`: staff are
 * correcting a contact, not adding one, so "open that contact instead of adding another" would not fit.
 */
export function duplicateError(found: { contact: ContactRow; by: 'email' | 'memberNumber' }, editing = false): ServiceError {
  const { contact, by } = found;
  const who = `${displayName(contact)}${contact.member_number !== null && by === 'email' ? ` (member ${contact.member_number})` : ''}`;
  const advice = editing ? `two contacts cannot share ${by === 'email' ? 'an email' : 'a member number'}` : 'open that contact instead of adding another';
  return by === 'email'
    ? new ServiceError('CONFLICT', `${who} already has the email ${contact.email}; ${advice}.`, 'email')
    : new ServiceError('CONFLICT', `Member number ${contact.member_number ?? ''} belongs to ${who}; ${advice}.`, 'memberNumber');
}

/** A contact's editable fields, trimmed and the names in NFC, as stored. */
function contactColumns(
  input: NewContact,
): Pick<ContactRow, 'first_name' | 'last_name' | 'email' | 'member_number' | 'organization' | 'phone'> & ContactSearchKeys {
  const firstName = input.firstName.normalize('NFC').trim();
  const lastName = input.lastName.normalize('NFC').trim();
  if (lastName === '' && firstName === '') throw new ServiceError('INVALID', 'A contact needs a name.', 'lastName');
  const columns = {
    first_name: firstName,
    last_name: lastName,
    email: (input.email ?? '').trim(),
    member_number: input.memberNumber?.trim() || null,
    organization: (input.organization ?? '').trim(),
    phone: (input.phone ?? '').trim(),
  };
  return { ...columns, ...contactKeys(columns) };
}

/** Adds a contact (logged for the sync export in the same transaction); a duplicate email or member number is refused. */
export async function createContact(ctx: ServiceContext, input: NewContact): Promise<ContactRow> {
  return ctx.db.transaction(async (trx) => {
    const columns = contactColumns(input);
    const duplicate = await findDuplicate(trx, { email: columns.email, memberNumber: columns.member_number });
    if (duplicate) throw duplicateError(duplicate);
    const at = stamp(ctx);
    const [row] = (await trx('contacts')
      .insert({ ...columns, central_id: input.centralId ?? null, created_at: at, updated_at: at })
      .returning('*')) as ContactRow[];
    if (!row) throw new Error('insert returned no row');
    await logChanges(trx, changesFor('contact', 'insert', [row]), at);
    return row;
  });
}

export type ContactEdit = Omit<NewContact, 'centralId'> & { id: number };

/**
 * Staff correct a contact (name, email, member number, organization, phone):
 * one transaction with its change-log entry; a renamed contact's records get
 * the new sort key at once (and their own entries). Another contact's email
 * or member number is refused, naming them.
 */
export async function updateContact(ctx: ServiceContext, input: ContactEdit): Promise<ContactRow> {
  return ctx.db.transaction(async (trx) => {
    const stored = await getContact(trx, input.id);
    const columns = contactColumns(input);
    const duplicate = await findDuplicate(trx, { email: columns.email, memberNumber: columns.member_number }, stored.id);
    if (duplicate) throw duplicateError(duplicate, true);
    const patch = Object.fromEntries(Object.entries(columns).filter(([k, v]) => stored[k as keyof ContactRow] !== v)) as Partial<ContactRow>;
    if (Object.keys(patch).length === 0) return stored;
    const at = stamp(ctx);
    const [row] = (await trx('contacts')
      .where({ id: stored.id })
      .update({ ...patch, updated_at: at })
      .returning('*')) as ContactRow[];
    if (!row) throw new Error(`Contact ${stored.id} disappeared while it was being changed.`);
    await logChanges(trx, changesFor('contact', 'update', [row]), at);
    if (patch.name_key !== undefined) await resortRecords(trx, [row], at);
    return row;
  });
}

/**
 * Records keep their contact's name key as `sort_name`; a renamed contact's
 * records get the new one (and a logged update each), in the caller's
 * transaction. Their `updated_at` stays: nothing about the record itself changed.
 */
export async function resortRecords(trx: Executor, renamed: ReadonlyArray<{ id: number; name_key: string }>, at: string): Promise<number> {
  let updated = 0;
  const keyOf = new Map(renamed.map((c) => [c.id, c.name_key]));
  const ids = [...keyOf.keys()];
  for (let i = 0; i < ids.length; i += RESORT_CHUNK) {
    const records = (await trx('records').whereIn('contact_id', ids.slice(i, i + RESORT_CHUNK))) as RecordRow[];
    const stale = records.filter((r) => keyOf.get(r.contact_id) !== r.sort_name);
    for (const record of stale) {
      await trx('records')
        .where({ id: record.id })
        .update({ sort_name: keyOf.get(record.contact_id) as string });
    }
    await logChanges(
      trx,
      changesFor(
        'record',
        'update',
        stale.map((r) => ({ ...r, sort_name: keyOf.get(r.contact_id) as string })),
      ),
      at,
    );
    updated += stale.length;
  }
  return updated;
}

const RESORT_CHUNK = 400;

/** Contacts whose name, email or member number contains `text`, with how many records each has. */
export async function searchContacts(db: Executor, text: string, limit = 20): Promise<Array<ContactRow & { records: number }>> {
  const like = `%${escapeLike(foldForSearch(text))}%`;
  const rows = (await db('contacts as c')
    .leftJoin('records as r', 'r.contact_id', 'c.id')
    .where(
      (q) =>
        void q
          .where((n) => void whereNameMatches(n, 'c.name_key', text))
          .orWhereRaw("c.email_key like ? escape '\\'", [like])
          .orWhere('c.member_key', foldForSearch(text)),
    )
    .select('c.*')
    .count({ records: 'r.id' })
    .groupBy('c.id')
    .orderBy('c.name_key')
    .limit(limit)) as unknown as Array<ContactRow & { records: number }>;
  return rows.map((r) => ({ ...r, records: Number(r.records) }));
}

/**
 * Adds "every word of `text` appears in the name" on a name_key column, so
 * "Misty Abernathy" finds "abernathy misty". Case-folded beyond ASCII.
 */
export function whereNameMatches(q: Knex.QueryBuilder, column: string, text: string): Knex.QueryBuilder {
  for (const word of searchWords(text)) {
    void q.whereRaw("?? like ? escape '\\'", [column, `%${escapeLike(word)}%`]);
  }
  return q;
}

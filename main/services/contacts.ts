import type { Knex } from 'knex';
import { changesFor, logChanges } from './changelog';
import { ServiceError, stamp, type Executor, type ServiceContext } from './context';
import { displayName, nameKey } from '../domain/contact';
import type { ContactRow } from '../domain/rows';
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

/** Adds a contact (logged for the sync export in the same transaction). */
export async function createContact(ctx: ServiceContext, input: NewContact): Promise<ContactRow> {
  return ctx.db.transaction(async (trx) => {
    if (input.memberNumber) {
      const taken = (await trx('contacts').where({ member_number: input.memberNumber }).first()) as ContactRow | undefined;
      if (taken) throw new ServiceError('CONFLICT', `Member number ${input.memberNumber} belongs to ${displayName(taken)}.`, 'memberNumber');
    }
    const at = stamp(ctx);
    const firstName = input.firstName.normalize('NFC').trim();
    const lastName = input.lastName.normalize('NFC').trim();
    if (lastName === '' && firstName === '') throw new ServiceError('INVALID', 'A contact needs a name.', 'lastName');
    const [row] = (await trx('contacts')
      .insert({
        first_name: firstName,
        last_name: lastName,
        email: (input.email ?? '').trim(),
        member_number: input.memberNumber?.trim() || null,
        organization: (input.organization ?? '').trim(),
        phone: (input.phone ?? '').trim(),
        central_id: input.centralId ?? null,
        name_key: nameKey(firstName, lastName),
        created_at: at,
        updated_at: at,
      })
      .returning('*')) as ContactRow[];
    if (!row) throw new Error('insert returned no row');
    await logChanges(trx, changesFor('contact', 'insert', [row]), at);
    return row;
  });
}

/** Contacts whose name, email or member number contains `text`, with how many records each has. */
export async function searchContacts(db: Executor, text: string, limit = 20): Promise<Array<ContactRow & { records: number }>> {
  const like = `%${escapeLike(foldForSearch(text))}%`;
  const rows = (await db('contacts as c')
    .leftJoin('records as r', 'r.contact_id', 'c.id')
    .where((q) => void q.where((n) => void whereNameMatches(n, 'c.name_key', text)).orWhereRaw("lower(c.email) like ? escape '\\'", [like]).orWhere('c.member_number', text.trim()))
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

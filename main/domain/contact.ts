/** A contact: its field limits, its form/IPC schema and how its name is shown, sorted and searched. */
import { z } from 'zod';
import type { ContactRow } from './rows';
import { id, line, required } from './schema-parts';
import { foldForSearch } from './text-search';

/** Every door (form, IPC, CSV import, central batch) holds contact fields to these lengths. */
export const CONTACT_LIMITS = {
  firstName: 1000,
  lastName: 1000,
  email: 320,
  memberNumber: 64,
  organization: 1000,
  phone: 100,
  centralId: 200,
} as const;

/**
 * What counts as an email address, at every door (forms, IPC, imports). RFC
 * 6531 allows UTF-8 in the local part (zoë@example.org) and the domain; so:
 * no blanks, quotes, angle brackets or a second @, at most 64 characters
 * before the @, and a domain of dot-separated parts.
 */
const EMAIL = /^[^\s@"<>()[\]\\,;:]{1,64}@(?=.{1,255}$)[^\s@"<>()[\]\\,;:.]+(?:\.[^\s@"<>()[\]\\,;:.]+)+$/u;

export function isEmailAddress(text: string): boolean {
  return EMAIL.test(text) && !text.startsWith('.') && !text.includes('..') && !text.includes('.@');
}

export const newContactSchema = z
  .object({
    firstName: line('First name', CONTACT_LIMITS.firstName),
    lastName: required('Last name', CONTACT_LIMITS.lastName),
    email: z.union([z.literal(''), z.string().max(CONTACT_LIMITS.email).refine(isEmailAddress, 'Enter an email address like name@example.org.')]).optional(),
    memberNumber: line('Member number', CONTACT_LIMITS.memberNumber).nullable().optional(),
    organization: line('Organization', CONTACT_LIMITS.organization).optional(),
    phone: line('Phone', CONTACT_LIMITS.phone).optional(),
  })
  .strict();

export const contactEditSchema = newContactSchema.extend({ id }).strict();

/** The key the list sorts and searches names by: "last first", folded as typed search words are. */
export function nameKey(firstName: string, lastName: string): string {
  return foldForSearch(`${lastName} ${firstName}`);
}

/** The stored search keys of a contact's searchable text, each folded as typed words are. */
export interface ContactSearchKeys {
  name_key: string;
  email_key: string;
  organization_key: string;
  member_key: string;
}

/** The key columns: derived, never shown as a change of their own. */
export const SEARCH_KEY_COLUMNS: ReadonlySet<string> = new Set(['name_key', 'email_key', 'organization_key', 'member_key']);

type SearchedColumns = Pick<ContactRow, 'first_name' | 'last_name' | 'email' | 'organization' | 'member_number'>;

/** Every search key of a contact: what each write of a new contact stores beside its text. */
export function contactKeys(c: SearchedColumns): ContactSearchKeys {
  return {
    name_key: nameKey(c.first_name, c.last_name),
    email_key: foldForSearch(c.email),
    organization_key: foldForSearch(c.organization),
    member_key: foldForSearch(c.member_number ?? ''),
  };
}

/** Adds to a patch of a stored contact the keys of the text it changes (records sort by the name key). */
export function withSearchKeys(stored: Pick<ContactRow, 'first_name' | 'last_name' | 'name_key'>, patch: Partial<Record<string, unknown>>): void {
  if (patch.first_name !== undefined || patch.last_name !== undefined) {
    const key = nameKey((patch.first_name as string | undefined) ?? stored.first_name, (patch.last_name as string | undefined) ?? stored.last_name);
    if (key !== stored.name_key) patch.name_key = key;
  }
  if (patch.email !== undefined) patch.email_key = foldForSearch(patch.email as string);
  if (patch.organization !== undefined) patch.organization_key = foldForSearch(patch.organization as string);
  if (patch.member_number !== undefined) patch.member_key = foldForSearch((patch.member_number as string | null) ?? '');
}

/**
 * Two emails are the same address when they are equal in any letter case (the
 * whole of Unicode: "ZOË@…" is "zoë@…"; SQLite's lower() folds only A–Z) and
 * composed alike; accents still count ("zoe@…" is another address). Stored
 * holders are found by the folded, indexed `email_key` (which equal emails
 * share), then compared by this key.
 */
export function sameEmailKey(email: string): string {
  return email.normalize('NFC').toLowerCase();
}

export function displayName(c: Pick<ContactRow, 'first_name' | 'last_name'>): string {
  return `${c.first_name} ${c.last_name}`.trim();
}

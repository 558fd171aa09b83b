/** A contact: its field limits, its form/IPC schema and how its name is shown, sorted and searched. */
import { z } from 'zod';
import type { ContactRow } from './rows';
import { line, required } from './schema-parts';
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

export const newContactSchema = z
  .object({
    firstName: line('First name', CONTACT_LIMITS.firstName),
    lastName: required('Last name', CONTACT_LIMITS.lastName),
    email: z.union([z.literal(''), z.email('Enter an email address like name@example.org.').max(CONTACT_LIMITS.email)]).optional(),
    memberNumber: line('Member number', CONTACT_LIMITS.memberNumber).nullable().optional(),
    organization: line('Organization', CONTACT_LIMITS.organization).optional(),
    phone: line('Phone', CONTACT_LIMITS.phone).optional(),
  })
  .strict();

/** The key the list sorts and searches names by: "last first", folded as typed search words are. */
export function nameKey(firstName: string, lastName: string): string {
  return foldForSearch(`${lastName} ${firstName}`);
}

export function displayName(c: Pick<ContactRow, 'first_name' | 'last_name'>): string {
  return `${c.first_name} ${c.last_name}`.trim();
}

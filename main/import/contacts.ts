/**
 * A contact as the imports see it (CSV and central batches): its fields,
 * labels, limits and header names, the checks of its values, its matcher
 * (central id → member number → new) and its name key after a rename.
 */
import { CONTACT_LIMITS, displayName, isEmailAddress, sameEmailKey } from '../domain/contact';
import type { ContactRow } from '../domain/rows';
import type { ImportField } from './csv-import';
import { Matcher } from './match';
import { checkText } from './text';

export const CONTACT_FIELDS = ['firstName', 'lastName', 'email', 'memberNumber', 'organization', 'phone', 'centralId'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

export const CONTACT_FIELD_LABELS: Record<ContactField, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  email: 'Email',
  memberNumber: 'Member number',
  organization: 'Organization',
  phone: 'Phone',
  centralId: 'Central ID',
};

/** Header names recognised for each field, normalised (lower case, letters and digits only). */
export const CONTACT_HEADER_SYNONYMS: Record<ContactField, readonly string[]> = {
  firstName: ['firstname', 'givenname', 'forename', 'first', 'vorname', 'prenom', 'nombre'],
  lastName: ['lastname', 'surname', 'familyname', 'last', 'nachname', 'nom', 'apellido', 'apellidos'],
  email: ['email', 'emailaddress', 'mail', 'emailadresse', 'courriel', 'correo', 'correoelectronico'],
  memberNumber: ['membernumber', 'memberid', 'memberno', 'membershipnumber', 'membershipid', 'membershipno', 'member', 'mitgliedsnummer'],
  organization: ['organization', 'organisation', 'company', 'companyname', 'employer', 'org', 'firma'],
  phone: ['phone', 'phonenumber', 'telephone', 'tel', 'mobile', 'mobilephone', 'cell', 'telefon', 'telefono'],
  centralId: ['centralid', 'centralsystemid', 'centralcontactid', 'externalid'],
};

export const CONTACT_COLUMN: Record<ContactField, 'first_name' | 'last_name' | 'email' | 'member_number' | 'organization' | 'phone' | 'central_id'> = {
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  memberNumber: 'member_number',
  organization: 'organization',
  phone: 'phone',
  centralId: 'central_id',
};

/** The fields with their labels, for the mapping UI. */
export const CONTACT_IMPORT_FIELDS: Array<ImportField<ContactField>> = CONTACT_FIELDS.map((field) => ({
  field,
  label: CONTACT_FIELD_LABELS[field],
  required: field === 'lastName',
}));

export type ContactValues = Partial<Record<ContactField, string>>;

/** Every problem of one contact's values, in field order. */
export function contactValueProblems(v: ContactValues): Array<{ field: ContactField; reason: string }> {
  const problems: Array<{ field: ContactField; reason: string }> = [];
  for (const field of CONTACT_FIELDS) {
    const value = v[field];
    if (value === undefined) continue;
    const problem = checkText(CONTACT_FIELD_LABELS[field], value, CONTACT_LIMITS[field], false);
    if (problem) problems.push({ field, reason: problem });
    else if (field === 'email' && !isEmailAddress(value)) problems.push({ field, reason: `Email "${value}" is not an email address like name@example.org.` });
  }
  if (v.lastName === undefined) problems.push({ field: 'lastName', reason: 'Last name is empty.' });
  return problems;
}

export type ContactLike = Pick<ContactRow, 'id' | 'central_id' | 'member_number' | 'first_name' | 'last_name'>;

/** The contacts an import matches its rows against. */
export function contactMatcher<T extends ContactLike>(rows: Iterable<T>): Matcher<T> {
  return new Matcher(rows, (c) => c.member_number, { key: 'Member number', noun: 'contact', name: displayName });
}

/**
 * Who holds each email, in any letter case (sameEmailKey): a contact never takes another
 * contact's email (SPEC.md §6, never a silent duplicate), whichever import it
 * arrives by. Planned contacts hold their email for the rows after them.
 */
export class EmailHolders<T extends Pick<ContactRow, 'id' | 'email' | 'first_name' | 'last_name' | 'member_number'>> {
  private readonly byEmail = new Map<string, T>();

  constructor(stored: Iterable<T>) {
    for (const c of stored) this.take(c.email, c);
  }

  /** The contact (other than `self`) that holds `email`, if any. */
  holderOf(email: string, self?: { id: number }): T | undefined {
    const holder = this.byEmail.get(sameEmailKey(email));
    return holder && holder.id !== self?.id ? holder : undefined;
  }

  /** Gives `email` to `contact` (the first holder keeps it). */
  take(email: string, contact: T): void {
    if (email !== '' && !this.byEmail.has(sameEmailKey(email))) this.byEmail.set(sameEmailKey(email), contact);
  }
}

/** "Email x belongs to Joan Adams (member M-1)": the start of every refusal of another contact's email. */
export function emailTakenWords(email: string, holder: Pick<ContactRow, 'first_name' | 'last_name' | 'member_number'>): string {
  return `Email ${email} belongs to ${displayName(holder)}${holder.member_number !== null ? ` (member ${holder.member_number})` : ''}`;
}

/**
 * The keys a work-flow import (applications, completions, records) names a
 * contact and a certification by: the contact by central ID, else member
 * number, else email (when one contact has it); the certification by its
 * code. Stored rows are read once per file, for the keys the file has.
 */
import { CONTACT_LIMITS, displayName, sameEmailKey } from '../domain/contact';
import type { ContactRow, ProgramRow } from '../domain/rows';
import { foldForSearch } from '../domain/text-search';
import { whereInJson } from '../db/where-in-json';
import type { Executor } from '../services/context';
import type { CsvSpec, ImportField } from './csv-import';
import { Slices } from './slices';

export const CONTACT_KEY_FIELDS = ['centralId', 'memberNumber', 'email'] as const;
export type ContactKeyField = (typeof CONTACT_KEY_FIELDS)[number];

export const CONTACT_KEY_LABELS: Record<ContactKeyField, string> = { centralId: 'Central ID', memberNumber: 'Member number', email: 'Email' };

export const CONTACT_KEY_SYNONYMS: Record<ContactKeyField, readonly string[]> = {
  centralId: ['centralid', 'centralsystemid', 'centralcontactid', 'externalid', 'contactcentralid'],
  memberNumber: ['membernumber', 'memberid', 'memberno', 'membershipnumber', 'membershipid', 'member', 'contact', 'contactkey'],
  email: ['email', 'emailaddress', 'mail', 'contactemail'],
};

export const PROGRAM_CODE_SYNONYMS = ['certificationcode', 'code', 'programcode', 'certcode', 'certification', 'program'] as const;

export type ContactKeys = Partial<Record<ContactKeyField, string>>;

/** The columns every work-flow file starts with: the contact's keys and the certification code. */
export type KeyedField = ContactKeyField | 'certification';

/** Labels and length limits of those columns. */
export const KEYED_LABELS: Record<KeyedField, string> = { ...CONTACT_KEY_LABELS, certification: 'Certification code' };
export const KEYED_LIMITS: Record<KeyedField, number> = {
  memberNumber: CONTACT_LIMITS.memberNumber,
  centralId: CONTACT_LIMITS.centralId,
  email: CONTACT_LIMITS.email,
  certification: 64,
};

/**
 * The CSV spec of a work-flow file (applications, completions, records): the contact-key and
 * certification columns with their header synonyms, then the file's own; `required` are required.
 */
export function keyedCsvSpec<F extends string>(own: {
  fields: readonly F[];
  labels: Record<F, string>;
  synonyms: Record<Exclude<F, KeyedField>, readonly string[]>;
  required: readonly F[];
}): CsvSpec<F> {
  return {
    fields: own.fields,
    importFields: own.fields.map((field): ImportField<F> => ({ field, label: own.labels[field], required: own.required.includes(field) })),
    synonyms: { ...CONTACT_KEY_SYNONYMS, certification: PROGRAM_CODE_SYNONYMS, ...own.synonyms } as Record<F, readonly string[]>,
    labels: own.labels,
    required: own.required,
  };
}

export type KeyedContact = Pick<ContactRow, 'id' | 'first_name' | 'last_name' | 'member_number' | 'central_id' | 'email' | 'name_key'>;
const KEYED_COLUMNS = ['id', 'first_name', 'last_name', 'member_number', 'central_id', 'email', 'name_key'] as const;

/** Keys per lookup query: each answers in a few milliseconds (5,000 rows made into objects at once held the main thread ~45 ms at 1M). */
const LOOKUP_KEYS = 1000;

/** Who a row's contact keys name, read once for the whole file. */
export class ContactDirectory {
  private constructor(
    private readonly byCentral: Map<string, KeyedContact>,
    private readonly byMember: Map<string, KeyedContact>,
    private readonly byEmail: Map<string, KeyedContact[]>,
  ) {}

  /**
   * Reads the contacts the rows name, each key kind on its own index (central ID, member
   * number, the folded email `email_key`), a few thousand keys per query with a turn of the
   * event loop between: a file of 100,000 lines never blocks the list for one big read.
   */
  static async load(db: Executor, rows: readonly ContactKeys[]): Promise<ContactDirectory> {
    const central = new Set<string>();
    const member = new Set<string>();
    const emails = new Set<string>();
    const slices = new Slices();
    for (const k of rows) {
      if (slices.due()) await slices.pause();
      if (k.centralId !== undefined) central.add(k.centralId);
      else if (k.memberNumber !== undefined) member.add(k.memberNumber);
      else if (k.email !== undefined) emails.add(foldForSearch(k.email));
    }
    const seen = new Set<number>();
    const byCentral = new Map<string, KeyedContact>();
    const byMember = new Map<string, KeyedContact>();
    // The folded key finds the candidates; an email matches as the same address in any letter case (sameEmailKey).
    const byEmail = new Map<string, KeyedContact[]>();
    for (const [column, values] of [
      ['central_id', central],
      ['member_number', member],
      ['email_key', emails],
    ] as const) {
      const all = [...values];
      for (let i = 0; i < all.length; i += LOOKUP_KEYS) {
        const part: KeyedContact[] = await whereInJson(db('contacts'), column, all.slice(i, i + LOOKUP_KEYS)).select(KEYED_COLUMNS);
        for (const c of part) {
          // Each contact's email folded into its key: 5,000 of them held the main thread for up to 70 ms at 1M.
          if (slices.due()) await slices.pause();
          if (seen.has(c.id)) continue;
          seen.add(c.id);
          if (c.central_id !== null) byCentral.set(c.central_id, c);
          if (c.member_number !== null) byMember.set(c.member_number, c);
          // Only a row named by its email alone asks by email: without one, no email index is built.
          if (c.email === '' || emails.size === 0) continue;
          const key = sameEmailKey(c.email);
          const same = byEmail.get(key);
          if (same) same.push(c);
          else byEmail.set(key, [c]);
        }
        await slices.maybePause();
      }
    }
    return new ContactDirectory(byCentral, byMember, byEmail);
  }

  /** The contact, or why none: the row names nobody, or an email two contacts share. */
  find(k: ContactKeys): KeyedContact | string {
    if (k.centralId !== undefined) return this.byCentral.get(k.centralId) ?? `No contact has central ID ${k.centralId}; import the contact first.`;
    if (k.memberNumber !== undefined) return this.byMember.get(k.memberNumber) ?? `No contact has member number ${k.memberNumber}; import the contact first.`;
    if (k.email !== undefined) {
      const found = this.byEmail.get(sameEmailKey(k.email)) ?? [];
      if (found.length === 1) return found[0] as KeyedContact;
      return found.length === 0
        ? `No contact has the email ${k.email}; import the contact first.`
        : `${found.length} contacts have the email ${k.email}; give the member number instead.`;
    }
    return 'The row names no contact: give a member number, a central ID or an email.';
  }
}

/** Certifications by code (a few hundred at most: read whole). */
export async function programsByCode(db: Executor): Promise<Map<string, ProgramRow>> {
  return new Map(((await db('programs').select('*')) as ProgramRow[]).map((p) => [p.code, p]));
}

export function contactLabel(c: Pick<ContactRow, 'first_name' | 'last_name' | 'member_number'>): string {
  return `${displayName(c)}${c.member_number !== null ? ` (member ${c.member_number})` : ''}`;
}

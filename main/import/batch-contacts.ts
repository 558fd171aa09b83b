/**
 * Contacts from central batches: each change's last state upserted by the
 * central id, else linked by member number (the one matcher); a member number
 * another contact holds is rejected, and so is an email another contact holds
 * (as the form and the CSV import refuse it). Planned rows hold their keys for the
 * changes after them, so the writes, done in plan order, meet the unique
 * constraints exactly as planned.
 */
import { z } from 'zod';
import { CONTACT_LIMITS, contactKeys, displayName, sameEmailKey, SEARCH_KEY_COLUMNS, withSearchKeys } from '../domain/contact';
import type { Executor } from '../services/context';
import type { ContactRow } from '../domain/rows';
import { latest, type Located } from './batch-folder';
import { diff, zodReason, type BatchPlanning } from './batch-plan';
import { contactMatcher, EmailHolders, emailTakenWords, type ContactLike } from './contacts';
import { checkText } from './text';

const ContactData = z.object({
  first_name: z.string(),
  last_name: z.string(),
  email: z.string().optional(),
  organization: z.string().optional(),
  phone: z.string().optional(),
  member_number: z.string().nullable().optional(),
});
type ContactData = z.infer<typeof ContactData>;

function problemsOf(d: ContactData): string[] {
  const texts = {
    first_name: d.first_name,
    last_name: d.last_name,
    email: d.email,
    organization: d.organization,
    phone: d.phone,
    member_number: d.member_number ?? undefined,
  };
  const limits = {
    first_name: CONTACT_LIMITS.firstName,
    last_name: CONTACT_LIMITS.lastName,
    email: CONTACT_LIMITS.email,
    organization: CONTACT_LIMITS.organization,
    phone: CONTACT_LIMITS.phone,
    member_number: CONTACT_LIMITS.memberNumber,
  };
  const problems = Object.entries(texts).flatMap(([k, v]) =>
    v === undefined ? [] : [checkText(k, v, limits[k as keyof typeof limits], false)].filter((p): p is string => p !== null),
  );
  if (d.first_name.trim() === '' && d.last_name.trim() === '') problems.push('first_name and last_name are both empty');
  return problems;
}

export async function planContacts(db: Executor, changes: readonly Located[], p: BatchPlanning): Promise<void> {
  const stored = (await db('contacts').select('*')) as ContactRow[];
  const storedById = new Map(stored.map((c) => [c.id, c]));
  const matcher = contactMatcher<ContactLike>(stored);
  const emails = new EmailHolders<Pick<ContactRow, 'id' | 'email' | 'first_name' | 'last_name' | 'member_number'>>(stored);
  for (const at of latest(changes, 'contact')) {
    const parsed = ContactData.safeParse(at.change.data);
    if (!parsed.success) {
      p.reject('contact', at, zodReason(parsed.error));
      continue;
    }
    const d = parsed.data;
    const problems = problemsOf(d);
    if (problems.length > 0) {
      p.reject('contact', at, problems.join(' '));
      continue;
    }
    const centralId = String(at.change.id);
    // Absent leaves the stored member number; null or empty clears it.
    const member = d.member_number === undefined ? undefined : d.member_number === null || d.member_number === '' ? null : d.member_number;
    const match = matcher.match(centralId, member ?? undefined);
    if ('conflict' in match) {
      p.reject('contact', at, match.conflict);
      continue;
    }
    // A new email (a new contact's, or a changed one) must not be another contact's.
    const self = match.row ? storedById.get(match.row.id) : undefined;
    const holder =
      d.email && sameEmailKey(d.email) !== (self ? sameEmailKey(self.email) : undefined) ? emails.holderOf(d.email, match.row ?? undefined) : undefined;
    if (holder && d.email) {
      p.reject('contact', at, `${emailTakenWords(d.email, holder)}; a contact never takes another contact's email.`);
      continue;
    }
    const label = `${d.last_name}, ${d.first_name}${member ? ` (member ${member})` : ''}`;
    const next = {
      central_id: centralId,
      first_name: d.first_name,
      last_name: d.last_name,
      email: d.email,
      organization: d.organization,
      phone: d.phone,
      member_number: member,
    };
    if (!match.row) {
      const ref = p.nextRef();
      const row = {
        ...next,
        email: d.email ?? '',
        organization: d.organization ?? '',
        phone: d.phone ?? '',
        member_number: member ?? null,
        ...contactKeys({
          first_name: d.first_name,
          last_name: d.last_name,
          email: d.email ?? '',
          organization: d.organization ?? '',
          member_number: member ?? null,
        }),
      };
      p.ops.push({ entity: 'contact', kind: 'insert', ref, row });
      matcher.add({ id: -ref, central_id: centralId, member_number: row.member_number, first_name: d.first_name, last_name: d.last_name });
      emails.take(row.email, { id: -ref, email: row.email, first_name: d.first_name, last_name: d.last_name, member_number: row.member_number });
      p.count(
        'contact',
        'new',
        at,
        label,
        diff({}, row).fields.filter((f) => !SEARCH_KEY_COLUMNS.has(f.field)),
      );
      continue;
    }
    const contact = storedById.get(match.row.id);
    if (!contact) {
      // The same central id twice in one import cannot happen (latest() keeps one change per id).
      p.reject('contact', at, 'matches a contact planned earlier in this import.');
      continue;
    }
    const other = matcher.claim(contact, centralId);
    if (other !== undefined) {
      p.reject('contact', at, `member number ${member ?? ''} links it to ${displayName(contact)}, whom contact ${other} of this import already is.`);
      continue;
    }
    const { patch, fields } = diff(contact as unknown as Record<string, unknown>, next);
    withSearchKeys(contact, patch);
    if (fields.length === 0) {
      p.count('contact', 'unchanged', at, label, []);
      continue;
    }
    p.ops.push({ entity: 'contact', kind: 'update', id: contact.id, patch });
    if (typeof patch.email === 'string') emails.take(patch.email, contact);
    matcher.rekey(contact, centralId, patch.member_number !== undefined ? { from: contact.member_number, to: member ?? null } : undefined);
    p.count('contact', 'changed', at, label, fields);
  }
}

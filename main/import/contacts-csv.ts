/**
 * Contacts from CSV: a preview (new, changed, unchanged, rejected with line
 * and reason), then the apply, in one transaction, of exactly the rows the
 * preview counted. The rules (docs/import.md):
 *
 * - A row is matched to a stored contact by its central ID; else by its member
 *   number; a row with neither is matched by name and email (the folded
 *   "last first" name key, email in any letter case) and is new only
 *   when no contact has that name and email.
 * - A row matched by member number to a contact without a central ID gives it
 *   the row's central ID.
 * - Values are stored exactly as the file has them (trimmed of surrounding
 *   blanks; no Unicode normalisation, no formula neutralisation). Only the
 *   search key is folded.
 * - An empty cell never erases: it leaves the stored value as it is (a new
 *   contact gets an empty value).
 * - Importing the same file again changes nothing: every row is unchanged.
 */
import type { Db } from '../db/database';
import { mapInSlices, Slices } from './slices';
import { whereInJson } from '../db/where-in-json';
import { contactKeys, displayName, nameKey, sameEmailKey, withSearchKeys } from '../domain/contact';
import { foldForSearch } from '../domain/text-search';
import { resortRecords } from '../services/contacts';
import { stamp, type Actor, type Executor, type ServiceContext } from '../services/context';
import type { JobProgress } from '../domain/progress';
import type { ContactRow } from '../domain/rows';
import {
  CONTACT_COLUMN,
  CONTACT_FIELD_LABELS,
  CONTACT_FIELDS,
  CONTACT_HEADER_SYNONYMS,
  CONTACT_IMPORT_FIELDS,
  contactMatcher,
  contactValueProblems,
  emailTakenWords,
  type ContactField,
  type ContactValues,
} from './contacts';
import {
  plannedResult,
  prepareCsv,
  prepareCsvForApply,
  readRowsOnce,
  readSourceForApply,
  type CsvImportInput,
  type CsvImportResult,
  type CsvSpec,
  type PreparedCsv,
} from './csv-import';
import { planAndKeep, planForApply, planKey } from './kept-plan';
import { Tally, type FieldChange } from './result';
import { cell } from './text';
import { chunk, inTransaction, insertLogged, progressReporter, updateLogged } from './write';

export type ContactsCsvInput = CsvImportInput<ContactField>;
export type ContactsCsvResult = CsvImportResult<ContactField>;

type Values = ContactValues;

/** Identity of a contact without keys: folded "last first" name and email. */
function identity(nameKeyValue: string, email: string): string {
  return `${nameKeyValue}\u0000${foldForSearch(email)}`;
}

/** A row's identity (null without a last name). */
function identityOf(v: Values): string | null {
  const key = nameKeyOf(v);
  return key === null ? null : identity(key, v.email ?? '');
}

function label(v: { lastName?: string; firstName?: string; memberNumber?: string }): string {
  const name = [v.lastName, v.firstName].filter((p) => p !== undefined && p !== '').join(', ');
  return v.memberNumber ? `${name} (member ${v.memberNumber})` : name;
}

const SPEC: CsvSpec<ContactField> = {
  fields: CONTACT_FIELDS,
  importFields: CONTACT_IMPORT_FIELDS,
  synonyms: CONTACT_HEADER_SYNONYMS,
  labels: CONTACT_FIELD_LABELS,
  required: ['lastName'],
};

type Prepared = PreparedCsv<ContactField>;

type NewContactRow = Omit<ContactRow, 'id' | 'created_at' | 'updated_at'>;

interface Plan {
  result: ContactsCsvResult;
  inserts: NewContactRow[];
  updates: Array<{ id: number; patch: Partial<ContactRow> }>;
}

/** A data row's values (none for a ragged row). */
interface FileRow {
  line: number;
  ragged?: string;
  v: Values;
}

/** A row with neither central ID nor member number: matched by name and email. */
function isKeyless(v: Values): boolean {
  return v.centralId === undefined && v.memberNumber === undefined;
}

/** A row's folded "last first" name key (null without a last name). */
function nameKeyOf(v: Values): string | null {
  return v.lastName === undefined ? null : nameKey(v.firstName ?? '', v.lastName);
}

/** Reads every row's values once, for the lookup of stored contacts and for the plan. */
function readRows(prepared: Prepared): Promise<FileRow[]> {
  const { map } = prepared;
  return readRowsOnce(prepared, (row) => {
    if (row.ragged !== undefined) return { line: row.line, ragged: row.ragged, v: {} };
    const v: Values = {};
    for (const field of CONTACT_FIELDS) {
      const value = cell(row.fields, map.columns[field]);
      if (value !== undefined) v[field] = value;
    }
    return { line: row.line, v };
  });
}

/** The columns of a stored contact the plan reads: the file's fields, the id and the name key (not the other search keys or times). */
const STORED_COLUMNS = ['id', 'central_id', 'member_number', 'first_name', 'last_name', 'email', 'organization', 'phone', 'name_key'] as const;
type StoredContact = Pick<ContactRow, (typeof STORED_COLUMNS)[number]>;

/**
 * The stored contacts the plan can match the file's rows to: those with a
 * central ID or member number the file has, or a name key of a row that has
 * neither. Index lookups instead of reading every contact (250,000 at a
 * million records); the keys travel as bound JSON arrays.
 */
async function storedContactsFor(db: Executor, rows: readonly FileRow[]): Promise<StoredContact[]> {
  const central = new Set<string>();
  const member = new Set<string>();
  const names = new Set<string>();
  const emails = new Set<string>();
  const slices = new Slices();
  for (const { v } of rows) {
    if (v.centralId !== undefined) central.add(v.centralId);
    if (v.memberNumber !== undefined) member.add(v.memberNumber);
    const key = isKeyless(v) ? nameKeyOf(v) : null;
    if (key !== null) names.add(key);
    if (v.email !== undefined) emails.add(foldForSearch(v.email));
    if (slices.due()) await slices.pause();
  }
  // Holders of the file's emails are found by the folded key on its index: a new contact never takes another's
  // email (compared by sameEmailKey in plan). The lookups answer ids only, KEYS_PER_QUERY keys at a time: at a
  // million records a file's names alone match hundreds of thousands of contacts, and a file's member numbers
  // and emails name the same contacts twice; each contact is then read once, with the columns the plan needs
  // (issue #17: turning the rows of a big result into objects held the main thread, and the heap grew with them).
  const found = new Set<number>();
  const lookups: Array<[string, Set<string>]> = [
    ['central_id', central],
    ['member_number', member],
    ['name_key', names],
    ['email_key', emails],
  ];
  for (const [column, keys] of lookups) {
    for (const part of chunk([...keys], KEYS_PER_QUERY)) {
      for (const { id } of await whereInJson(db('contacts'), column, part).select<Array<{ id: number }>>('id')) found.add(id);
      await slices.maybePause();
    }
  }
  // In id order, as one query over the indexes gave them: the plan's first-come rules stay the same.
  const ids = Float64Array.from(found).sort();
  const stored: StoredContact[] = [];
  for (let at = 0; at < ids.length; at += KEYS_PER_QUERY) {
    const part = Array.from(ids.subarray(at, at + KEYS_PER_QUERY));
    for (const c of await whereInJson(db('contacts'), 'id', part).orderBy('id').select<StoredContact[]>(STORED_COLUMNS)) stored.push(c);
    await slices.maybePause();
  }
  return stored;
}

/** Keys per lookup query (see storedContactsFor). */
const KEYS_PER_QUERY = 1_000;

/** Decides every row against the stored contacts; pure apart from its inputs. */
async function plan(prepared: Prepared, rows: readonly FileRow[], stored: readonly StoredContact[]): Promise<Plan> {
  const slices = new Slices();
  // Filled in the sliced loop below: at a million records the stored contacts sharing the file's names
  // run to hundreds of thousands, and indexing them in one go held the main thread for ~0.6 s.
  const matcher = contactMatcher<StoredContact>([]);
  const byEmail = new Map<string, StoredContact>();
  for (const c of stored) {
    matcher.add(c);
    if (c.email !== '' && !byEmail.has(sameEmailKey(c.email))) byEmail.set(sameEmailKey(c.email), c);
    if (slices.due()) await slices.pause();
  }
  // Name and email only decide keyless rows: a file whose rows all have a key (the usual export) builds
  // none of it (issue #17: 100,000 identities, their maps and the stored contacts' were ~25 MB of the heap).
  let anyKeyless = false;
  for (const row of rows) {
    if (row.ragged === undefined && isKeyless(row.v)) {
      anyKeyless = true;
      break;
    }
  }
  const identities = anyKeyless ? await mapInSlices(rows, ({ v }) => identityOf(v)) : null;
  const byIdentity = new Map<string, StoredContact[]>();
  if (anyKeyless) {
    for (const c of stored) {
      const id = identity(c.name_key, c.email);
      const same = byIdentity.get(id);
      if (same) same.push(c);
      else byIdentity.set(id, [c]);
      if (slices.due()) await slices.pause();
    }
  }
  const seenEmail = new Map<string, number>();
  const seenCentral = new Map<string, number>();
  const seenMember = new Map<string, number>();
  const seenIdentity = new Map<string, number>();
  const tally = new Tally();
  const inserts: NewContactRow[] = [];
  const updates: Plan['updates'] = [];
  // Name and email of the rows that have a key: a row without a key that shares them is
  // ambiguous wherever it stands in the file (else a second import would see two contacts).
  const keyedIdentity = new Map<string, number>();
  for (const [i, { v, line }] of identities === null ? [] : rows.entries()) {
    if (slices.due()) await slices.pause();
    const id = identities?.[i] ?? null;
    if (id === null || isKeyless(v)) continue;
    if (!keyedIdentity.has(id)) keyedIdentity.set(id, line);
  }

  for (const [i, row] of rows.entries()) {
    if (slices.due()) await slices.pause();
    if (row.ragged !== undefined) {
      tally.reject(row.line, row.ragged);
      continue;
    }
    const v = row.v;
    const problems = contactValueProblems(v);
    const bad = new Set(problems.map((p) => p.field));
    const reasons = problems.map((p) => p.reason);
    // Keys first: a key seen on an earlier line makes this row a duplicate, whatever else is wrong with either.
    if (v.centralId !== undefined && !bad.has('centralId')) {
      const first = seenCentral.get(v.centralId);
      if (first !== undefined) reasons.unshift(`Central ID ${v.centralId} is also on line ${first}; only the first of them is imported.`);
      else seenCentral.set(v.centralId, row.line);
    }
    if (v.memberNumber !== undefined && !bad.has('memberNumber')) {
      const first = seenMember.get(v.memberNumber);
      if (first !== undefined) reasons.unshift(`Member number ${v.memberNumber} is also on line ${first}; only the first of them is imported.`);
      else seenMember.set(v.memberNumber, row.line);
    }
    if (reasons.length > 0) {
      tally.reject(row.line, reasons.join(' '));
      continue;
    }
    // A row without a last name was rejected above, so it has a name key and an identity.
    const lastName = v.lastName as string;
    const keyless = isKeyless(v);
    // Only a keyless row reads these; a file without one has no identities (above).
    const rowIdentity = identities?.[i] as string;
    const firstWithIdentity = identities === null ? undefined : seenIdentity.get(rowIdentity);
    if (firstWithIdentity === undefined) {
      if (identities !== null) seenIdentity.set(rowIdentity, row.line);
    } else if (keyless) {
      tally.reject(
        row.line,
        `Same name and email as line ${firstWithIdentity}, and this row has no central ID or member number to tell them apart; only the first is imported.`,
      );
      continue;
    }
    const keyedLine = keyedIdentity.get(rowIdentity);
    if (keyless && keyedLine !== undefined) {
      tally.reject(row.line, `Same name and email as line ${keyedLine}, which has a central ID or member number; give this row the same one, or leave it out.`);
      continue;
    }

    // Which stored contact is this row?
    let contact: StoredContact | undefined;
    if (keyless) {
      const candidates = byIdentity.get(rowIdentity) ?? [];
      if (candidates.length > 1) {
        tally.reject(
          row.line,
          `No central ID or member number, and ${candidates.length} contacts have this name and email; add a member number to say which one.`,
        );
        continue;
      }
      contact = candidates[0];
    } else {
      const match = matcher.match(v.centralId, v.memberNumber);
      if ('conflict' in match) {
        tally.reject(row.line, match.conflict);
        continue;
      }
      contact = match.row ?? undefined;
    }
    if (v.email !== undefined) {
      // Another contact's email: refused, naming them (never a silent duplicate); a second new row with it names the first.
      const email = sameEmailKey(v.email);
      const holder = byEmail.get(email);
      if (holder && holder.id !== contact?.id) {
        tally.reject(row.line, `${emailTakenWords(v.email, holder)}; give this row that contact's member number to update them, or leave it out.`);
        continue;
      }
      const first = seenEmail.get(email);
      if (!contact && first !== undefined) {
        tally.reject(row.line, `Email ${v.email} is also on line ${first}, a new contact; only the first of them is imported.`);
        continue;
      }
      if (!contact) seenEmail.set(email, row.line);
    }
    if (contact) {
      const firstLine = matcher.claim(contact, row.line);
      if (firstLine !== undefined) {
        tally.reject(row.line, `This row and line ${firstLine} are the same contact (${displayName(contact)}); only the first is imported.`);
        continue;
      }
    }

    if (!contact) {
      const firstName = v.firstName ?? '';
      inserts.push({
        central_id: v.centralId ?? null,
        member_number: v.memberNumber ?? null,
        first_name: firstName,
        last_name: lastName,
        email: v.email ?? '',
        organization: v.organization ?? '',
        phone: v.phone ?? '',
        ...contactKeys({
          first_name: firstName,
          last_name: lastName,
          email: v.email ?? '',
          organization: v.organization ?? '',
          member_number: v.memberNumber ?? null,
        }),
      });
      // Only the first few changes are listed: their fields are built only then.
      tally.count('new', row.line, label(v), () =>
        CONTACT_FIELDS.flatMap((f) => (v[f] !== undefined ? [{ field: CONTACT_FIELD_LABELS[f], from: '', to: v[f] }] : [])),
      );
      continue;
    }
    const patch: Partial<ContactRow> = {};
    const fields: FieldChange[] = [];
    for (const field of CONTACT_FIELDS) {
      const value = v[field];
      const column = CONTACT_COLUMN[field];
      if (value === undefined || contact[column] === value) continue;
      patch[column] = value;
      fields.push({ field: CONTACT_FIELD_LABELS[field], from: contact[column] ?? '', to: value });
    }
    withSearchKeys(contact, patch);
    if (fields.length === 0) tally.count('unchanged', row.line, label(v), []);
    else {
      updates.push({ id: contact.id, patch });
      tally.count(
        'changed',
        row.line,
        label({ ...v, lastName: patch.last_name ?? contact.last_name, firstName: patch.first_name ?? contact.first_name }),
        fields,
      );
    }
  }

  return {
    result: plannedResult(SPEC, prepared, tally),
    inserts,
    updates,
  };
}

/** Plans a parsed file against the stored contacts it can match. */
async function planFile(db: Executor, prepared: Prepared): Promise<Plan> {
  const rows = await readRows(prepared);
  return plan(prepared, rows, await storedContactsFor(db, rows));
}

/**
 * What importing the CSV would do; writes nothing. A malformed file comes back
 * with `fileError` set. The plan is kept for applying this file (kept-plan.ts).
 */
export async function previewContactsCsv(db: Db, input: ContactsCsvInput, job?: JobProgress): Promise<ContactsCsvResult> {
  const prepared = await prepareCsv(SPEC, input, undefined, job);
  if (!('parsed' in prepared)) return prepared;
  const key = planKey('contacts', prepared.source.sha256, input);
  return (await planAndKeep(db, key, () => planFile(db, prepared))).result;
}

/**
 * Imports the CSV in one transaction: exactly the rows the preview counts as
 * new or changed, each logged for the sync export; renamed contacts' records
 * re-sorted. Staff and admins may import contacts (`actor` is who does it).
 * A malformed file (or one that changed since the preview, when
 * `expectSha256` is given) throws ImportFileError and commits nothing.
 */
export async function applyContactsCsv(ctx: ServiceContext, actor: Actor, input: ContactsCsvInput, job?: JobProgress): Promise<ContactsCsvResult> {
  job?.progress(0, null, 'Reading the file');
  const source = await readSourceForApply(input);
  const key = planKey('contacts', source.sha256, input);
  return inTransaction(ctx.db, async (trx) => {
    const planned = await planForApply(ctx.db, trx, key, async () => planFile(trx, await prepareCsvForApply(SPEC, input, source)));
    const at = stamp(ctx);
    const total = planned.inserts.length + planned.updates.length;
    const tick = progressReporter(job, total, (done) => `Importing contacts: ${done} of ${total}`);
    // Stamped in place, in slices: a copy of 100,000 rows would hold the main thread (and double them) for about a second.
    const slices = new Slices();
    for (const row of planned.inserts as Array<NewContactRow & Pick<ContactRow, 'created_at' | 'updated_at'>>) {
      row.created_at = at;
      row.updated_at = at;
      if (slices.due()) await slices.pause();
    }
    await insertLogged(trx, 'contacts', 'contact', planned.inserts, at, tick);
    const renamed: ContactRow[] = [];
    for (const { id, patch } of planned.updates) {
      const row = await updateLogged<ContactRow>(trx, 'contacts', 'contact', id, { ...patch, updated_at: at }, at);
      if (patch.name_key !== undefined) renamed.push(row);
      tick(1);
    }
    await resortRecords(trx, renamed, at);
    return planned.result;
  });
}

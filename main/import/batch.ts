/**
 * Import from the central system's export: batches in the sync format
 * (docs/sync-batch-format.md), the other direction. Contacts, certification
 * programs and their components are upserted, keyed by the central system's
 * ids; other entities in the batches (records, history, …) are counted and
 * left alone. Same contract as the CSV imports: a preview, then the apply of
 * exactly what the preview counted, in one transaction. Admin only.
 *
 * - Every batch is verified against its manifest first (sizes, SHA-256, the
 *   manifest's own checksum, lines, seq ranges, no gaps between batches). Any
 *   problem refuses the whole import: nothing of any batch is applied.
 * - Per central device, the last seq imported is kept (settings row
 *   `centralImportSeqs`). Batches already imported are skipped, so the same
 *   folder can be imported again and again: only new batches count. A batch
 *   that would leave a gap after the last one imported is refused.
 * - A batch written by this desktop itself is refused.
 * - Each change's `id` is the central system's id, stored as `central_id`
 *   (a string). Per row, the last change in the batches wins; `data` fields
 *   that are absent leave the stored value; present ones are stored exactly
 *   as given.
 * - A contact is matched by central id, else by member number when that
 *   contact has no central id yet (it is then linked). A program likewise by
 *   central id, else by code. A component by the central id recorded when it
 *   was first imported (settings row `centralComponentIds`, central id →
 *   desktop id), under the program whose central id is its `program_id`.
 * - A row whose member number (contacts) or code (programs) belongs to another
 *   row here is rejected, as is a component whose program is neither here nor
 *   in the import; the rest is applied.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Db } from '../db/database';
import { whereInJson } from '../db/where-in-json';
import { isCalendarDate } from '../rules/calendar';
import { describeExpiration } from '../rules/expiration';
import { type ExpirationRule } from '../rules/expiration';
import { displayName, nameKey } from '../domain/contact';
import { ServiceError, stamp, type Actor, type Executor, type ServiceContext } from '../services/context';
import type { JobProgress } from '../domain/progress';
import { expirationColumns, expirationOf, PROGRAM_LIMITS } from '../domain/program';
import type { ComponentRow } from '../domain/rows';
import type { ContactRow, ProgramRow } from '../domain/rows';
import { dataFileName, MANIFEST_FILE, parseBatchName, type BatchChange } from '../sync/format';
import { readDeviceId } from '../sync/state';
import { readBatch, verifyFolder, type ReadBatch } from '../sync/verify';
import { CONTACT_LIMITS } from '../domain/contact';
import { checkText, emptyCounts, MAX_CHANGES_LISTED, MAX_REJECTED_LISTED, type ChangeSample, type FieldChange, type ImportCounts } from './csv';
import { inTransaction, insertLogged, progressReporter, requireAdmin, resortRecords, updateLogged } from './write';

/** Settings row: central device id → last seq imported from it. */
export const IMPORT_SEQS_KEY = 'centralImportSeqs';
/** Settings row: central component id → desktop component id. */
export const COMPONENT_IDS_KEY = 'centralComponentIds';

/** The entities this import takes, in the order they are applied (parents first). */
export const IMPORTED_ENTITIES = ['contact', 'program', 'component'] as const;
type ImportedEntity = (typeof IMPORTED_ENTITIES)[number];

export interface BatchImportBatch {
  name: string;
  deviceId: string;
  fromSeq: number;
  toSeq: number;
  /** `import`: all of it is new; `partly-imported`: only changes after the last imported seq are taken; `already-imported`: skipped. */
  state: 'import' | 'partly-imported' | 'already-imported';
}

export interface BatchRejected {
  /** `<batch>/changes-<entity>.jsonl` */
  file: string;
  line: number;
  reason: string;
}

export type BatchChangeSample = ChangeSample & { file: string; entity: ImportedEntity };

export interface BatchImportResult {
  folder: string;
  batches: BatchImportBatch[];
  /** Distinct rows (the last change of each), per entity and in total. */
  contacts: ImportCounts;
  programs: ImportCounts;
  components: ImportCounts;
  rows: ImportCounts;
  /** Changes of entities this import does not take, by entity (e.g. { record: 12 }). */
  ignored: Record<string, number>;
  /** The first 200 rejected rows. */
  rejected: BatchRejected[];
  /** The first 50 new or changed rows. */
  changes: BatchChangeSample[];
  /** What makes the whole import impossible; when any, counts are 0 and apply commits nothing. */
  problems: string[];
  /** Worth knowing, not wrong. */
  warnings: string[];
}

// ---------------------------------------------------------------------------
// Reading and verifying the folder

interface Located {
  change: BatchChange;
  file: string;
  line: number;
}

interface Collected {
  batches: BatchImportBatch[];
  /** The changes to import, in seq order per device. */
  changes: Located[];
  ignored: Record<string, number>;
  problems: string[];
  warnings: string[];
  /** Device → the seq this import brings it to. */
  seqs: Record<string, number>;
  /** The settings this was decided against: the apply refuses when they moved meanwhile. */
  basis: string;
}

function jsonMap(value: string | undefined): Record<string, number> {
  if (value === undefined) return {};
  const parsed = JSON.parse(value) as unknown;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (typeof v === 'number' && Number.isSafeInteger(v)) out[k] = v;
  return out;
}

async function readMap(db: Executor, key: string): Promise<Record<string, number>> {
  const row = await db('settings').where({ key }).first<{ value: string } | undefined>('value');
  return jsonMap(row?.value);
}

async function writeMap(db: Executor, key: string, map: Record<string, number>): Promise<void> {
  await db('settings').insert({ key, value: JSON.stringify(map) }).onConflict('key').merge();
}

/** The device id and the import checkpoints, as one comparable string. */
async function basisOf(db: Executor): Promise<string> {
  return JSON.stringify([await readDeviceId(db), await readMap(db, IMPORT_SEQS_KEY)]);
}

async function isDirectory(p: string): Promise<boolean | null> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Verifies the batches of `folder` (a folder of batches, or one batch folder) and picks the changes not yet imported. */
async function collect(db: Executor, folder: string): Promise<Collected> {
  const out: Collected = { batches: [], changes: [], ignored: {}, problems: [], warnings: [], seqs: {}, basis: await basisOf(db) };
  const kind = await isDirectory(folder);
  if (kind === null) return { ...out, problems: [`${folder} does not exist.`] };
  if (!kind) return { ...out, problems: [`${folder} is not a folder.`] };

  let names: string[];
  let parent: string;
  if ((await isDirectory(path.join(folder, MANIFEST_FILE))) === false) {
    // One batch folder.
    parent = path.dirname(folder);
    names = [path.basename(folder)];
  } else {
    parent = folder;
    const report = await verifyFolder(folder);
    for (const p of report.problems) out.problems.push(p.batch ? `${p.batch}: ${p.message}` : p.message);
    // Where a device's batches start matters only against what was imported before: said below.
    for (const w of report.warnings) if (!w.message.includes('earliest batch here starts')) out.warnings.push(w.batch ? `${w.batch}: ${w.message}` : w.message);
    if (out.problems.length > 0) return out;
    names = report.batches.map((b) => b.name);
    if (names.length === 0) {
      out.problems.push(`${folder} holds no batches (folders named certdesk-<deviceId>-<fromSeq>-<toSeq>).`);
      return out;
    }
  }

  const ownDevice = await readDeviceId(db);
  const imported = await readMap(db, IMPORT_SEQS_KEY);
  const parsedNames = names.map((name) => ({ name, parsed: parseBatchName(name) }));
  const byDevice = new Map<string, Array<{ name: string; fromSeq: number; toSeq: number }>>();
  for (const { name, parsed } of parsedNames) {
    if (!parsed) {
      out.problems.push(`${name}: the folder name is not certdesk-<deviceId>-<fromSeq, 12 digits>-<toSeq, 12 digits>.`);
      continue;
    }
    if (parsed.deviceId === ownDevice) {
      out.problems.push(`${name}: this batch was exported by this desktop itself (device ${parsed.deviceId}); import batches from the central system only.`);
      continue;
    }
    byDevice.set(parsed.deviceId, [...(byDevice.get(parsed.deviceId) ?? []), { name, ...parsed }]);
  }
  if (out.problems.length > 0) return out;

  for (const [deviceId, list] of byDevice) {
    list.sort((a, b) => a.fromSeq - b.fromSeq);
    let last = imported[deviceId] ?? 0;
    const first = list[0];
    if (last === 0 && first && first.fromSeq > 1) {
      out.warnings.push(`Device ${deviceId}: nothing was imported from it before, and the earliest batch here starts at seq ${first.fromSeq}.`);
    }
    for (const b of list) {
      if (b.toSeq <= last) {
        out.batches.push({ name: b.name, deviceId, fromSeq: b.fromSeq, toSeq: b.toSeq, state: 'already-imported' });
        continue;
      }
      if (last > 0 && b.fromSeq > last + 1) {
        out.problems.push(`${b.name}: changes ${last + 1}–${b.fromSeq - 1} of device ${deviceId} were never imported and are not in this folder; import the batches holding them first.`);
        break;
      }
      const batch: ReadBatch = await readBatch(path.join(parent, b.name));
      if (batch.problems.length > 0) {
        for (const p of batch.problems) out.problems.push(`${b.name}: ${p}`);
        continue;
      }
      out.batches.push({ name: b.name, deviceId, fromSeq: b.fromSeq, toSeq: b.toSeq, state: b.fromSeq <= last ? 'partly-imported' : 'import' });
      const lineOf = new Map<string, number>();
      for (const change of batch.changes) {
        // Lines ascend by seq within a file (verified), so the n-th change of an entity is on line n.
        const line = (lineOf.get(change.entity) ?? 0) + 1;
        lineOf.set(change.entity, line);
        if (change.seq <= last) continue;
        if ((IMPORTED_ENTITIES as readonly string[]).includes(change.entity)) {
          out.changes.push({ change, file: `${b.name}/${dataFileName(change.entity)}`, line });
        } else {
          out.ignored[change.entity] = (out.ignored[change.entity] ?? 0) + 1;
        }
      }
      last = b.toSeq;
    }
    out.seqs[deviceId] = last;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Data of each entity

const flag = z.union([z.boolean(), z.literal(0), z.literal(1)]).transform((v) => v === true || v === 1);
const timestamp = z.string().max(40).nullable();

const ContactData = z.object({
  first_name: z.string(),
  last_name: z.string(),
  email: z.string().optional(),
  organization: z.string().optional(),
  phone: z.string().optional(),
  member_number: z.string().nullable().optional(),
});

const ProgramData = z.object({
  code: z.string().min(1, 'code is empty').max(PROGRAM_LIMITS.code),
  name: z.string().min(1, 'name is empty').max(PROGRAM_LIMITS.name),
  version: z.string().max(PROGRAM_LIMITS.version).optional(),
  category: z.string().max(PROGRAM_LIMITS.category).optional(),
  description: z.string().max(PROGRAM_LIMITS.description).optional(),
  require_approval: flag.optional(),
  require_completion_approval: flag.optional(),
  expiration_kind: z.enum(['never', 'period', 'fixed']).optional(),
  expiration_amount: z.number().int().min(1).max(36_500).nullable().optional(),
  expiration_unit: z.enum(['days', 'months', 'years']).nullable().optional(),
  expiration_fixed_on: z.string().nullable().optional(),
  archived_at: timestamp.optional(),
});

const ComponentData = z.object({
  program_id: z.number().int(),
  name: z.string().min(1, 'name is empty').max(PROGRAM_LIMITS.componentName),
  kind: z.enum(['course', 'exam', 'task', 'document']).optional(),
  credits: z.number().min(0).max(1_000_000).optional(),
  credit_unit: z.enum(['credits', 'hours']).optional(),
  required: flag.optional(),
  position: z.number().int().min(0).max(1_000_000).optional(),
  archived_at: timestamp.optional(),
});

function zodReason(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'data'}: ${i.message}`)
    .join('; ');
}

function expirationFrom(d: z.infer<typeof ProgramData>): ExpirationRule | string | undefined {
  if (d.expiration_kind === undefined) return undefined;
  if (d.expiration_kind === 'never') return { kind: 'never' };
  if (d.expiration_kind === 'period') {
    if (d.expiration_amount == null || d.expiration_unit == null) return 'expiration_kind is period but expiration_amount or expiration_unit is missing';
    return { kind: 'period', amount: d.expiration_amount, unit: d.expiration_unit };
  }
  if (!isCalendarDate(d.expiration_fixed_on)) return 'expiration_kind is fixed but expiration_fixed_on is not a date YYYY-MM-DD';
  return { kind: 'fixed', date: d.expiration_fixed_on };
}

// ---------------------------------------------------------------------------
// Planning

type Op =
  | { entity: 'contact'; kind: 'insert'; ref: number; row: Record<string, unknown> }
  | { entity: 'contact'; kind: 'update'; id: number; patch: Record<string, unknown> }
  | { entity: 'program'; kind: 'insert'; ref: number; row: Record<string, unknown> }
  | { entity: 'program'; kind: 'update'; id: number; patch: Record<string, unknown> }
  | { entity: 'component'; kind: 'insert'; centralId: string; programRef: number; row: Record<string, unknown> }
  | { entity: 'component'; kind: 'update'; id: number; centralId: string; programRef: number | null; patch: Record<string, unknown> };

interface Plan {
  result: BatchImportResult;
  ops: Op[];
  seqs: Record<string, number>;
  componentIds: Record<string, number>;
}

/** The last change of each row, in the order of those last changes. */
function latest(changes: readonly Located[], entity: ImportedEntity): Located[] {
  const byId = new Map<number, Located>();
  for (const c of changes) if (c.change.entity === entity) byId.set(c.change.id, c);
  return [...byId.values()].sort((a, b) => a.change.seq - b.change.seq);
}

function show(value: unknown): string {
  return value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
}

/** Fields of `next` that differ from `current`, as a patch and as words. */
function diff(current: Record<string, unknown>, next: Record<string, unknown>): { patch: Record<string, unknown>; fields: FieldChange[] } {
  const patch: Record<string, unknown> = {};
  const fields: FieldChange[] = [];
  for (const [key, value] of Object.entries(next)) {
    if (value === undefined) continue;
    const now = current[key];
    const same = typeof value === 'boolean' ? (now === 1 || now === true) === value : now === value;
    if (same) continue;
    patch[key] = value;
    fields.push({ field: key, from: show(typeof value === 'boolean' && typeof now === 'number' ? now === 1 : now), to: show(value) });
  }
  return { patch, fields };
}

async function plan(db: Executor, collected: Collected, folder: string): Promise<Plan> {
  const result: BatchImportResult = {
    folder,
    batches: collected.batches,
    contacts: emptyCounts(),
    programs: emptyCounts(),
    components: emptyCounts(),
    rows: emptyCounts(),
    ignored: collected.ignored,
    rejected: [],
    changes: [],
    problems: collected.problems,
    warnings: collected.warnings,
  };
  const componentIds = await readMap(db, COMPONENT_IDS_KEY);
  if (collected.problems.length > 0) return { result: { ...result, batches: [], ignored: {} }, ops: [], seqs: {}, componentIds };

  const ops: Op[] = [];
  const countsOf: Record<ImportedEntity, ImportCounts> = { contact: result.contacts, program: result.programs, component: result.components };
  const reject = (entity: ImportedEntity, at: Located, reason: string): void => {
    countsOf[entity].rejected++;
    result.rows.rejected++;
    if (result.rejected.length < MAX_REJECTED_LISTED) result.rejected.push({ file: at.file, line: at.line, reason: `${entity} ${at.change.id}: ${reason}` });
  };
  const count = (entity: ImportedEntity, kind: 'new' | 'changed' | 'unchanged', at: Located, label: string, fields: FieldChange[]): void => {
    countsOf[entity][kind]++;
    result.rows[kind]++;
    if (kind !== 'unchanged' && result.changes.length < MAX_CHANGES_LISTED) result.changes.push({ file: at.file, line: at.line, entity, kind, label, fields });
  };

  // Contacts. The maps follow the plan (a planned row holds its member number), so the
  // writes, done in plan order, never meet the unique constraints.
  type ContactLike = Pick<ContactRow, 'id' | 'central_id' | 'member_number' | 'first_name' | 'last_name'>;
  const contacts = (await db('contacts').select('*')) as ContactRow[];
  const contactById = new Map(contacts.map((c) => [c.id, c]));
  const contactByCentral = new Map<string, ContactLike>();
  const contactByMember = new Map<string, ContactLike>();
  for (const c of contacts) {
    if (c.central_id !== null) contactByCentral.set(c.central_id, c);
    if (c.member_number !== null) contactByMember.set(c.member_number, c);
  }
  let ref = 0;
  // Desktop rows already taken by a change of this import (desktop id → central id): two central
  // rows linked to one desktop row through the same member number or code are refused.
  const taken = new Map<string, string>();
  const take = (entity: ImportedEntity, localId: number, centralId: string): string | null => {
    const other = taken.get(`${entity}:${localId}`);
    if (other !== undefined && other !== centralId) return other;
    taken.set(`${entity}:${localId}`, centralId);
    return null;
  };
  for (const at of latest(collected.changes, 'contact')) {
    const parsed = ContactData.safeParse(at.change.data);
    if (!parsed.success) {
      reject('contact', at, zodReason(parsed.error));
      continue;
    }
    const d = parsed.data;
    const texts = { first_name: d.first_name, last_name: d.last_name, email: d.email, organization: d.organization, phone: d.phone, member_number: d.member_number ?? undefined };
    const limits = { first_name: CONTACT_LIMITS.firstName, last_name: CONTACT_LIMITS.lastName, email: CONTACT_LIMITS.email, organization: CONTACT_LIMITS.organization, phone: CONTACT_LIMITS.phone, member_number: CONTACT_LIMITS.memberNumber };
    const problems = Object.entries(texts).flatMap(([k, v]) => (v === undefined ? [] : [checkText(k, v, limits[k as keyof typeof limits], false)].filter((p): p is string => p !== null)));
    if (d.first_name.trim() === '' && d.last_name.trim() === '') problems.push('first_name and last_name are both empty');
    if (problems.length > 0) {
      reject('contact', at, problems.join(' '));
      continue;
    }
    const centralId = String(at.change.id);
    const member = d.member_number === undefined ? undefined : d.member_number === null || d.member_number === '' ? null : d.member_number;
    let contact = contactByCentral.get(centralId);
    if (!contact && member) {
      const holder = contactByMember.get(member);
      if (holder && holder.central_id !== null) {
        reject('contact', at, `member number ${member} belongs to ${displayName(holder)}, whose central id is ${holder.central_id}.`);
        continue;
      }
      contact = holder;
    }
    if (member) {
      const holder = contactByMember.get(member);
      if (holder && holder !== contact) {
        reject('contact', at, `member number ${member} belongs to another contact, ${displayName(holder)}${holder.central_id !== null ? ` (central id ${holder.central_id})` : ''}.`);
        continue;
      }
    }
    const label = `${d.last_name}, ${d.first_name}${member ? ` (member ${member})` : ''}`;
    const next = { central_id: centralId, first_name: d.first_name, last_name: d.last_name, email: d.email, organization: d.organization, phone: d.phone, member_number: member };
    if (!contact) {
      ref++;
      const row = { ...next, email: d.email ?? '', organization: d.organization ?? '', phone: d.phone ?? '', member_number: member ?? null, name_key: nameKey(d.first_name, d.last_name) };
      ops.push({ entity: 'contact', kind: 'insert', ref, row });
      const planned: ContactLike = { id: -ref, central_id: centralId, member_number: row.member_number, first_name: d.first_name, last_name: d.last_name };
      contactByCentral.set(centralId, planned);
      if (row.member_number !== null) contactByMember.set(row.member_number, planned);
      count('contact', 'new', at, label, diff({}, row).fields.filter((f) => f.field !== 'name_key'));
      continue;
    }
    const stored = contactById.get(contact.id);
    if (!stored) {
      // The same central id twice in one import cannot happen (latest() keeps one change per id).
      reject('contact', at, 'matches a contact planned earlier in this import.');
      continue;
    }
    const otherContact = take('contact', stored.id, centralId);
    if (otherContact !== null) {
      reject('contact', at, `member number ${member ?? ''} links it to ${displayName(stored)}, whom contact ${otherContact} of this import already is.`);
      continue;
    }
    const { patch, fields } = diff(stored as unknown as Record<string, unknown>, next);
    if (patch.first_name !== undefined || patch.last_name !== undefined) {
      const key = nameKey(d.first_name, d.last_name);
      if (key !== stored.name_key) patch.name_key = key;
    }
    if (fields.length === 0) {
      count('contact', 'unchanged', at, label, []);
      continue;
    }
    ops.push({ entity: 'contact', kind: 'update', id: stored.id, patch });
    if (patch.member_number !== undefined) {
      if (stored.member_number !== null) contactByMember.delete(stored.member_number);
      if (member) contactByMember.set(member, contact);
    }
    contactByCentral.set(centralId, contact);
    count('contact', 'changed', at, label, fields);
  }

  // Programs, keyed by central id, else linked by code.
  type ProgramLike = Pick<ProgramRow, 'id' | 'central_id' | 'code' | 'name'>;
  const programs = (await db('programs').select('*')) as ProgramRow[];
  const programById = new Map(programs.map((p) => [p.id, p]));
  const programByCentral = new Map<string, ProgramLike>();
  const programByCode = new Map<string, ProgramLike>();
  for (const p of programs) {
    if (p.central_id !== null) programByCentral.set(p.central_id, p);
    programByCode.set(p.code, p);
  }
  const rejectedPrograms = new Map<string, string>();
  for (const at of latest(collected.changes, 'program')) {
    const centralId = String(at.change.id);
    const parsed = ProgramData.safeParse(at.change.data);
    if (!parsed.success) {
      rejectedPrograms.set(centralId, zodReason(parsed.error));
      reject('program', at, zodReason(parsed.error));
      continue;
    }
    const d = parsed.data;
    const rule = expirationFrom(d);
    const problem = typeof rule === 'string' ? rule : (checkText('code', d.code, 64) ?? checkText('name', d.name, 1000));
    if (problem !== null || typeof rule === 'string') {
      rejectedPrograms.set(centralId, problem ?? '');
      reject('program', at, problem ?? '');
      continue;
    }
    let program = programByCentral.get(centralId);
    if (!program) {
      const holder = programByCode.get(d.code);
      if (holder && holder.central_id !== null) {
        rejectedPrograms.set(centralId, `its code ${d.code} is taken`);
        reject('program', at, `code ${d.code} belongs to ${holder.name}, whose central id is ${holder.central_id}.`);
        continue;
      }
      program = holder;
    }
    const codeHolder = programByCode.get(d.code);
    if (codeHolder && codeHolder !== program) {
      rejectedPrograms.set(centralId, `its code ${d.code} is taken`);
      reject('program', at, `code ${d.code} belongs to another certification, ${codeHolder.name}.`);
      continue;
    }
    const expiration = rule;
    const next: Record<string, unknown> = {
      central_id: centralId,
      code: d.code,
      name: d.name,
      version: d.version,
      category: d.category,
      description: d.description,
      require_approval: d.require_approval,
      require_completion_approval: d.require_completion_approval,
      archived_at: d.archived_at,
    };
    if (expiration) {
      Object.assign(next, expirationColumns(expiration));
    }
    const label = `${d.code} ${d.name}`;
    if (!program) {
      ref++;
      const row = {
        ...next,
        version: d.version ?? '1',
        category: d.category ?? '',
        description: d.description ?? '',
        require_approval: d.require_approval ?? false,
        require_completion_approval: d.require_completion_approval ?? false,
        archived_at: d.archived_at ?? null,
        ...expirationColumns(expiration ?? { kind: 'never' }),
      };
      ops.push({ entity: 'program', kind: 'insert', ref, row });
      const planned: ProgramLike = { id: -ref, central_id: centralId, code: d.code, name: d.name };
      programByCentral.set(centralId, planned);
      programByCode.set(d.code, planned);
      count('program', 'new', at, label, [...diff({}, row).fields.filter((f) => !f.field.startsWith('expiration_')), { field: 'expiration', from: '', to: describeExpiration(expiration ?? { kind: 'never' }) }]);
      continue;
    }
    const stored = programById.get(program.id);
    if (!stored) {
      reject('program', at, 'matches a certification planned earlier in this import.');
      continue;
    }
    const otherProgram = take('program', stored.id, centralId);
    if (otherProgram !== null) {
      reject('program', at, `code ${d.code} links it to ${stored.name}, which program ${otherProgram} of this import already is.`);
      continue;
    }
    const { patch, fields } = diff(stored as unknown as Record<string, unknown>, next);
    const shown = fields.filter((f) => !f.field.startsWith('expiration_'));
    if (fields.length > shown.length && expiration) shown.push({ field: 'expiration', from: describeExpiration(expirationOf(stored)), to: describeExpiration(expiration) });
    if (fields.length === 0) {
      count('program', 'unchanged', at, label, []);
      continue;
    }
    ops.push({ entity: 'program', kind: 'update', id: stored.id, patch });
    if (patch.code !== undefined) {
      programByCode.delete(stored.code);
      programByCode.set(d.code, program);
    }
    programByCentral.set(centralId, program);
    count('program', 'changed', at, label, shown);
  }

  // Components, under their program (by its central id).
  const components = (await db('components').select('*')) as ComponentRow[];
  const componentById = new Map(components.map((c) => [c.id, c]));
  for (const at of latest(collected.changes, 'component')) {
    const centralId = String(at.change.id);
    const parsed = ComponentData.safeParse(at.change.data);
    if (!parsed.success) {
      reject('component', at, zodReason(parsed.error));
      continue;
    }
    const d = parsed.data;
    const problem = checkText('name', d.name, 1000);
    if (problem) {
      reject('component', at, problem);
      continue;
    }
    const programCentral = String(d.program_id);
    const program = programByCentral.get(programCentral);
    if (!program) {
      const why = rejectedPrograms.get(programCentral);
      reject('component', at, why !== undefined ? `its certification (central id ${programCentral}) is rejected in this import: ${why}` : `its certification (central id ${programCentral}) is neither here nor in this import.`);
      continue;
    }
    const label = `${program.code}: ${d.name}`;
    const localId = componentIds[centralId];
    const stored = localId !== undefined ? componentById.get(localId) : undefined;
    const next: Record<string, unknown> = {
      name: d.name,
      kind: d.kind,
      credits: d.credits,
      credit_unit: d.credit_unit,
      required: d.required,
      position: d.position,
      archived_at: d.archived_at,
    };
    if (!stored) {
      const row = { ...next, kind: d.kind ?? 'course', credits: d.credits ?? 0, credit_unit: d.credit_unit ?? 'credits', required: d.required ?? true, position: d.position ?? 0, archived_at: d.archived_at ?? null };
      ops.push({ entity: 'component', kind: 'insert', centralId, programRef: program.id, row });
      count('component', 'new', at, label, diff({}, row).fields);
      continue;
    }
    const { patch, fields } = diff(stored as unknown as Record<string, unknown>, { ...next, program_id: program.id > 0 ? program.id : undefined });
    const moved = program.id < 0 || stored.program_id !== program.id;
    if (moved && program.id < 0) fields.push({ field: 'certification', from: String(stored.program_id), to: program.code });
    if (fields.length === 0) {
      count('component', 'unchanged', at, label, []);
      continue;
    }
    ops.push({ entity: 'component', kind: 'update', id: stored.id, centralId, programRef: moved ? program.id : null, patch });
    count('component', 'changed', at, label, fields);
  }

  return { result, ops, seqs: collected.seqs, componentIds };
}

// ---------------------------------------------------------------------------

/** What importing the batches in `folder` would do; writes nothing. */
export async function previewBatchImport(db: Db, folder: string): Promise<BatchImportResult> {
  return (await plan(db, await collect(db, folder), folder)).result;
}

/**
 * Imports the batches in `folder` in one transaction (admin only): exactly
 * the rows the preview counts as new or changed, each logged for the sync
 * export; renamed contacts' records re-sorted; the last seq imported per
 * device and the component id map saved. A folder that fails verification
 * (or holds a gap, or this desktop's own batches) throws ServiceError INVALID
 * naming every problem, and commits nothing.
 */
export async function applyBatchImport(ctx: ServiceContext, actor: Actor, folder: string, job?: JobProgress): Promise<BatchImportResult> {
  requireAdmin(actor, 'import from the central system');
  job?.progress(0, null, 'Verifying the batches');
  // Reading and verifying the files happens before the transaction, so the database is not held meanwhile.
  const collected = await collect(ctx.db, folder);
  if (collected.problems.length > 0) {
    const shown = collected.problems.slice(0, 5).join(' ');
    throw new ServiceError('INVALID', `Nothing was imported: ${shown}${collected.problems.length > 5 ? ` (and ${collected.problems.length - 5} more problems)` : ''}`);
  }
  return inTransaction(ctx.db, async (trx) => {
    if ((await basisOf(trx)) !== collected.basis) throw new ServiceError('CONFLICT', 'Another import from the central system finished meanwhile. Preview the folder again.');
    const planned = await plan(trx, collected, folder);
    const { result, ops } = planned;
    const at = stamp(ctx);
    const tick = progressReporter(job, ops.length, (done) => `Importing from the central system: ${done} of ${ops.length}`);

    // Updates first, in plan order; then inserts. Inserts never free a member number or
    // code, so this order meets the unique constraints exactly as the plan checked them.
    const renamed: ContactRow[] = [];
    for (const op of ops) {
      if (op.entity === 'contact' && op.kind === 'update') {
        const row = await updateLogged<ContactRow>(trx, 'contacts', 'contact', op.id, { ...op.patch, updated_at: at }, at);
        if (op.patch.name_key !== undefined) renamed.push(row);
        tick(1);
      }
    }
    const contactInserts = ops.flatMap((op) => (op.entity === 'contact' && op.kind === 'insert' ? [{ ...op.row, created_at: at, updated_at: at }] : []));
    await insertLogged(trx, 'contacts', 'contact', contactInserts, at, tick);
    await resortRecords(trx, renamed, at);

    for (const op of ops) {
      if (op.entity === 'program' && op.kind === 'update') {
        await updateLogged<ProgramRow>(trx, 'programs', 'program', op.id, { ...op.patch, updated_at: at }, at);
        tick(1);
      }
    }
    const programInserts = ops.flatMap((op) => (op.entity === 'program' && op.kind === 'insert' ? [op] : []));
    const insertedProgramIds = await insertLogged(
      trx,
      'programs',
      'program',
      programInserts.map((op) => ({ ...op.row, created_at: at, updated_at: at })),
      at,
      tick,
    );
    // Codes are unique: map the planned programs to their ids by code.
    const insertedPrograms: Array<Pick<ProgramRow, 'id' | 'code'>> = await whereInJson(trx('programs'), 'id', insertedProgramIds).select('id', 'code');
    const programIdByCode = new Map(insertedPrograms.map((p) => [p.code, p.id]));
    const programIdOfRef = new Map(programInserts.map((op) => [op.ref, programIdByCode.get(op.row.code as string)]));
    const programId = (refOrId: number): number => {
      if (refOrId > 0) return refOrId;
      const id = programIdOfRef.get(-refOrId);
      if (id === undefined) throw new Error(`Planned certification ${-refOrId} was not inserted.`);
      return id;
    };

    const componentIds = { ...planned.componentIds };
    for (const op of ops) {
      if (op.entity !== 'component') continue;
      if (op.kind === 'update') {
        const patch = op.programRef !== null ? { ...op.patch, program_id: programId(op.programRef) } : op.patch;
        await updateLogged<ComponentRow>(trx, 'components', 'component', op.id, patch, at);
      } else {
        const [id] = await insertLogged(trx, 'components', 'component', [{ ...op.row, program_id: programId(op.programRef) }], at);
        if (id === undefined) throw new Error('insert returned no row');
        componentIds[op.centralId] = id;
      }
      tick(1);
    }
    await writeMap(trx, COMPONENT_IDS_KEY, componentIds);
    const seqs = await readMap(trx, IMPORT_SEQS_KEY);
    await writeMap(trx, IMPORT_SEQS_KEY, { ...seqs, ...planned.seqs });
    return result;
  });
}

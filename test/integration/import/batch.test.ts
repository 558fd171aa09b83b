/**
 * Import from the central system's export (the sync batch format, the other
 * direction) on real SQLite files: a second CertDesk database plays the
 * central system and exports with main/sync/export.ts; hand-built batches
 * cover conflicts, links and refusals. Verified first, refused whole when
 * anything is wrong, applied exactly as previewed, never twice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyBatchImport, COMPONENT_IDS_KEY, IMPORT_SEQS_KEY, previewBatchImport } from '../../../main/import/batch';
import { applyContactsCsv } from '../../../main/import/contacts-csv';
import { createContact } from '../../../main/services/contacts';
import { ServiceError, SYSTEM, type Actor } from '../../../main/services/context';
import { createProgram, programComponents } from '../../../main/services/programs';
import { enroll } from '../../../main/services/records';
import type { ComponentRow, RecordRow } from '../../../main/domain/rows';
import type { ContactRow, ProgramRow } from '../../../main/domain/rows';
import { exportChanges } from '../../../main/sync/export';
import { buildBatch, type BatchChange } from '../../../main/sync/format';
import { ensureDeviceId } from '../../../main/sync/state';
import { freshDb, logSince, makeStaff, maxSeq, removeDir, snapshot, tempDir, type TestDb } from '../support';
import { csv, recordingJob } from './helpers';

let desk: TestDb;
let central: TestDb;
let admin: Actor;
let out: string;

beforeEach(async () => {
  desk = await freshDb();
  central = await freshDb();
  admin = await makeStaff(desk.ctx, 'ada', 'Ada Admin', 'admin');
  out = tempDir('certdesk-import-batches-');
});
afterEach(async () => {
  await desk.dispose();
  await central.dispose();
  removeDir(out);
});

async function exportCentral(): Promise<void> {
  await exportChanges({ db: central.db, dataDir: central.dir, folder: out });
}

async function settingJson(key: string): Promise<unknown> {
  const row = (await desk.db('settings').where({ key }).first()) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as unknown) : undefined;
}

const NAMES = [
  { firstName: 'Zoe\u0308', lastName: 'Öztürk' }, // NFD first name
  { firstName: 'İlknur', lastName: 'Straße 🎓' },
  { firstName: 'محمد', lastName: 'עברית' },
];

describe('from a real export of another CertDesk', () => {
  it('imports contacts, programs and components by central id, skips other entities, and never imports a batch twice', async () => {
    const centralStaff = await makeStaff(central.ctx, 'cen', 'Central Staff');
    // The central system's contacts come from a CSV import there (which keeps the NFD spelling).
    await applyContactsCsv(central.ctx, SYSTEM, {
      text: csv([['First Name', 'Last Name', 'Email', 'Member Number'], ...NAMES.map((n, i) => [n.firstName, n.lastName, `c${i}@example.org`, `C-${i}`])]),
    });
    const contacts = (await central.db('contacts').orderBy('id')) as ContactRow[];
    expect(contacts).toHaveLength(3);
    const cpr = await createProgram(central.ctx, {
      code: 'CPR',
      name: 'CPR Basics',
      requireApproval: true,
      requireCompletionApproval: false,
      expiration: { kind: 'period', amount: 2, unit: 'years' },
      components: [
        { name: 'Video', kind: 'course', credits: 1.5, creditUnit: 'hours', required: true },
        { name: 'Test', kind: 'exam', credits: 0, creditUnit: 'credits', required: true },
      ],
    });
    await createProgram(central.ctx, {
      code: 'ETH',
      name: 'Ethics',
      requireApproval: false,
      requireCompletionApproval: false,
      expiration: { kind: 'fixed', date: '2027-12-31' },
      components: [],
    });
    await enroll(central.ctx, centralStaff, { contactId: contacts[1]?.id ?? 0, programId: cpr.id, source: 'back-office' });
    await exportCentral();

    const seq = await maxSeq(desk.db);
    const before = await snapshot(desk.db);
    const preview = await previewBatchImport(desk.db, out);
    expect(await snapshot(desk.db)).toBe(before);
    expect(preview.problems).toEqual([]);
    expect(preview.batches).toHaveLength(1);
    expect(preview.batches[0]?.state).toBe('import');
    expect(preview.contacts).toEqual({ new: 3, changed: 0, unchanged: 0, rejected: 0 });
    expect(preview.programs).toEqual({ new: 2, changed: 0, unchanged: 0, rejected: 0 });
    expect(preview.components).toEqual({ new: 2, changed: 0, unchanged: 0, rejected: 0 });
    expect(preview.rows).toEqual({ new: 7, changed: 0, unchanged: 0, rejected: 0 });
    expect(preview.ignored).toMatchObject({ record: 1, history: 1 });

    const job = recordingJob();
    const applied = await applyBatchImport(desk.ctx, admin, out, job);
    expect(applied.rows).toEqual(preview.rows);
    expect(job.calls.at(-1)).toMatchObject({ done: 7, total: 7 });

    for (const c of contacts) {
      const centralRow = (await central.db('contacts').where({ id: c.id }).first()) as ContactRow;
      const row = (await desk
        .db('contacts')
        .where({ central_id: String(c.id) })
        .first()) as ContactRow;
      expect(Buffer.from(row.first_name).equals(Buffer.from(centralRow.first_name))).toBe(true);
      expect(Buffer.from(row.last_name).equals(Buffer.from(centralRow.last_name))).toBe(true);
      expect(row).toMatchObject({ email: centralRow.email, member_number: centralRow.member_number, name_key: centralRow.name_key });
    }
    expect(
      (
        (await desk
          .db('contacts')
          .where({ central_id: String(contacts[0]?.id) })
          .first()) as ContactRow
      ).first_name,
    ).toBe('Zoe\u0308');
    const deskCpr = (await desk
      .db('programs')
      .where({ central_id: String(cpr.id) })
      .first()) as ProgramRow;
    expect(deskCpr).toMatchObject({
      code: 'CPR',
      name: 'CPR Basics',
      require_approval: 1,
      expiration_kind: 'period',
      expiration_amount: 2,
      expiration_unit: 'years',
    });
    const deskComponents = await programComponents(desk.db, deskCpr.id);
    expect(deskComponents.map((c) => [c.name, c.kind, c.credits, c.credit_unit, c.required, c.position])).toEqual([
      ['Video', 'course', 1.5, 'hours', 1, 0],
      ['Test', 'exam', 0, 'credits', 1, 1],
    ]);
    expect(await desk.db('programs').where({ code: 'ETH' }).first()).toMatchObject({ expiration_kind: 'fixed', expiration_fixed_on: '2027-12-31' });
    expect(await desk.db('records').count({ n: '*' }).first()).toEqual({ n: 0 });
    const centralComponents = await programComponents(central.db, cpr.id);
    expect(await settingJson(COMPONENT_IDS_KEY)).toEqual(Object.fromEntries(centralComponents.map((c, i) => [String(c.id), deskComponents[i]?.id])));
    const deviceId = await ensureDeviceId(central.db);
    expect(await settingJson(IMPORT_SEQS_KEY)).toEqual({ [deviceId]: await maxSeq(central.db) });

    // Every write is in the desktop's change log, as stored.
    const log = await logSince(desk.db, seq);
    expect(log.map((e) => e.entity).sort()).toEqual(['component', 'component', 'contact', 'contact', 'contact', 'program', 'program']);
    for (const e of log) {
      const table = { contact: 'contacts', program: 'programs', component: 'components' }[e.entity] ?? '';
      expect(JSON.parse(e.data)).toEqual(await desk.db(table).where({ id: e.entity_id }).first());
    }

    // The same folder again: the batch is already imported; nothing changes.
    const after = await snapshot(desk.db);
    const again = await previewBatchImport(desk.db, out);
    expect(again.batches.map((b) => b.state)).toEqual(['already-imported']);
    expect(again.rows).toEqual({ new: 0, changed: 0, unchanged: 0, rejected: 0 });
    await applyBatchImport(desk.ctx, admin, out);
    expect(await snapshot(desk.db)).toBe(after);

    // The central system renames a contact and adds one; the desktop has enrolled the first import meanwhile.
    const deskContact = (await desk
      .db('contacts')
      .where({ central_id: String(contacts[1]?.id) })
      .first()) as ContactRow;
    const record = await enroll(desk.ctx, admin, { contactId: deskContact.id, programId: deskCpr.id, source: 'back-office' });
    await applyContactsCsv(central.ctx, SYSTEM, {
      text: csv([
        ['Member Number', 'First Name', 'Last Name', 'Email'],
        ['C-1', 'İlknur', 'Yılmaz', ''],
        ['C-9', 'Grace', 'Hopper', 'grace@example.org'],
      ]),
    });
    await exportCentral();
    const seq2 = await maxSeq(desk.db);
    const second = await previewBatchImport(desk.db, out);
    expect(second.batches.map((b) => b.state)).toEqual(['already-imported', 'import']);
    expect(second.contacts).toEqual({ new: 1, changed: 1, unchanged: 0, rejected: 0 });
    expect(second.changes.find((c) => c.kind === 'changed')?.fields).toEqual([{ field: 'last_name', from: 'Straße 🎓', to: 'Yılmaz' }]);
    await applyBatchImport(desk.ctx, admin, out);
    expect(await desk.db('contacts').where({ id: deskContact.id }).first()).toMatchObject({ last_name: 'Yılmaz', name_key: 'yilmaz ilknur' });
    expect(((await desk.db('records').where({ id: record.id }).first()) as RecordRow).sort_name).toBe('yilmaz ilknur');
    expect((await logSince(desk.db, seq2)).map((e) => `${e.entity}:${e.op}`)).toEqual(['contact:update', 'contact:insert', 'record:update']);
  });

  it('refuses the whole import when a checksum does not verify, and names what is wrong', async () => {
    await createContact(central.ctx, { firstName: 'Ada', lastName: 'Lovelace', memberNumber: 'C-1' });
    await exportCentral();
    await createContact(central.ctx, { firstName: 'Alan', lastName: 'Turing', memberNumber: 'C-2' });
    await exportCentral();
    const [first, second] = fs
      .readdirSync(out)
      .filter((n) => n.startsWith('certdesk-'))
      .sort();
    // Tamper with the second batch's contact file: same size, another byte.
    const file = path.join(out, second ?? '', 'changes-contact.jsonl');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('Turing', 'Turinx'));

    const before = await snapshot(desk.db);
    const preview = await previewBatchImport(desk.db, out);
    expect(preview.problems).toEqual([`${second}: changes-contact.jsonl does not match its SHA-256 in the manifest (it was changed or damaged)`]);
    expect(preview.rows).toEqual({ new: 0, changed: 0, unchanged: 0, rejected: 0 });
    expect(preview.batches).toEqual([]);
    const error = await applyBatchImport(desk.ctx, admin, out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).message).toContain('Nothing was imported');
    expect((error as ServiceError).message).toContain('SHA-256');
    // The first batch was fine, but nothing of it was applied either.
    expect(await snapshot(desk.db)).toBe(before);

    // A manifest edited by hand fails its own checksum.
    const manifestFile = path.join(out, first ?? '', 'manifest.json');
    fs.writeFileSync(manifestFile, fs.readFileSync(manifestFile, 'utf8').replace('"formatVersion": 1', '"formatVersion": 1, "extra": 1'));
    const single = await previewBatchImport(desk.db, path.join(out, first ?? ''));
    expect(single.problems.join(' ')).toContain('does not match its own checksum');
    expect(await snapshot(desk.db)).toBe(before);
  });
});

// ---------------------------------------------------------------------------

const DEVICE = '0c5e6d1a-2b3c-4d5e-8f90-a1b2c3d4e5f6';

function change(seq: number, entity: string, id: number, data: Record<string, unknown>): BatchChange {
  return { seq, entity, id, op: 'insert', at: `2026-03-0${1 + (seq % 9)}T10:00:00.000Z`, data: { id, ...data } };
}

function writeBatch(folder: string, deviceId: string, changes: BatchChange[]): string {
  const batch = buildBatch(deviceId, changes);
  const dir = path.join(folder, batch.name);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of batch.files) fs.writeFileSync(path.join(dir, f.name), f.content);
  fs.writeFileSync(path.join(dir, 'manifest.json'), batch.manifestBytes);
  return dir;
}

/** A contact's data with only these fields: absent ones leave the stored values. */
const person = (first: string, last: string, member: string | null, extra: Record<string, unknown> = {}) => ({
  first_name: first,
  last_name: last,
  member_number: member,
  ...extra,
});

describe('hand-built batches', () => {
  it('links by member number and code, rejects conflicts and orphans with file and line, and applies the rest', async () => {
    const local = await createContact(desk.ctx, { firstName: 'Lin', lastName: 'Ked', memberNumber: 'M-1', phone: '123' });
    await createContact(desk.ctx, { firstName: 'Other', lastName: 'Central', memberNumber: 'M-2', centralId: '999' });
    const localProgram = await createProgram(desk.ctx, {
      code: 'CPR',
      name: 'CPR (local)',
      requireApproval: false,
      requireCompletionApproval: false,
      expiration: { kind: 'never' },
      components: [],
    });
    await createProgram(desk.ctx, {
      code: 'TAKEN',
      name: 'Taken',
      requireApproval: false,
      requireCompletionApproval: false,
      expiration: { kind: 'never' },
      components: [],
    });
    const changes = [
      change(1, 'contact', 10, person('Lin', 'Ked', 'M-1')), // links the local contact; phone absent → kept
      change(2, 'contact', 11, person('New', 'Comer', 'M-2')), // M-2 belongs to central id 999
      change(3, 'contact', 12, person('', '', 'M-3')), // no name
      change(4, 'contact', 13, { first_name: 'Bad', last_name: 42 }), // not a string
      change(5, 'program', 20, { code: 'CPR', name: 'CPR', require_approval: 1, expiration_kind: 'period', expiration_amount: 3, expiration_unit: 'years' }), // links
      change(6, 'program', 21, { code: 'TAKEN', name: 'Clash' }), // code belongs to a local program with… no central id: linked too
      change(7, 'program', 22, { code: 'BADEXP', name: 'Bad', expiration_kind: 'fixed', expiration_fixed_on: '2027-02-30' }),
      change(8, 'component', 30, { program_id: 20, name: 'Part A', kind: 'course', credits: 2, credit_unit: 'hours', required: 1, position: 0 }),
      change(9, 'component', 31, { program_id: 22, name: 'Orphan of a rejected program' }),
      change(10, 'component', 32, { program_id: 77, name: 'Orphan' }),
      change(11, 'contact', 10, person('Lin', 'Ked', 'M-1', { email: 'lin@example.org' })), // a later change of contact 10 wins
      change(12, 'record', 1, { status: 'Active' }),
      change(13, 'contact', 14, person('Lin', 'Twin', 'M-1')), // M-1 links to the contact change 1 already links
    ];
    writeBatch(out, DEVICE, changes);
    const preview = await previewBatchImport(desk.db, out);
    expect(preview.problems).toEqual([]);
    expect(preview.warnings).toEqual([]);
    expect(preview.contacts).toEqual({ new: 0, changed: 1, unchanged: 0, rejected: 4 });
    expect(preview.programs).toEqual({ new: 0, changed: 2, unchanged: 0, rejected: 1 });
    expect(preview.components).toEqual({ new: 1, changed: 0, unchanged: 0, rejected: 2 });
    expect(preview.ignored).toEqual({ record: 1 });
    const name = `certdesk-${DEVICE}-000000000001-000000000013`;
    expect(preview.rejected).toEqual([
      { file: `${name}/changes-contact.jsonl`, line: 2, reason: 'contact 11: Member number M-2 belongs to Other Central, whose central ID is 999, not 11.' },
      { file: `${name}/changes-contact.jsonl`, line: 3, reason: 'contact 12: first_name and last_name are both empty' },
      { file: `${name}/changes-contact.jsonl`, line: 4, reason: 'contact 13: last_name: Invalid input: expected string, received number' },
      {
        file: `${name}/changes-contact.jsonl`,
        line: 6,
        reason: 'contact 14: member number M-1 links it to Lin Ked, whom contact 10 of this import already is.',
      },
      { file: `${name}/changes-program.jsonl`, line: 3, reason: 'program 22: expiration_kind is fixed but expiration_fixed_on is not a date YYYY-MM-DD' },
      {
        file: `${name}/changes-component.jsonl`,
        line: 2,
        reason:
          'component 31: its certification (central id 22) is rejected in this import: expiration_kind is fixed but expiration_fixed_on is not a date YYYY-MM-DD',
      },
      { file: `${name}/changes-component.jsonl`, line: 3, reason: 'component 32: its certification (central id 77) is neither here nor in this import.' },
    ]);
    const applied = await applyBatchImport(desk.ctx, admin, out);
    expect(applied.rows).toEqual(preview.rows);
    expect(await desk.db('contacts').where({ id: local.id }).first()).toMatchObject({ central_id: '10', email: 'lin@example.org', phone: '123' });
    expect(await desk.db('programs').where({ id: localProgram.id }).first()).toMatchObject({
      central_id: '20',
      name: 'CPR',
      require_approval: 1,
      expiration_kind: 'period',
      expiration_amount: 3,
    });
    expect(await desk.db('programs').where({ code: 'TAKEN' }).first()).toMatchObject({ central_id: '21', name: 'Clash' });
    expect(((await programComponents(desk.db, localProgram.id)) as ComponentRow[]).map((c) => c.name)).toEqual(['Part A']);
    expect(await desk.db('contacts').where({ member_number: 'M-3' }).first()).toBeUndefined();

    // A later batch: a component changes and is archived, the program is renamed, a contact moves its member number.
    writeBatch(out, DEVICE, [
      change(14, 'component', 30, {
        program_id: 20,
        name: 'Part A (new)',
        kind: 'course',
        credits: 2,
        credit_unit: 'hours',
        required: 0,
        position: 0,
        archived_at: '2026-03-09T10:00:00.000Z',
      }),
      change(15, 'program', 20, { code: 'CPR-2', name: 'CPR 2' }),
      change(16, 'contact', 10, person('Lin', 'Ked', 'M-9')),
      change(17, 'contact', 40, person('Mo', 'Ved', 'M-1')), // M-1 was freed by change 16
    ]);
    const next = await previewBatchImport(desk.db, out);
    expect(next.batches.map((b) => b.state)).toEqual(['already-imported', 'import']);
    expect(next.rows).toEqual({ new: 1, changed: 3, unchanged: 0, rejected: 0 });
    await applyBatchImport(desk.ctx, admin, out);
    expect(await desk.db('components').where({ program_id: localProgram.id }).first()).toMatchObject({
      name: 'Part A (new)',
      required: 0,
      archived_at: '2026-03-09T10:00:00.000Z',
    });
    expect(await desk.db('programs').where({ id: localProgram.id }).first()).toMatchObject({ code: 'CPR-2', name: 'CPR 2' });
    expect(await desk.db('contacts').where({ member_number: 'M-1' }).first()).toMatchObject({ central_id: '40', first_name: 'Mo' });
    expect(await desk.db('contacts').where({ id: local.id }).first()).toMatchObject({ member_number: 'M-9' });
  });

  it('refuses a gap after the last batch imported, batches of this desktop itself, and empty folders; admins only', async () => {
    writeBatch(out, DEVICE, [change(1, 'contact', 1, person('A', 'A', null))]);
    await applyBatchImport(desk.ctx, admin, out);
    const other = tempDir('certdesk-import-gap-');
    try {
      writeBatch(other, DEVICE, [change(5, 'contact', 2, person('B', 'B', null))]);
      const gap = await previewBatchImport(desk.db, other);
      expect(gap.problems).toEqual([
        `certdesk-${DEVICE}-000000000005-000000000005: changes 2–4 of device ${DEVICE} were never imported and are not in this folder; import the batches holding them first.`,
      ]);
      await expect(applyBatchImport(desk.ctx, admin, other)).rejects.toThrow('Nothing was imported');

      const own = await ensureDeviceId(desk.db);
      const mine = tempDir('certdesk-import-own-');
      writeBatch(mine, own, [change(1, 'contact', 3, person('C', 'C', null))]);
      expect((await previewBatchImport(desk.db, mine)).problems[0]).toContain('was exported by this desktop itself');
      removeDir(mine);

      const empty = tempDir('certdesk-import-empty-');
      expect((await previewBatchImport(desk.db, empty)).problems[0]).toContain('holds no batches');
      removeDir(empty);
      expect((await previewBatchImport(desk.db, path.join(other, 'nope'))).problems).toEqual([`${path.join(other, 'nope')} does not exist.`]);

      const staff = await makeStaff(desk.ctx, 'sam', 'Sam Staff');
      await expect(applyBatchImport(desk.ctx, staff, out)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    } finally {
      removeDir(other);
    }
  });

  it('a first import may start anywhere (with a warning); overlapping batches take only what is new', async () => {
    writeBatch(out, DEVICE, [change(3, 'contact', 1, person('A', 'A', 'M-1')), change(4, 'contact', 2, person('B', 'B', 'M-2'))]);
    const first = await previewBatchImport(desk.db, out);
    expect(first.warnings).toEqual([`Device ${DEVICE}: nothing was imported from it before, and the earliest batch here starts at seq 3.`]);
    await applyBatchImport(desk.ctx, admin, out);
    const again = tempDir('certdesk-import-overlap-');
    try {
      // Re-exported from an earlier point with another batch size: seq 4 again, then 5.
      writeBatch(again, DEVICE, [change(4, 'contact', 2, person('B', 'Changed', 'M-2')), change(5, 'contact', 3, person('C', 'C', 'M-3'))]);
      const overlap = await previewBatchImport(desk.db, again);
      expect(overlap.batches.map((b) => b.state)).toEqual(['partly-imported']);
      expect(overlap.contacts).toEqual({ new: 1, changed: 0, unchanged: 0, rejected: 0 });
      await applyBatchImport(desk.ctx, admin, again);
      expect(await desk.db('contacts').where({ central_id: '2' }).first()).toMatchObject({ last_name: 'B' });
      expect(await settingJson(IMPORT_SEQS_KEY)).toEqual({ [DEVICE]: 5 });
    } finally {
      removeDir(again);
    }
  });
});

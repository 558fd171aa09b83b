/**
 * Search finds what staff type (issue 16 §5): names, emails, organizations and
 * member numbers are folded the same way for the stored keys and the typed
 * words — Unicode case folding, compatibility decomposition, no accents — so
 * "ismail" finds İsmail, "ışık" finds Işık, "strasse" finds Straße, "école"
 * finds École, and a decomposed accent matches a composed one. Migration 009
 * rebuilds the keys of a database written before it.
 */
import knexFactory from 'knex';
import { describe, expect, it } from 'vitest';
import { closeDatabase, databaseFile, openDatabase } from '../../main/db/database';
import { MIGRATIONS, migrationSource } from '../../main/db/migrations';
import type { FilterTree } from '../../main/filters/fields';
import { createContact, searchContacts } from '../../main/services/contacts';
import { enroll } from '../../main/services/records';
import { listTracking } from '../../main/services/tracking';
import { foldForSearch } from '../../main/domain/text-search';
import type { Actor } from '../../main/services/context';
import { makeProgram, removeDir, tempDir, type TestDb } from './support';
import { freshDbEachTest } from './fresh-each-test';

let t: TestDb;
let staff: Actor;
freshDbEachTest((db, user) => {
  t = db;
  staff = user;
});

const PEOPLE = [
  { firstName: 'İsmail', lastName: 'Yılmaz', email: 'ismail@example.org', organization: 'Ankara Üniversitesi', memberNumber: 'TR-1' },
  { firstName: 'Işık', lastName: 'Demir', email: 'ISIK.DEMIR@EXAMPLE.ORG', organization: '', memberNumber: 'TR-2' },
  { firstName: 'Jörg', lastName: 'Straße', email: 'joerg@example.de', organization: 'ÉCOLE POLYTECHNIQUE', memberNumber: 'DE-3' },
  // Stored decomposed (NFD): e + U+0301.
  { firstName: 'Jose\u0301', lastName: 'Núñez', email: 'Zoë.Ärger@Example.org', organization: 'Cafe\u0301 Société', memberNumber: 'ＡＢ-１２３' },
];

/** Names are stored composed (NFC); organizations and emails as typed. */
const JOSE = 'Jose\u0301 Núñez'.normalize('NFC');

async function seed(): Promise<Map<string, number>> {
  const { program } = await makeProgram(t.ctx);
  const ids = new Map<string, number>();
  for (const p of PEOPLE) {
    const contact = await createContact(t.ctx, p);
    await enroll(t.ctx, staff, { contactId: contact.id, programId: program.id, source: 'back-office' });
    ids.set(p.memberNumber, contact.id);
  }
  return ids;
}

async function found(query: { search?: string; filter?: FilterTree }): Promise<string[]> {
  const { rows } = await listTracking(t.db, {
    quick: { kind: 'all' },
    ...query,
    today: '2026-03-10',
    sort: { column: 'contactName', direction: 'asc' },
    page: 1,
    pageSize: 50,
  });
  return rows.map((r) => r.contactName).sort();
}

const rule = (field: string, operator: string, value: string): FilterTree =>
  ({ combinator: 'and', rules: [{ field, operator, value }] }) as unknown as FilterTree;

describe('the one folding', () => {
  it('folds case beyond ASCII, compatibility forms and accents; dotless ı and dotted İ both become i', () => {
    expect(foldForSearch('İsmail')).toBe('ismail');
    expect(foldForSearch('IŞIK')).toBe(foldForSearch('ışık'));
    expect(foldForSearch('ışık')).toBe('isik');
    expect(foldForSearch('Straße')).toBe('strasse');
    expect(foldForSearch('École')).toBe('ecole');
    expect(foldForSearch('Jose\u0301')).toBe(foldForSearch('José'));
    expect(foldForSearch('ＡＢ-１２３')).toBe('ab-123');
    expect(foldForSearch('  Anna   SMITH ')).toBe('anna smith');
    expect(foldForSearch('李小明 🌟')).toBe('李小明 🌟');
  });
});

describe('the list search box and the Customize Filter find what staff type', () => {
  it('names: ismail, ışık, ISIK, strasse, jose (typed composed or decomposed)', async () => {
    await seed();
    expect(await found({ search: 'ismail' })).toEqual(['İsmail Yılmaz']);
    expect(await found({ search: 'ışık' })).toEqual(['Işık Demir']);
    expect(await found({ search: 'ISIK demir' })).toEqual(['Işık Demir']);
    expect(await found({ search: 'strasse' })).toEqual(['Jörg Straße']);
    expect(await found({ search: 'STRASSE jorg' })).toEqual(['Jörg Straße']);
    expect(await found({ search: 'José' })).toEqual([JOSE]);
    expect(await found({ search: 'nunez' })).toEqual([JOSE]);
    expect(await found({ filter: rule('contactName', '=', 'nunez jose') })).toEqual([JOSE]);
  });

  it('emails, organizations and member numbers fold the same way', async () => {
    await seed();
    expect(await found({ filter: rule('organization', 'contains', 'école') })).toEqual(['Jörg Straße']);
    expect(await found({ filter: rule('organization', '=', 'ecole polytechnique') })).toEqual(['Jörg Straße']);
    expect(await found({ filter: rule('organization', 'beginsWith', 'café') })).toEqual([JOSE]);
    expect(await found({ filter: rule('organization', 'contains', 'universitesi') })).toEqual(['İsmail Yılmaz']);
    expect(await found({ filter: rule('email', 'contains', 'zoe.arger@') })).toEqual([JOSE]);
    expect(await found({ filter: rule('email', 'beginsWith', 'ışık.') })).toEqual(['Işık Demir']);
    expect(await found({ filter: rule('email', '!=', 'ISMAIL@example.org') })).toHaveLength(3);
    expect(await found({ filter: rule('memberNumber', '=', 'ab-123') })).toEqual([JOSE]);
    expect(await found({ filter: rule('memberNumber', 'endsWith', '１２３') })).toEqual([JOSE]);
    expect(await found({ filter: rule('organization', 'doesNotContain', 'ECOLE') })).toHaveLength(3);
  });

  it('the contact search (add to a certification) finds by folded name, email and member number', async () => {
    await seed();
    const names = async (text: string) => (await searchContacts(t.db, text)).map((c) => c.last_name);
    expect(await names('ismail')).toEqual(['Yılmaz']);
    expect(await names('ZOË.ärger')).toEqual(['Núñez']);
    expect(await names('ab-123')).toEqual(['Núñez']);
  });
});

describe('migration 009 rebuilds the stored keys of an older database', () => {
  it('old keys (lower-cased only) become folded keys; records sort by the new key; nothing else changes', async () => {
    const dir = tempDir();
    try {
      const before = MIGRATIONS.filter((m) => m.name < '009');
      const old = knexFactory({ client: 'sqlite3', connection: { filename: databaseFile(dir) }, useNullAsDefault: true });
      await old.migrate.latest({
        migrationSource: { ...migrationSource, getMigrations: () => Promise.resolve(before) },
      });
      const at = '2026-03-01T10:00:00.000Z';
      await old('programs').insert({ id: 1, code: 'P1', name: 'Program 1', created_at: at, updated_at: at });
      const people = [
        ['İsmail', 'Yılmaz', 'ISMAIL@EXAMPLE.ORG', 'Ankara Üniversitesi', 'TR-1'],
        ['Jörg', 'Straße', 'joerg@example.de', 'ÉCOLE', 'DE-3'],
        ['Anna', 'Smith', 'anna@example.org', 'Acme', 'US-4'],
      ];
      for (const [i, [first, last, email, org, member]] of people.entries()) {
        const oldKey = `${last} ${first}`.normalize('NFC').toLowerCase();
        await old('contacts').insert({
          id: i + 1,
          first_name: first,
          last_name: last,
          email,
          organization: org,
          member_number: member,
          name_key: oldKey,
          created_at: at,
          updated_at: at,
        });
        await old('records').insert({ contact_id: i + 1, program_id: 1, status: 'In Progress', sort_name: oldKey, created_at: at, updated_at: at });
      }
      const logged = Number(((await old('change_log').count({ n: '*' }).first()) as { n: number }).n);
      await old.destroy();

      const db = await openDatabase({ dataDir: dir });
      try {
        const contacts = (await db('contacts').orderBy('id').select('name_key', 'email_key', 'organization_key', 'member_key')) as unknown[];
        expect(contacts).toEqual([
          { name_key: 'yilmaz ismail', email_key: 'ismail@example.org', organization_key: 'ankara universitesi', member_key: 'tr-1' },
          { name_key: 'strasse jorg', email_key: 'joerg@example.de', organization_key: 'ecole', member_key: 'de-3' },
          { name_key: 'smith anna', email_key: 'anna@example.org', organization_key: 'acme', member_key: 'us-4' },
        ]);
        expect(await db('records').orderBy('id').pluck('sort_name')).toEqual(['yilmaz ismail', 'strasse jorg', 'smith anna']);
        // A rebuilt search key is not a change staff made: nothing new for the sync export.
        expect(Number(((await db('change_log').count({ n: '*' }).first()) as { n: number }).n)).toBe(logged);
      } finally {
        await closeDatabase(db);
      }
    } finally {
      removeDir(dir);
    }
  });
});

/**
 * RELIABILITY.md promise 3: migrations are safe. For every schema version in
 * MIGRATIONS, a fixture database is built at that version (only the first k
 * migrations, through knex's own migrator) with representative rows in every
 * table; openDatabase then brings it to the newest version with per-table row
 * counts unchanged, a backup taken before migrating, and integrity ok.
 *
 * CertDesk has one migration so far, so no real migration runs yet. To prove
 * the machinery a future migration will rely on (backup first, one
 * transaction with the version, row counts compared), test-only migrations
 * are appended to the list through a module mock: one that adds a column, one
 * that rebuilds a table with knex's emulated ALTER, one that fails midway, and
 * one that loses rows.
 */
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { listBackups } from '../../main/db/backup';
import { closeDatabase, databaseFile, openDatabase, type Db } from '../../main/db/database';
import { inspectDatabase } from '../../main/db/inspect';
import { MIGRATIONS } from '../../main/db/migrations';
import type * as MigrationsModule from '../../main/db/migrations';
import { STATUSES } from '../../main/rules/statuses';
import { appTables, foreignKeyProblems, integrityOk, removeDir, tempDir } from './support';

type Entry = { name: string; migration: Knex.Migration };

/** The real list, and the list openDatabase sees (the real one plus whatever a test appends). */
const lists = vi.hoisted(() => ({ real: [] as Entry[], seen: [] as Entry[] }));

vi.mock('../../main/db/migrations', async (importOriginal) => {
  const actual = await importOriginal<typeof MigrationsModule>();
  lists.real = [...actual.MIGRATIONS];
  lists.seen = [...actual.MIGRATIONS];
  const source: Knex.MigrationSource<Entry> = {
    getMigrations: () => Promise.resolve([...lists.seen]),
    getMigrationName: (m) => m.name,
    getMigration: (m) => Promise.resolve(m.migration),
  };
  return { MIGRATIONS: lists.seen, migrationSource: source };
});

const dirs: string[] = [];
let rowsChecked = 0;
afterAll(() => {
  for (const dir of dirs) removeDir(dir);
  console.log(`migrations: ${lists.real.length} real migration(s) (${lists.real.map((m) => m.name).join(', ')}); rows checked ${rowsChecked}`);
});

/** openDatabase sees the real migrations plus `extra`. */
function useMigrations(extra: Entry[]): void {
  lists.seen.splice(0, lists.seen.length, ...lists.real, ...extra);
}
beforeEach(() => useMigrations([]));

function sourceOf(list: readonly Entry[]): Knex.MigrationSource<Entry> {
  return {
    getMigrations: () => Promise.resolve([...list]),
    getMigrationName: (m) => m.name,
    getMigration: (m) => Promise.resolve(m.migration),
  };
}

function plainKnex(file: string): Knex {
  return knexFactory({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
}

interface Column {
  name: string;
  type: string;
  notnull: number;
  dflt_value: unknown;
  pk: number;
}

/** Values for columns that triggers or the app constrain; everything else is made up from the type and the name. */
const VALUES: Record<string, (i: number) => unknown> = {
  'records.status': (i) => STATUSES[i % STATUSES.length],
  'record_history.from_status': (i) => (i === 0 ? null : STATUSES[(i - 1) % STATUSES.length]),
  'record_history.to_status': (i) => STATUSES[i % STATUSES.length],
  'record_history.kind': (i) => ['enrollment', 'status', 'component', 'note', 'expiration'][i % 5],
  'programs.expiration_kind': (i) => ['never', 'period', 'fixed'][i % 3],
  'programs.expiration_unit': (i) => (i % 3 === 1 ? 'years' : null),
  'programs.expiration_amount': (i) => (i % 3 === 1 ? 2 : null),
  'programs.expiration_fixed_on': (i) => (i % 3 === 2 ? '2027-12-31' : null),
  'users.role': (i) => (i === 0 ? 'admin' : 'staff'),
  'outbox.kind': () => 'certification-expiring',
  'outbox.state': (i) => (i % 2 === 0 ? 'queued' : 'exported'),
  'change_log.entity': (i) => ['contact', 'program', 'record', 'history'][i % 4],
  'change_log.op': (i) => (i % 2 === 0 ? 'insert' : 'update'),
  'change_log.data': (i) => JSON.stringify({ id: i + 1, note: 'fixture' }),
  'settings.key': (i) => `fixture.${i}`,
  'settings.value': (i) => JSON.stringify(`value ${i}`),
  'saved_filters.tree': () => JSON.stringify({ combinator: 'and', rules: [] }),
  'components.kind': (i) => ['course', 'exam', 'task', 'document'][i % 4],
  'ce_activities.kind': (i) => (i % 4 === 3 ? 'carry-over' : 'activity'),
  'programs.renewal_minimums': () => JSON.stringify([{ category: 'Ethics', credits: 6 }]),
};

function valueFor(table: string, col: Column, i: number): unknown {
  const special = VALUES[`${table}.${col.name}`];
  if (special) return special(i);
  const type = col.type.toLowerCase();
  if (/_on$/.test(col.name)) return `2026-0${(i % 9) + 1}-1${i % 10}`;
  if (/_at$/.test(col.name)) return `2026-03-1${i % 10}T12:00:00.000Z`;
  if (type.includes('int') || type.includes('bool')) return i % 2;
  if (type.includes('float') || type.includes('real') || type.includes('double')) return 1.5 + i;
  // Text: unique per row (several columns are unique), with a little Unicode.
  return `${table}.${col.name} ${i} Zoë`;
}

/**
 * Tables some trigger writes into (counters and the like): they are filled by
 * the rows of the others, never directly.
 */
async function derivedTables(db: Knex): Promise<Set<string>> {
  const triggers = (await db.raw("select sql from sqlite_master where type = 'trigger'")) as Array<{ sql: string }>;
  const derived = new Set<string>();
  for (const { sql } of triggers) {
    for (const m of sql.matchAll(/\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)/gi)) if (m[1]) derived.add(m[1]);
  }
  return derived;
}

/**
 * `rows` representative rows in every table of the schema as it is (any
 * version): parents first, foreign keys pointing at real parent rows; tables
 * that triggers maintain get theirs from the triggers.
 */
async function fillEveryTable(db: Knex, rows: number): Promise<Record<string, number>> {
  const tables = (await db.raw("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'knex_%'")) as Array<{
    name: string;
  }>;
  const derived = await derivedTables(db);
  const fks = new Map<string, Array<{ from: string; table: string }>>();
  for (const { name } of tables) fks.set(name, (await db.raw(`PRAGMA foreign_key_list("${name}")`)) as Array<{ from: string; table: string }>);
  const done = new Set<string>();
  const todo = tables.filter(({ name }) => !derived.has(name));
  while (done.size < todo.length) {
    const ready = todo.filter(
      ({ name }) => !done.has(name) && (fks.get(name) ?? []).every((fk) => fk.table === name || done.has(fk.table) || derived.has(fk.table)),
    );
    if (ready.length === 0) throw new Error('foreign keys form a cycle');
    for (const { name } of ready) {
      const cols = (await db.raw(`PRAGMA table_info("${name}")`)) as Column[];
      const parentOf = new Map((fks.get(name) ?? []).map((fk) => [fk.from, fk.table]));
      for (let i = 0; i < rows; i++) {
        const row: Record<string, unknown> = {};
        for (const col of cols) {
          if (col.pk === 1 && col.type.toLowerCase().includes('int')) continue;
          row[col.name] = parentOf.has(col.name) ? i + 1 : valueFor(name, col, i);
        }
        await db(name).insert(row);
      }
      done.add(name);
    }
  }
  const counts = await countsOf(db);
  for (const [table, n] of Object.entries(counts)) if (n === 0) throw new Error(`the fixture left ${table} empty`);
  return counts;
}

async function countsOf(db: Knex): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await appTables(db as Db)) {
    const row = (await db(table).count({ n: '*' }).first()) as { n: number };
    counts[table] = Number(row.n);
  }
  return counts;
}

async function triggersOf(db: Knex): Promise<string[]> {
  const rows = (await db.raw("select name from sqlite_master where type = 'trigger' order by name")) as Array<{ name: string }>;
  return rows.map((r) => r.name);
}

/** A data folder whose database is at version k (the first k real migrations), with `rows` rows in every table. */
async function fixtureAt(k: number, rows: number): Promise<{ dir: string; counts: Record<string, number>; triggers: string[] }> {
  const dir = tempDir(`certdesk-rel-migr-v${k}-`);
  dirs.push(dir);
  const db = plainKnex(databaseFile(dir));
  try {
    await db.raw('PRAGMA foreign_keys = ON');
    await db.migrate.latest({ migrationSource: sourceOf(lists.real.slice(0, k)) });
    const counts = await fillEveryTable(db, rows);
    expect(Object.keys(counts).length, 'every table got rows').toBe((await appTables(db as Db)).length);
    return { dir, counts, triggers: await triggersOf(db) };
  } finally {
    await db.destroy();
  }
}

async function appliedIn(file: string): Promise<string[]> {
  return (await inspectDatabase(file)).migrations;
}

describe('a database at every schema version', () => {
  for (let k = 1; k <= MIGRATIONS.length; k++) {
    const name = MIGRATIONS[k - 1]?.name ?? '?';
    it(`at version ${k} (${name}) opens migrated to the newest with every row, a backup first if it migrated, integrity ok`, async () => {
      const { dir, counts, triggers } = await fixtureAt(k, 7);
      const db = await openDatabase({ dataDir: dir, now: () => new Date('2026-03-10T15:00:00Z') });
      try {
        // Every table the old version had keeps its rows; tables a later migration adds may be new.
        const after = await countsOf(db);
        expect(Object.fromEntries(Object.keys(counts).map((t) => [t, after[t]]))).toEqual(counts);
        expect(await integrityOk(db)).toBe('ok');
        expect(await foreignKeyProblems(db)).toEqual([]);
        expect(await triggersOf(db)).toEqual(expect.arrayContaining(triggers));
        const applied = ((await db('knex_migrations').orderBy('id').select('name')) as Array<{ name: string }>).map((m) => m.name);
        expect(applied).toEqual(MIGRATIONS.map((m) => m.name));
      } finally {
        await closeDatabase(db);
      }
      const backups = listBackups(dir);
      if (k < MIGRATIONS.length) {
        expect(backups).toHaveLength(1);
        expect(await appliedIn(backups[0] ?? '')).toEqual(MIGRATIONS.slice(0, k).map((m) => m.name));
      } else {
        // Already the newest: nothing to migrate, so no backup is needed.
        expect(backups).toEqual([]);
      }
      rowsChecked += Object.values(counts).reduce((a, b) => a + b, 0);
    });
  }
});

// ---------------------------------------------------------------------------
// Test-only migrations appended after the real ones

const addColumn: Entry = {
  name: '900_test_add_nickname',
  migration: {
    up: async (knex) => {
      await knex.schema.alterTable('contacts', (t) => t.text('nickname').notNullable().defaultTo(''));
      await knex.schema.alterTable('contacts', (t) => t.index(['nickname']));
    },
    down: () => Promise.reject(new Error('append-only')),
  },
};

/** knex emulates this ALTER on SQLite by copying the table into a new one and dropping the old. */
const rebuildTable: Entry = {
  name: '901_test_rebuild_contacts',
  migration: {
    up: async (knex) => {
      await knex.schema.alterTable('contacts', (t) => t.dropColumn('phone'));
    },
    down: () => Promise.reject(new Error('append-only')),
  },
};

/** Rebuilds record_history (no child tables, so the foreign keys do not stop it). */
const rebuildHistory: Entry = {
  name: '904_test_rebuild_history',
  migration: {
    up: async (knex) => {
      await knex.schema.alterTable('record_history', (t) => t.dropColumn('detail'));
    },
    down: () => Promise.reject(new Error('append-only')),
  },
};

const failsMidway: Entry = {
  name: '902_test_fails_midway',
  migration: {
    up: async (knex) => {
      await knex.schema.createTable('half_done', (t) => t.increments('id'));
      await knex('contacts').update({ organization: 'rewritten by a failing migration' });
      throw new Error('the test migration fails midway');
    },
    down: () => Promise.reject(new Error('append-only')),
  },
};

const losesRows: Entry = {
  name: '903_test_loses_rows',
  migration: {
    up: async (knex) => {
      await knex('saved_filters').del();
    },
    down: () => Promise.reject(new Error('append-only')),
  },
};

/** A fixture at the newest real version, then `extra` appended to what openDatabase sees. */
async function newestWith(extra: Entry[]): Promise<{ dir: string; counts: Record<string, number>; triggers: string[] }> {
  const fixture = await fixtureAt(lists.real.length, 7);
  useMigrations(extra);
  return fixture;
}

async function openError(dir: string): Promise<Error> {
  let caught: unknown = null;
  try {
    const db = await openDatabase({ dataDir: dir, now: () => new Date('2026-03-10T15:00:00Z') });
    await closeDatabase(db);
  } catch (err) {
    caught = err;
  }
  expect(caught, 'openDatabase must fail').toBeInstanceOf(Error);
  return caught as Error;
}

describe('the migration machinery, with test-only migrations', () => {
  it('a migration that adds a column: backup first, every row kept, integrity ok, the backup at the old version with the same rows', async () => {
    const { dir, counts } = await newestWith([addColumn]);
    const db = await openDatabase({ dataDir: dir, now: () => new Date('2026-03-10T15:00:00Z') });
    try {
      expect(await countsOf(db)).toEqual(counts);
      expect(await integrityOk(db)).toBe('ok');
      expect(await foreignKeyProblems(db)).toEqual([]);
      expect(((await db.raw("PRAGMA table_info('contacts')")) as Column[]).map((c) => c.name)).toContain('nickname');
    } finally {
      await closeDatabase(db);
    }
    const [backup, ...more] = listBackups(dir);
    expect(more).toEqual([]);
    expect(path.basename(backup ?? '')).toBe('certdesk-20260310T150000-before-900_test_add_nickname.sqlite');
    expect(await appliedIn(backup ?? '')).toEqual(lists.real.map((m) => m.name));
    const copy = plainKnex(backup ?? '');
    try {
      expect(await countsOf(copy)).toEqual(counts);
    } finally {
      await copy.destroy();
    }
    rowsChecked += Object.values(counts).reduce((a, b) => a + b, 0) * 2;
  });

  it('a migration knex emulates by rebuilding a parent table: every row kept and foreign keys intact, or refused with the file at the old version', async () => {
    const { dir, counts, triggers } = await newestWith([rebuildTable]);
    let db: Db | null = null;
    let error: unknown = null;
    try {
      db = await openDatabase({ dataDir: dir, now: () => new Date('2026-03-10T15:00:00Z') });
    } catch (err) {
      error = err;
    }
    if (db) {
      try {
        expect(await countsOf(db)).toEqual(counts);
        expect(await foreignKeyProblems(db)).toEqual([]);
        expect(await integrityOk(db)).toBe('ok');
        expect(await triggersOf(db)).toEqual(triggers);
      } finally {
        await closeDatabase(db);
      }
      console.log(`migrations: ${rebuildTable.name} ran: rows, foreign keys and triggers kept`);
    } else {
      console.log(`migrations: ${rebuildTable.name} refused: ${String(error)}`);
      expect(await appliedIn(databaseFile(dir))).toEqual(lists.real.map((m) => m.name));
      const check = plainKnex(databaseFile(dir));
      try {
        expect(await countsOf(check)).toEqual(counts);
      } finally {
        await check.destroy();
      }
    }
    expect(listBackups(dir)).toHaveLength(1);
  });

  it('a migration that fails midway leaves the file at the old version with every row and no trace of the half-done migration', async () => {
    const { dir, counts, triggers } = await newestWith([failsMidway]);
    const before = plainKnex(databaseFile(dir));
    const organizations = await before('contacts').orderBy('id').pluck('organization');
    await before.destroy();

    const error = await openError(dir);
    expect(String(error)).toMatch(/fails midway/);
    expect(await appliedIn(databaseFile(dir))).toEqual(lists.real.map((m) => m.name));
    const check = plainKnex(databaseFile(dir));
    try {
      expect(await countsOf(check)).toEqual(counts);
      expect(await check('contacts').orderBy('id').pluck('organization')).toEqual(organizations);
      expect(await check.schema.hasTable('half_done')).toBe(false);
      expect(await triggersOf(check)).toEqual(triggers);
    } finally {
      await check.destroy();
    }
    expect(listBackups(dir)).toHaveLength(1);
    // Without the broken migration (an older CertDesk, or a fixed one) the file opens as before.
    useMigrations([]);
    const db = await openDatabase({ dataDir: dir });
    try {
      expect(await countsOf(db)).toEqual(counts);
    } finally {
      await closeDatabase(db);
    }
  });

  it('a migration that loses rows is caught: openDatabase fails naming the table, and the backup taken before holds every row', async () => {
    const { dir, counts } = await newestWith([losesRows]);
    const error = await openError(dir);
    expect(error.message).toMatch(/lost rows in saved_filters \(7 → 0\); the backup taken before it was put back/);
    const [backup] = listBackups(dir);
    const copy = plainKnex(backup ?? '');
    try {
      expect(await countsOf(copy)).toEqual(counts);
    } finally {
      await copy.destroy();
    }
  });

  // Found by this test and fixed: the guard now puts the pre-migration backup back when a
  // committed migration lost rows, so the next start refuses again instead of opening the loss.
  it('a migration that loses rows is not committed: the file stays at the old version with every row', async () => {
    const { dir, counts } = await newestWith([losesRows]);
    await openError(dir);
    expect(await appliedIn(databaseFile(dir))).toEqual(lists.real.map((m) => m.name));
    const check = plainKnex(databaseFile(dir));
    try {
      expect(await countsOf(check)).toEqual(counts);
    } finally {
      await check.destroy();
    }
    await openError(dir);
  });

  // knex rebuilds the table for most ALTERs on SQLite and the table's triggers go with it; the
  // guard now refuses a migration that drops a trigger and puts the backup back.
  it('a migration that rebuilds the history table keeps its append-only triggers (or is refused)', async () => {
    const { dir, counts, triggers } = await newestWith([rebuildHistory]);
    let db: Db | null = null;
    try {
      db = await openDatabase({ dataDir: dir, now: () => new Date('2026-03-10T15:00:00Z') });
    } catch {
      return; // refused: acceptable
    }
    try {
      expect(await countsOf(db)).toEqual(counts);
      expect(await triggersOf(db)).toEqual(triggers);
      await expect(db('record_history').where({ id: 1 }).del()).rejects.toThrow(/history is never deleted/);
    } finally {
      await closeDatabase(db);
    }
  });
});

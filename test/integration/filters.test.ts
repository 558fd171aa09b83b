/**
 * The Customize Filter compiler on a real SQLite file: the compiled query
 * returns exactly the records a plain in-memory evaluator (written here,
 * independently of the compiler) says it should, for hundreds of random
 * trees; hostile trees are refused with a readable message and leave the
 * database as it was.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFilterTree, compileFilterTree, validateFilterTree, type ContactTest } from '../../main/filters/compile';
import {
  EMPTY_FILTER,
  FILTER_FIELDS,
  describeFilter,
  operatorLabel,
  type FilterField,
  type FilterGroup,
  type FilterRule,
  type FilterTree,
} from '../../main/filters/fields';
import { filterTreeSchema } from '../../main/filters/filter-schema';
import { STATUSES } from '../../main/rules/statuses';
import { createContact } from '../../main/services/contacts';
import { contactKeys, nameKey } from '../../main/domain/contact';
import { freshDb, type TestDb } from './support';

const TODAY = '2026-03-10';

// ---------------------------------------------------------------------------
// Data: ~250 records over 130+ contacts with awkward names, emails and dates.

/** Deterministic data: the same rows every run (mulberry32). */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST_NAMES = [
  'Anna',
  'Élodie',
  'ÉLODIE',
  'Zoë',
  'İlkay',
  'Işıl',
  'Jürgen',
  'Łukasz',
  '李',
  '小明',
  'José',
  'Maria José',
  'Ann',
  'Annabel',
  "O'Neil",
  '100%',
  'Under_score',
  'Back\\slash',
  '🌟Star',
  'ZOE',
  'Mia',
  'Tom',
  'ΣΟΦΙΑ',
  'Ödön',
  'Nguyễn Văn',
];
const LAST_NAMES = [
  'Ångström',
  'Straße',
  'STRASSE',
  'Smith',
  'Smithson',
  'van der Berg',
  'Øresund',
  'İstanbullu',
  'Yılmaz',
  '李',
  '王',
  'Müller',
  'MÜLLER',
  'Per%cent',
  'Snake_case',
  'Dupont-Durand',
  "O'Brien",
  '😀Happy',
  'Anna',
  'ΟΔΥΣΣΕΥΣ',
  'a_b%c',
];
const ORGANIZATIONS = [
  '',
  '',
  'ACME Corp',
  'acme corp',
  'Straße GmbH',
  '100% Org',
  'Under_Line Ltd',
  'École Normale',
  'école normale',
  '李氏集团',
  "O'Reilly & Sons",
  'Back\\slash Inc',
];
const EMAIL_SHAPES = ['', '', 'ANNA.SMITH@EXAMPLE.ORG', 'per%cent@x.org', 'under_score@x.org', 'élodie@exämple.fr', 'Élodie@X.fr', 'back\\slash@x.org'];

interface Row {
  id: number;
  status: string;
  program_id: number;
  applied_on: string | null;
  started_on: string | null;
  completed_on: string | null;
  expires_on: string | null;
  updated_at: string;
  required_total: number;
  required_done: number;
  name_key: string;
  credits_needed: number | null;
  credits_on_track_until: string | null;
  email: string;
  member_number: string | null;
  organization: string;
}

let t: TestDb;
let rows: Row[] = [];
const programIds: number[] = [];
let boundaryProgram = 0;
let schemaBefore = '';

function shiftDay(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, (d ?? 1) + days)).toISOString().slice(0, 10);
}

async function seed(): Promise<void> {
  const rand = prng(20260310);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const at = '2026-03-10T15:00:00.000Z';
  const db = t.db;
  await db.transaction(async (trx) => {
    for (let i = 1; i <= 5; i += 1) {
      const [row] = (await trx('programs')
        .insert({ code: `F${i}`, name: `Filter Program ${i}`, created_at: at, updated_at: at })
        .returning('id')) as Array<{ id: number }>;
      programIds.push(row?.id ?? 0);
    }
    const [b] = (await trx('programs').insert({ code: 'FB', name: 'Boundary', created_at: at, updated_at: at }).returning('id')) as Array<{ id: number }>;
    boundaryProgram = b?.id ?? 0;

    for (let i = 0; i < 130; i += 1) {
      const first = pick(FIRST_NAMES).normalize('NFC');
      const last = pick(LAST_NAMES).normalize('NFC');
      const shape = pick(EMAIL_SHAPES);
      const email = shape === '' || rand() < 0.5 ? shape : `${i}.${shape}`;
      const memberNumber = rand() < 0.3 ? null : pick(['M-', 'm_', 'A%', 'X\\']) + String(1000 + i);
      const text = { first_name: first, last_name: last, email, member_number: memberNumber, organization: pick(ORGANIZATIONS) };
      const [contact] = (await trx('contacts')
        .insert({
          ...text,
          ...contactKeys(text),
          created_at: at,
          updated_at: at,
        })
        .returning('id')) as Array<{ id: number }>;
      const contactId = contact?.id ?? 0;
      const programs = [...programIds].sort(() => rand() - 0.5).slice(0, Math.floor(rand() * 4));
      for (const programId of programs) {
        const date = (): string | null => {
          if (rand() < 0.25) return null;
          const spread = rand() < 0.5 ? 40 : 800;
          return shiftDay(TODAY, Math.floor(rand() * (2 * spread + 1)) - spread);
        };
        const total = Math.floor(rand() * 5);
        await trx('records').insert({
          contact_id: contactId,
          program_id: programId,
          status: pick(STATUSES),
          sort_name: nameKey(first, last),
          applied_on: date(),
          started_on: date(),
          completed_on: date(),
          expires_on: date(),
          required_total: total,
          required_done: Math.floor(rand() * (total + 1)),
          credits_needed: rand() < 0.4 ? null : pick([0, 0.5, 6, 12, 40]),
          credits_on_track_until: rand() < 0.4 ? null : date(),
          created_at: at,
          updated_at: `${shiftDay(TODAY, -Math.floor(rand() * 60))}T${String(Math.floor(rand() * 24)).padStart(2, '0')}:30:00.000Z`,
        });
      }
    }
  });

  // A few contacts through the real service, and the boundary records for relative dates.
  const offsets = [-31, -30, -1, 0, 1, 30, 31, null];
  for (const [i, offset] of offsets.entries()) {
    const contact = await createContact(t.ctx, { firstName: `Boundary ${i}`, lastName: i % 2 ? 'Ångström' : 'Straße', email: i % 3 ? `b${i}@x.org` : '' });
    await db('records').insert({
      contact_id: contact.id,
      program_id: boundaryProgram,
      status: STATUSES[i % STATUSES.length],
      sort_name: contact.name_key,
      expires_on: offset === null ? null : shiftDay(TODAY, offset),
      created_at: at,
      updated_at: at,
    });
  }

  rows = (await db('records as r')
    .join('contacts as c', 'c.id', 'r.contact_id')
    .select(
      'r.id',
      'r.status',
      'r.program_id',
      'r.applied_on',
      'r.started_on',
      'r.completed_on',
      'r.expires_on',
      'r.updated_at',
      'r.required_total',
      'r.required_done',
      'r.credits_needed',
      'r.credits_on_track_until',
      'c.name_key',
      'c.email',
      'c.member_number',
      'c.organization',
    )
    .orderBy('r.id')) as Row[];
}

async function schemaText(): Promise<string> {
  return JSON.stringify(await t.db('sqlite_master').select('type', 'name', 'sql').orderBy(['type', 'name']));
}

beforeAll(async () => {
  t = await freshDb();
  await seed();
  schemaBefore = await schemaText();
});

afterAll(async () => {
  await t.dispose();
});

// ---------------------------------------------------------------------------
// The reference: what each condition means, evaluated on plain rows.

// Written apart from foldForSearch: decompose, drop accents (combining marks U+0300–U+036F and the
// other nonspacing marks), full case folding as upper- then lower-case, single spaces.
const fold = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/\p{Mn}/gu, '')
    .toLocaleUpperCase('und')
    .toLocaleLowerCase('und')
    .normalize('NFKD')
    .replace(/\p{Mn}/gu, '')
    .replace(/\s+/g, ' ')
    .trim();

function dateOf(row: Row, field: string): string {
  const value = {
    appliedOn: row.applied_on,
    startedOn: row.started_on,
    completedOn: row.completed_on,
    expiresOn: row.expires_on,
    updatedAt: row.updated_at.slice(0, 10),
  }[field];
  return value ?? '';
}

function nameMatches(key: string, operator: string, value: string): boolean {
  const typed = fold(value).split(' ');
  const words = key.split(' ');
  switch (operator) {
    case 'contains':
      return typed.every((w) => key.includes(w));
    case 'doesNotContain':
      return !typed.every((w) => key.includes(w));
    case 'beginsWith':
      return typed.every((w) => words.some((k) => k.startsWith(w)));
    case 'endsWith':
      return typed.every((w) => words.some((k) => k.endsWith(w)));
    case '=':
    case '!=': {
      const same = typed.some((_, i) => [...typed.slice(i), ...typed.slice(0, i)].join(' ') === key);
      return operator === '=' ? same : !same;
    }
    case 'null':
      return key === '';
    case 'notNull':
      return key !== '';
  }
  throw new Error(`no reference for contactName ${operator}`);
}

function textMatches(actual: string, operator: string, value: string): boolean {
  const s = fold(actual);
  const v = fold(value);
  switch (operator) {
    case 'contains':
      return s.includes(v);
    case 'doesNotContain':
      return !s.includes(v);
    case 'beginsWith':
      return s.startsWith(v);
    case 'endsWith':
      return s.endsWith(v);
    case '=':
      return s === v;
    case '!=':
      return s !== v;
    case 'null':
      return s === '';
    case 'notNull':
      return s !== '';
  }
  throw new Error(`no reference for text ${operator}`);
}

function ruleMatches(row: Row, rule: FilterRule, today: string): boolean {
  const { field, operator, value } = rule;
  switch (field) {
    case 'contactName':
      return nameMatches(row.name_key, operator, String(value));
    case 'email':
      return textMatches(row.email, operator, String(value));
    case 'memberNumber':
      return textMatches(row.member_number ?? '', operator, String(value));
    case 'organization':
      return textMatches(row.organization, operator, String(value));
    case 'status':
    case 'certification': {
      const actual: string | number = field === 'status' ? row.status : row.program_id;
      const values = Array.isArray(value) ? (value as Array<string | number>) : [value];
      const found = values.includes(actual);
      return operator === '=' || operator === 'in' ? found : !found;
    }
    case 'progress': {
      const p = row.required_total === 0 ? 0 : (row.required_done * 100) / row.required_total;
      if (operator === 'between') {
        const [lo, hi] = value as number[];
        return p >= (lo ?? NaN) && p <= (hi ?? NaN);
      }
      const v = value as number;
      return { '=': p === v, '!=': p !== v, '<': p < v, '<=': p <= v, '>': p > v, '>=': p >= v }[operator as '='] ?? false;
    }
    case 'creditsNeeded': {
      const c = row.credits_needed;
      if (operator === 'null') return c === null;
      if (operator === 'notNull') return c !== null;
      if (operator === '!=') return c !== value;
      if (c === null) return false;
      if (operator === 'between') {
        const [lo, hi] = value as number[];
        return c >= (lo ?? NaN) && c <= (hi ?? NaN);
      }
      const v = value as number;
      return { '=': c === v, '<': c < v, '<=': c <= v, '>': c > v, '>=': c >= v }[operator as '='] ?? false;
    }
    case 'onTrack': {
      const until = row.credits_on_track_until;
      if (until === null) return false;
      return value === 'yes' ? until >= today : until < today;
    }
    default: {
      const d = dateOf(row, field);
      if (operator === 'null') return d === '';
      if (operator === 'notNull') return d !== '';
      if (d === '') return false;
      switch (operator) {
        case '=':
          return d === value;
        case '<':
          return d < String(value);
        case '>':
          return d > String(value);
        case 'between': {
          const [from, to] = value as string[];
          return d >= (from ?? '') && d <= (to ?? '');
        }
        case 'inLastDays':
          return d >= shiftDay(today, -Number(value)) && d <= today;
        case 'inNextDays':
          return d >= today && d <= shiftDay(today, Number(value));
      }
      throw new Error(`no reference for date ${operator}`);
    }
  }
}

/** true / false, or null when the group holds no condition at all. */
function groupMatches(row: Row, group: FilterGroup, today: string): boolean | null {
  const results: boolean[] = [];
  for (const child of group.rules) {
    const r = 'rules' in child ? groupMatches(row, child, today) : ruleMatches(row, child, today);
    if (r !== null) results.push(r);
  }
  if (results.length === 0) return null;
  const combined = group.combinator === 'and' ? results.every(Boolean) : results.some(Boolean);
  return group.not ? !combined : combined;
}

function expectedIds(tree: FilterTree, today: string): number[] {
  return rows.filter((row) => groupMatches(row, tree, today) ?? true).map((row) => row.id);
}

/** The records the compiled tree selects; both forms of contact test must select the same ones. */
async function compiledIds(tree: FilterTree, today: string): Promise<number[]> {
  const ids = async (how: ContactTest): Promise<number[]> =>
    ((await applyFilterTree(t.db('records as r'), tree, today, how).select('r.id').orderBy('r.id')) as Array<{ id: number }>).map((r) => r.id);
  const bySet = await ids('set');
  expect(await ids('row'), 'contact conditions tested row by row select what the set form selects').toEqual(bySet);
  return bySet;
}

function valid(input: unknown): FilterTree {
  const result = validateFilterTree(input);
  if (!result.ok) throw new Error(`expected a valid tree, got: ${result.message}`);
  return result.tree;
}

const rule = (field: string, operator: string, value?: unknown): Record<string, unknown> => ({ field, operator, value });
const and = (...rules: unknown[]): Record<string, unknown> => ({ combinator: 'and', rules });
const or = (...rules: unknown[]): Record<string, unknown> => ({ combinator: 'or', rules });

// ---------------------------------------------------------------------------
// Random trees

function textValues(field: string): fc.Arbitrary<string> {
  const source = (row: Row): string =>
    field === 'contactName' ? row.name_key : field === 'email' ? row.email : field === 'memberNumber' ? (row.member_number ?? '') : row.organization;
  const fromData = fc.tuple(fc.nat({ max: 10_000 }), fc.nat({ max: 30 }), fc.integer({ min: 1, max: 12 }), fc.boolean()).map(([i, start, length, upper]) => {
    const s = source(rows[i % rows.length] as Row);
    const piece = s.slice(start % Math.max(1, s.length), (start % Math.max(1, s.length)) + length);
    return upper ? piece.toUpperCase() : piece;
  });
  const names = [
    'anna smith',
    'SMITH ANNA',
    'Ångström',
    'ÅNGSTRÖM',
    'strasse',
    'straße',
    'İstanbullu',
    'i̇stanbullu',
    '李',
    '🌟',
    'élodie',
    'ÉLODIE',
    'van der',
    'an sm',
    'Maria José',
  ];
  const tricky = [
    '%',
    '_',
    '\\',
    '100%',
    'a_b',
    'per%cent',
    'under_score',
    'x.org',
    '@',
    "o'",
    'corp',
    'gmbh',
    'm-',
    'A%',
    'acme',
    'école',
    'ÉCOLE',
    "'); DROP TABLE records;--",
  ];
  return (
    fc
      .oneof(
        fromData,
        fc.constantFrom(...(field === 'contactName' ? [...names, ...tricky] : tricky)),
        fc.string({ minLength: 1, maxLength: 4, unit: fc.constantFrom('a', 'n', 'S', '%', '_', ' ', 'é', 'ß') }),
      )
      // Slices may cut an emoji in half; the schema refuses lone surrogates (tested below).
      .filter((s) => s.trim() !== '' && s.length <= 200 && !/[\ud800-\udfff]/u.test(s))
  );
}

const dates = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.integer({ min: 0, max: 10_000 }).map((i) => rows[i % rows.length]?.expires_on ?? TODAY),
    fc.integer({ min: -60, max: 60 }).map((d) => shiftDay(TODAY, d)),
    fc.integer({ min: -900, max: 900 }).map((d) => shiftDay(TODAY, d)),
  );
const sortedPair = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<[T, T]> => fc.tuple(arb, arb).map(([a, b]) => (a <= b ? [a, b] : [b, a]));
const percents = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(0, 25, 50, 75, 100, 100 / 3, 200 / 3, 12.5));

function valueFor(field: FilterField, operator: string): fc.Arbitrary<unknown> {
  switch (field.type) {
    case 'text':
      return operator === 'null' || operator === 'notNull' ? fc.constant('') : textValues(field.name);
    case 'status':
      return operator === 'in' || operator === 'notIn'
        ? fc.uniqueArray(fc.constantFrom(...STATUSES), { minLength: 1, maxLength: 4 })
        : fc.constantFrom(...STATUSES);
    case 'program': {
      const ids = fc.constantFrom(...programIds, boundaryProgram, 999_999);
      return operator === 'in' || operator === 'notIn' ? fc.uniqueArray(ids, { minLength: 1, maxLength: 3 }) : ids;
    }
    case 'date':
      if (operator === 'null' || operator === 'notNull') return fc.constant('');
      if (operator === 'inLastDays' || operator === 'inNextDays') return fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constantFrom(0, 1, 30, 31, 3650));
      return operator === 'between' ? sortedPair(dates()) : dates();
    case 'percent':
      return operator === 'between' ? sortedPair(percents) : percents;
    case 'credits': {
      if (operator === 'null' || operator === 'notNull') return fc.constant('');
      const credits = fc.constantFrom(0, 0.5, 1, 6, 12, 39.5, 40, 100);
      return operator === 'between' ? sortedPair(credits) : credits;
    }
    case 'yesNo':
      return fc.constantFrom('yes', 'no');
  }
}

const ruleArb: fc.Arbitrary<Record<string, unknown>> = fc
  .constantFrom(...FILTER_FIELDS)
  .chain((field) =>
    fc.constantFrom(...(field.operators as readonly string[])).chain((operator) => valueFor(field, operator).map((value) => rule(field.name, operator, value))),
  );

function groupArb(child: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(
    {
      combinator: fc.constantFrom('and', 'or'),
      not: fc.boolean(),
      rules: fc.array(child, { maxLength: 4 }),
    },
    { requiredKeys: ['combinator', 'rules'] },
  );
}

/** Trees at most 3 groups deep, empty groups and `not` included. */
const treeArb = groupArb(fc.oneof(ruleArb, ruleArb, groupArb(fc.oneof(ruleArb, ruleArb, groupArb(ruleArb)))));

// ---------------------------------------------------------------------------

describe('the compiled filter matches an independent evaluator', () => {
  it('has the data it needs', () => {
    expect(rows.length).toBeGreaterThanOrEqual(150);
    expect(new Set(rows.map((r) => r.status)).size).toBe(STATUSES.length);
    expect(rows.some((r) => r.expires_on === null)).toBe(true);
    expect(rows.some((r) => r.email === '')).toBe(true);
    expect(rows.some((r) => r.member_number === null)).toBe(true);
    expect(rows.some((r) => r.name_key.includes('%'))).toBe(true);
  });

  it('returns exactly the reference records for 300+ random trees (depth ≤ 3)', async () => {
    let selective = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(treeArb, fc.constantFrom(TODAY, '2026-01-31', '2024-02-29'), async (input, today) => {
        const tree = valid(input);
        const expected = expectedIds(tree, today);
        expect(await compiledIds(tree, today)).toEqual(expected);
        runs += 1;
        if (expected.length > 0 && expected.length < rows.length) selective += 1;
      }),
      { numRuns: 320 },
    );
    expect(runs).toBeGreaterThanOrEqual(300);
    // The generator must produce trees that split the rows, not just "all" or "none".
    expect(selective).toBeGreaterThan(runs * 0.25);
  });

  it('works on the list query (joined) and on its count query (not joined)', async () => {
    await fc.assert(
      fc.asyncProperty(treeArb, async (input) => {
        const tree = valid(input);
        const expected = expectedIds(tree, TODAY);
        const joined = (await applyFilterTree(
          t.db('records as r').join('contacts as c', 'c.id', 'r.contact_id').join('programs as p', 'p.id', 'r.program_id').where('r.status', '<>', 'Cancelled'),
          tree,
          TODAY,
        )
          .select('r.id')
          .orderBy('r.id')) as Array<{ id: number }>;
        const notCancelled = new Set(rows.filter((r) => r.status !== 'Cancelled').map((r) => r.id));
        expect(joined.map((r) => r.id)).toEqual(expected.filter((id) => notCancelled.has(id)));
        const count = (await applyFilterTree(t.db('records as r'), tree, TODAY).count({ n: '*' }).first()) as { n: number };
        expect(Number(count.n)).toBe(expected.length);
      }),
      { numRuns: 60 },
    );
  });
});

describe('semantics', () => {
  const ids = (tree: unknown, today = TODAY): Promise<number[]> => compiledIds(valid(tree), today);
  const where = (pred: (r: Row) => boolean): number[] => rows.filter(pred).map((r) => r.id);

  it('an empty tree adds no condition', async () => {
    expect(compileFilterTree(EMPTY_FILTER, TODAY)).toBeNull();
    expect(await ids(EMPTY_FILTER)).toEqual(where(() => true));
    expect(await ids({ combinator: 'or', not: true, rules: [and(), or(and())] })).toEqual(where(() => true));
  });

  it('an empty group inside an OR does not match everything', async () => {
    const active = where((r) => r.status === 'Active');
    expect(active.length).toBeGreaterThan(0);
    expect(active.length).toBeLessThan(rows.length);
    expect(await ids(or(rule('status', '=', 'Active'), and()))).toEqual(active);
    expect(await ids(or(rule('status', '=', 'Active'), { combinator: 'and', not: true, rules: [] }))).toEqual(active);
    expect(await ids(or(and(or(), and()), rule('status', '=', 'Active'), or()))).toEqual(active);
  });

  it('NOT negates a group, empty values included', async () => {
    const before = where((r) => r.expires_on !== null && r.expires_on < TODAY);
    expect(await ids(and(rule('expiresOn', '<', TODAY)))).toEqual(before);
    expect(await ids({ combinator: 'and', not: true, rules: [rule('expiresOn', '<', TODAY)] })).toEqual(
      where((r) => !(r.expires_on !== null && r.expires_on < TODAY)),
    );
  });

  it('"is not" and "does not contain" include empty values; comparisons never match an empty date', async () => {
    expect(await ids(and(rule('email', 'doesNotContain', 'x.org')))).toEqual(where((r) => !r.email.toLowerCase().includes('x.org')));
    expect((await ids(and(rule('email', 'doesNotContain', 'x.org')))).length).toBeGreaterThan(
      where((r) => r.email !== '' && !r.email.includes('x.org')).length,
    );
    expect(await ids(and(rule('status', '!=', 'Active')))).toEqual(where((r) => r.status !== 'Active'));
    expect(await ids(and(rule('memberNumber', 'null')))).toEqual(where((r) => r.member_number === null));
    const dated = await ids(or(rule('expiresOn', '<', TODAY), rule('expiresOn', '>', TODAY), rule('expiresOn', '=', TODAY)));
    expect(dated).toEqual(where((r) => r.expires_on !== null));
  });

  it('% and _ and \\ in values match literally', async () => {
    expect(await ids(and(rule('contactName', 'contains', '%')))).toEqual(where((r) => r.name_key.includes('%')));
    expect(await ids(and(rule('contactName', 'contains', '_')))).toEqual(where((r) => r.name_key.includes('_')));
    expect(await ids(and(rule('email', 'contains', '%')))).toEqual(where((r) => r.email.includes('%')));
    expect(await ids(and(rule('email', 'contains', '_')))).toEqual(where((r) => r.email.includes('_')));
    expect(await ids(and(rule('organization', 'beginsWith', '100%')))).toEqual(where((r) => r.organization.startsWith('100%')));
    expect(await ids(and(rule('memberNumber', 'beginsWith', 'x\\')))).toEqual(where((r) => (r.member_number ?? '').startsWith('X\\')));
    expect((await ids(and(rule('email', 'contains', '%')))).length).toBeLessThan(rows.length / 2);
    expect((await ids(and(rule('email', 'contains', '_')))).length).toBeGreaterThan(0);
  });

  it('contact names fold beyond ASCII and match first-last or last-first', async () => {
    const key = (pred: (k: string) => boolean) => where((r) => pred(r.name_key));
    expect(await ids(and(rule('contactName', 'contains', 'ÅNGSTRÖM')))).toEqual(key((k) => k.includes('angstrom')));
    expect((await ids(and(rule('contactName', 'contains', 'ÅNGSTRÖM')))).length).toBeGreaterThan(0);
    expect(await ids(and(rule('contactName', 'contains', 'élodie')))).toEqual(await ids(and(rule('contactName', 'contains', 'ÉLODIE'))));
    expect(await ids(and(rule('contactName', 'contains', 'İstanbullu')))).toEqual(key((k) => k.includes('istanbullu')));
    expect(await ids(and(rule('contactName', 'contains', 'istanbullu')))).toEqual(await ids(and(rule('contactName', 'contains', 'İstanbullu'))));
    expect(await ids(and(rule('contactName', 'contains', '李')))).toEqual(key((k) => k.includes('李')));
    expect(await ids(and(rule('contactName', 'contains', '🌟')))).toEqual(key((k) => k.includes('🌟')));
    // Straße and STRASSE meet: case folding maps ß to ss.
    expect(await ids(and(rule('contactName', 'contains', 'straße')))).toEqual(key((k) => k.includes('strasse')));
    expect(await ids(and(rule('contactName', 'contains', 'STRASSE')))).toEqual(await ids(and(rule('contactName', 'contains', 'straße'))));
    const annaSmith = await ids(and(rule('contactName', '=', 'Anna Smith')));
    expect(annaSmith).toEqual(await ids(and(rule('contactName', '=', 'smith  ANNA'))));
    expect(annaSmith).toEqual(key((k) => k === 'smith anna' || k === 'anna smith'));
    expect(await ids(and(rule('contactName', 'beginsWith', 'an sm')))).toEqual(
      key((k) => k.split(' ').some((w) => w.startsWith('an')) && k.split(' ').some((w) => w.startsWith('sm'))),
    );
  });

  it('email and organization matching fold case and accents as names do', async () => {
    expect(await ids(and(rule('email', 'contains', 'anna.smith@example')))).toEqual(where((r) => r.email.toLowerCase().includes('anna.smith@example')));
    expect((await ids(and(rule('email', 'contains', 'anna.smith@example')))).length).toBeGreaterThan(0);
    expect(await ids(and(rule('email', 'beginsWith', 'élodie')))).toEqual(where((r) => fold(r.email).startsWith('elodie')));
    expect(await ids(and(rule('email', 'beginsWith', 'ELODIE')))).toEqual(await ids(and(rule('email', 'beginsWith', 'élodie'))));
    expect(await ids(and(rule('organization', '=', 'ACME CORP')))).toEqual(where((r) => r.organization.toLowerCase() === 'acme corp'));
  });

  it('relative dates use the today passed in, both ends included', async () => {
    const boundary = rows.filter((r) => r.program_id === boundaryProgram);
    const expiring = (days: number, op: 'inNextDays' | 'inLastDays', today: string) =>
      ids(and(rule('certification', '=', boundaryProgram), rule('expiresOn', op, days)), today);
    const on = (...offsets: number[]) => boundary.filter((r) => offsets.some((o) => r.expires_on === shiftDay(TODAY, o))).map((r) => r.id);
    expect(await expiring(30, 'inNextDays', TODAY)).toEqual(on(0, 1, 30));
    expect(await expiring(30, 'inNextDays', shiftDay(TODAY, 1))).toEqual(on(1, 30, 31));
    expect(await expiring(0, 'inNextDays', TODAY)).toEqual(on(0));
    expect(await expiring(30, 'inLastDays', TODAY)).toEqual(on(-30, -1, 0));
    expect(await expiring(30, 'inLastDays', shiftDay(TODAY, -1))).toEqual(on(-31, -30, -1));
    expect(await ids(and(rule('certification', '=', boundaryProgram), rule('expiresOn', 'between', [shiftDay(TODAY, -1), shiftDay(TODAY, 1)])))).toEqual(
      on(-1, 0, 1),
    );
    expect(() => compileFilterTree(valid(and(rule('expiresOn', 'inNextDays', 3))), '2026-02-30')).toThrow(RangeError);
  });

  it('progress is the percent of required components done, 0 when none are required', async () => {
    const pct = (r: Row) => (r.required_total === 0 ? 0 : (r.required_done * 100) / r.required_total);
    expect(await ids(and(rule('progress', '=', 0)))).toEqual(where((r) => pct(r) === 0));
    expect(await ids(and(rule('progress', '>=', 50)))).toEqual(where((r) => pct(r) >= 50));
    expect(await ids(and(rule('progress', 'between', '25,75')))).toEqual(where((r) => pct(r) >= 25 && pct(r) <= 75));
  });

  it('a tree at the limits (200 long conditions) runs within SQLite limits', async () => {
    const long = Array.from({ length: 100 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(' ');
    expect(long.length).toBeLessThanOrEqual(200);
    const tree = or(
      ...Array.from({ length: 100 }, () => rule('contactName', 'contains', long)),
      ...Array.from({ length: 98 }, () => rule('contactName', '=', long)),
      and(rule('status', 'in', [...STATUSES, ...STATUSES, ...STATUSES, ...STATUSES, ...STATUSES])),
    );
    expect(await ids(tree)).toEqual(where(() => true));
  });
});

describe('hostile input', () => {
  const refused = (input: unknown): string => {
    const result = validateFilterTree(input);
    if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.tree).slice(0, 200)}`);
    return result.message;
  };

  it('is refused with a readable message', () => {
    expect(refused(and(rule('name"; DROP TABLE records;--', '=', 'x')))).toBe('Unknown field: name"; DROP TABLE records;--');
    expect(refused(and(rule('__proto__', '=', 'x')))).toBe('Unknown field: __proto__');
    expect(refused(and(rule('email', 'like', 'x')))).toBe('Unknown operator: like');
    expect(refused(and(rule('email', '= 1 OR 1=1 --', 'x')))).toBe('Unknown operator: = 1 OR 1=1 --');
    expect(refused(and(rule('expiresOn', 'contains', 'x')))).toBe("Operator 'contains' does not apply to Expires");
    expect(refused(and(rule('status', 'between', ['Active', 'Expired'])))).toBe("Operator 'between' does not apply to Status");
    expect(refused(and({ ...rule('email', '=', 'contactName'), valueSource: 'field' }))).toMatch(/not with another field/);
    expect(refused(and({ ...rule('email', '=', 'x'), valueSource: 'sql' }))).toMatch(/Unknown value source/);
    expect(refused(and(rule('email', 'contains', { $ne: '' })))).toBe('Email needs text to compare with.');
    expect(refused(and(rule('contactName', 'contains', ['a', 'b'])))).toBe('Contact name needs text to compare with.');
    expect(refused(and(rule('email', 'contains', '   ')))).toMatch(/Enter the text/);
    // SQLite's LIKE ends a pattern at NUL: "contains NUL" would otherwise match every row.
    expect(refused(and(rule('email', 'contains', '\u0000x')))).toMatch(/Email contains a control character \(U\+0000\)/);
    expect(refused(and(rule('contactName', 'doesNotContain', 'a\tb')))).toMatch(/contains a tab \(U\+0009\)/);
    expect(refused(and(rule('contactName', 'doesNotContain', '_case \ud83c')))).toBe('The text for Contact name is not valid Unicode.');
    expect(validateFilterTree(and(rule('contactName', 'contains', '🌟')))).toMatchObject({ ok: true });
    expect(refused(and(rule('email', 'contains', 'x'.repeat(1024 * 1024))))).toBe('The text for Email can be at most 200 characters.');
    expect(refused(and(rule('status', '=', "Active' OR '1'='1")))).toMatch(/^Status must be one of: In Progress, Applied/);
    expect(refused(and(rule('status', 'in', [...STATUSES, ...STATUSES, ...STATUSES, ...STATUSES, ...STATUSES, 'Active'])))).toBe(
      'Choose at most 50 values for Status.',
    );
    expect(refused(and(rule('status', 'in', [])))).toBe('Choose at least one value for Status.');
    expect(refused(and(rule('certification', '=', '1 OR 1=1')))).toMatch(/^Certification must be a certification id/);
    expect(refused(and(rule('certification', 'in', [1, -2])))).toMatch(/^Certification must be a certification id/);
    expect(refused(and(rule('certification', '=', 1.5)))).toMatch(/^Certification must be a certification id/);
    expect(refused(and(rule('expiresOn', '=', '2026-02-30')))).toBe('Expires: 2026-02-30 is not a date: February 2026 has 28 days.');
    expect(refused(and(rule('expiresOn', '<', "2026-01-01' OR 1=1")))).toMatch(/^Expires needs a date/);
    expect(refused(and(rule('expiresOn', 'between', ['2026-03-01', '2026-02-01'])))).toBe('The range for Expires ends before it starts.');
    expect(refused(and(rule('expiresOn', 'inNextDays', 3651)))).toMatch(/whole number from 0 to 3650/);
    expect(refused(and(rule('expiresOn', 'inNextDays', 2.5)))).toMatch(/whole number/);
    expect(refused(and(rule('progress', '>', 101)))).toMatch(/from 0 to 100/);
    expect(refused(and(rule('progress', '>', Number.NaN)))).toMatch(/from 0 to 100/);
    expect(refused(and(rule('email', 'null', { big: 'x'.repeat(1000) })))).toBe('Email "is empty" takes no value.');
    expect(refused(and({ ...rule('email', '=', 'x'), sql: 'DROP TABLE records' }))).toBe('Unknown property on a condition: sql');
    expect(refused({ ...and(), where: '1=1' })).toBe('Unknown property on a group: where');
    expect(refused(JSON.parse('{"combinator":"and","rules":[{"field":"email","operator":"=","value":"x","__proto__":{"polluted":1}}]}'))).toBe(
      'Unknown property on a condition: __proto__',
    );
    expect(refused({ combinator: 'xor', rules: [] })).toMatch(/combinator must be 'and' or 'or'/);
    expect(refused({ combinator: 'and', not: 'yes', rules: [] })).toMatch(/'not' must be true or false/);
    expect(refused(and('and', rule('status', '=', 'Active')))).toMatch(/must be a condition or a group/);
    expect(refused('DROP TABLE records')).toMatch(/must be a group/);
    expect(refused(null)).toMatch(/must be a group/);
    expect(refused({ combinator: 'and' })).toMatch(/needs a list of conditions/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses depth 50 and 10,000 rules quickly', () => {
    let deep: Record<string, unknown> = and(rule('status', '=', 'Active'));
    for (let i = 0; i < 50; i += 1) deep = and(deep);
    const started = performance.now();
    expect(refused(deep)).toBe('Groups can be nested at most 6 deep.');
    expect(refused(and(...Array.from({ length: 10_000 }, () => rule('status', '=', 'Active'))))).toBe('A filter can have at most 200 conditions and groups.');
    expect(performance.now() - started).toBeLessThan(200);
    // The limits themselves pass: 6 deep, 200 entries.
    let six: Record<string, unknown> = and(rule('status', '=', 'Active'));
    for (let i = 0; i < 5; i += 1) six = and(six);
    expect(validateFilterTree(six).ok).toBe(true);
    expect(refused(and(six))).toBe('Groups can be nested at most 6 deep.');
    expect(validateFilterTree(and(...Array.from({ length: 200 }, () => rule('status', '=', 'Active')))).ok).toBe(true);
    expect(refused(and(...Array.from({ length: 200 }, () => rule('status', '=', 'Active')), and()))).toMatch(/at most 200/);
  });

  it('SQL in values is only ever data, and the schema is unchanged after all of it', async () => {
    const nasty = ["'); DROP TABLE records;--", '" OR 1=1 --', "%' OR '1'='1", '?', '??', '\\?', ':name', '$1'];
    for (const text of nasty) {
      for (const field of ['contactName', 'email', 'memberNumber', 'organization']) {
        for (const operator of ['contains', '=', 'doesNotContain', 'endsWith']) {
          const tree = valid(and(rule(field, operator, text)));
          expect(await compiledIds(tree, TODAY)).toEqual(expectedIds(tree, TODAY));
        }
      }
    }
    expect(await schemaText()).toBe(schemaBefore);
    const count = (await t.db('records').count({ n: '*' }).first()) as { n: number };
    expect(Number(count.n)).toBe(rows.length);
  });
});

describe('the schema and the words', () => {
  it('accepts what react-querybuilder sends by default and returns it canonical', () => {
    const tree = valid({
      id: 'root',
      combinator: 'and',
      not: false,
      rules: [
        { id: 'r1', field: 'expiresOn', operator: 'inNextDays', value: '30', valueSource: 'value' },
        { field: 'expiresOn', operator: 'between', value: '2026-01-01, 2026-02-01' },
        { field: 'certification', operator: 'in', value: '1,2' },
        { field: 'certification', operator: '=', value: '3' },
        { field: 'status', operator: 'notIn', value: 'Active,Expired' },
        { field: 'email', operator: 'contains', value: '  Anna ' },
        { field: 'email', operator: 'null', value: 'left over' },
        { field: 'progress', operator: 'between', value: ['10', '90.5'] },
      ],
    });
    expect(tree).toEqual({
      id: 'root',
      combinator: 'and',
      not: false,
      rules: [
        { id: 'r1', field: 'expiresOn', operator: 'inNextDays', value: 30 },
        { field: 'expiresOn', operator: 'between', value: ['2026-01-01', '2026-02-01'] },
        { field: 'certification', operator: 'in', value: [1, 2] },
        { field: 'certification', operator: '=', value: 3 },
        { field: 'status', operator: 'notIn', value: ['Active', 'Expired'] },
        { field: 'email', operator: 'contains', value: 'Anna' },
        { field: 'email', operator: 'null', value: '' },
        { field: 'progress', operator: 'between', value: [10, 90.5] },
      ],
    });
    // Canonical trees parse to themselves (saved filters read back as they were written).
    expect(valid(tree)).toEqual(tree);
    expect(filterTreeSchema.safeParse(tree).success).toBe(true);
  });

  it('offers exactly the fields and operators of the spec', () => {
    expect(FILTER_FIELDS.map((f) => f.name)).toEqual([
      'contactName',
      'email',
      'memberNumber',
      'organization',
      'certification',
      'status',
      'appliedOn',
      'startedOn',
      'completedOn',
      'expiresOn',
      'progress',
      'updatedAt',
      'creditsNeeded',
      'onTrack',
    ]);
    expect(operatorLabel('credits', '>')).toBe('is more than');
    expect(operatorLabel('date', '<')).toBe('is before');
    expect(operatorLabel('percent', '<')).toBe('is less than');
    expect(operatorLabel('date', 'inNextDays')).toBe('in the next N days');
    expect(operatorLabel('text', 'null')).toBe('is empty');
  });

  it('describes a filter in a sentence', () => {
    expect(describeFilter(valid(and(rule('status', '=', 'Active'), rule('expiresOn', 'inNextDays', 30))))).toBe(
      'Status is Active AND Expires in the next 30 days',
    );
    expect(describeFilter(EMPTY_FILTER)).toBe('All records');
    expect(
      describeFilter(
        valid({
          combinator: 'or',
          rules: [
            rule('contactName', 'contains', 'Ångström'),
            { combinator: 'and', not: true, rules: [rule('certification', 'in', [1, 2]), rule('progress', '>=', 50)] },
            and(),
            and(rule('email', 'null'), rule('appliedOn', 'between', ['2026-01-01', '2026-01-31'])),
          ],
        }),
        { programName: (id) => (id === 1 ? 'CPR' : undefined) },
      ),
    ).toBe(
      'Contact name contains "Ångström" OR NOT (Certification is one of CPR, #2 AND Progress % is at least 50%) OR (Email is empty AND Applied is between 2026-01-01 and 2026-01-31)',
    );
  });
});

/**
 * The one door into main (`invoke` behind startBackend): unknown calls,
 * malformed or hostile input, calls before sign-in and admin-only calls from
 * staff are refused as envelopes, fast, with the database untouched.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../../main/backend';
import { CALL_NAMES, CALLS } from '../../main/ipc/calls';
import type { CallError, Envelope } from '../../main/ipc/contract';
import { MAX_INPUT_BYTES } from '../../main/ipc/handle';
import type { ComponentRow, RecordRow } from '../../main/domain/rows';
import { createUser } from '../../main/services/users';
import { freshDb, removeDir, snapshot, TEST_PASSWORD_COST, TestClock } from './support';

const TODAY = '2026-03-10';
const ADMIN = { username: 'alex', displayName: 'Alex Admin', password: 'admin password 1' };
const STAFF = { username: 'dana', displayName: 'Dana Staff', password: 'staff password 1' };

const running: Array<{ backend: Backend; dir: string }> = [];
afterEach(async () => {
  while (running.length) {
    const r = running.pop();
    if (!r) break;
    await r.backend.close();
    removeDir(r.dir);
  }
});

/** A backend on a fresh database file whose office is in New York, at 2026-03-10 11:00 local. */
async function boot(): Promise<Backend> {
  const t = await freshDb();
  await t.close();
  const clock = new TestClock('2026-03-10T15:00:00Z');
  const backend = await startBackend({ dataDir: t.dir, version: '0.1.0-test', clock, passwordCost: TEST_PASSWORD_COST });
  running.push({ backend, dir: t.dir });
  return backend;
}

/** A backend with an admin (created through the door) and a staff user; signed out. */
async function bootWithUsers(): Promise<Backend> {
  const backend = await boot();
  expectOk(await backend.invoke('auth.createFirstAdmin', { ...ADMIN, loadDemoData: false }));
  await createUser(backend.context.services, { ...STAFF, role: 'staff' });
  expectOk(await backend.invoke('auth.signOut', {}));
  return backend;
}

function expectOk<T = unknown>(envelope: Envelope<unknown>): T {
  if (!envelope.ok) throw new Error(`expected ok, got ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value as T;
}

function expectError(envelope: Envelope<unknown>, ...codes: Array<CallError['code']>): CallError {
  expect(envelope.ok).toBe(false);
  if (envelope.ok) throw new Error('unreachable');
  expect(codes).toContain(envelope.error.code);
  expect(envelope.error.message.length).toBeGreaterThan(5);
  return envelope.error;
}

async function signIn(backend: Backend, who: { username: string; password: string }): Promise<void> {
  expectOk(await backend.invoke('auth.signIn', { username: who.username, password: who.password }));
}

function db(backend: Backend) {
  return backend.context.services.db;
}

/** A contact enrolled in a one-year, three-component program, through the door. */
async function enrolled(backend: Backend): Promise<{ record: RecordRow; components: ComponentRow[] }> {
  const contact = expectOk<{ id: number }>(await backend.invoke('contacts.create', { firstName: 'Maria', lastName: 'Gonzalez', email: 'maria@example.org' }));
  const [programId] = (await db(backend)('programs').insert({
    code: 'ETH',
    name: 'Ethics',
    expiration_kind: 'period',
    expiration_amount: 1,
    expiration_unit: 'years',
    created_at: 'x',
    updated_at: 'x',
  })) as number[];
  await db(backend)('components').insert([
    { program_id: programId, name: 'Course', position: 0 },
    { program_id: programId, name: 'Exam', position: 1 },
  ]);
  const record = expectOk<RecordRow>(await backend.invoke('records.enroll', { contactId: contact.id, programId }));
  const components = (await db(backend)('components').where({ program_id: programId }).orderBy('position')) as ComponentRow[];
  return { record, components };
}

describe('calls before sign-in', () => {
  it('every call that needs a user is UNAUTHENTICATED, and nothing is written', async () => {
    const backend = await bootWithUsers();
    const before = await snapshot(db(backend));
    const guarded = CALL_NAMES.filter((name) => CALLS[name] !== 'public');
    expect(guarded.length).toBeGreaterThan(10);
    for (const name of guarded) {
      const error = expectError(await backend.invoke(name, { id: 1, expiringDays: 0, text: 'a', contactId: 1, programId: 1 }), 'UNAUTHENTICATED');
      expect(error.message, name).toBe('Sign in first.');
    }
    expect(await snapshot(db(backend))).toBe(before);

    const info = expectOk<{ user: unknown; needsFirstAdmin: boolean; today: string; timeZone: string; version: string }>(await backend.invoke('app.info', {}));
    expect(info).toMatchObject({ user: null, needsFirstAdmin: false, today: TODAY, timeZone: 'America/New_York', version: '0.1.0-test' });

    // Signing out closes the door again.
    await signIn(backend, STAFF);
    expectOk(await backend.invoke('tracking.counts', {}));
    expectOk(await backend.invoke('auth.signOut', {}));
    expectError(await backend.invoke('tracking.counts', {}), 'UNAUTHENTICATED');
  });
});

describe('the first admin and signing in', () => {
  it('auth.createFirstAdmin works once, signs the admin in, and is refused once a user exists', async () => {
    const backend = await boot();
    expect(expectOk<{ needsFirstAdmin: boolean }>(await backend.invoke('app.info', {})).needsFirstAdmin).toBe(true);
    expectError(await backend.invoke('auth.createFirstAdmin', { ...ADMIN, password: 'short', loadDemoData: false }), 'INVALID');

    const admin = expectOk<{ role: string; username: string }>(await backend.invoke('auth.createFirstAdmin', { ...ADMIN, loadDemoData: false }));
    expect(admin).toMatchObject({ role: 'admin', username: 'alex', displayName: 'Alex Admin' });
    expect(expectOk<{ user: { username: string } | null }>(await backend.invoke('app.info', {})).user?.username).toBe('alex');

    expectOk(await backend.invoke('auth.signOut', {}));
    const before = await snapshot(db(backend));
    const error = expectError(
      await backend.invoke('auth.createFirstAdmin', { username: 'mallory', displayName: 'Mallory', password: 'takeover password', loadDemoData: false }),
      'FORBIDDEN',
    );
    expect(error.message).toMatch(/already has users/);
    expect(await snapshot(db(backend))).toBe(before);
    expect(backend.context.session.user).toBeNull();
  });

  it('two auth.createFirstAdmin calls at the same moment create only one admin', async () => {
    const backend = await boot();
    const [a, b] = await Promise.all([
      backend.invoke('auth.createFirstAdmin', { ...ADMIN, loadDemoData: false }),
      backend.invoke('auth.createFirstAdmin', { username: 'mallory', displayName: 'Mallory', password: 'takeover password', loadDemoData: false }),
    ]);
    expect([a, b].filter((e) => e.ok)).toHaveLength(1);
    expect(await db(backend)('users').count({ n: '*' }).first()).toEqual({ n: 1 });
  });

  it('stores passwords only as salted scrypt hashes; a wrong password reads exactly like an unknown user', async () => {
    const backend = await bootWithUsers();
    await createUser(backend.context.services, { username: 'sam', displayName: 'Sam', role: 'staff', password: STAFF.password });
    const users = (await db(backend)('users').select('username', 'password_hash')) as Array<{ username: string; password_hash: string }>;
    expect(users).toHaveLength(3);
    for (const u of users) {
      expect(u.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]{20,}\$[A-Za-z0-9+/=]{40,}$/);
      for (const password of [ADMIN.password, STAFF.password]) {
        expect(u.password_hash).not.toContain(password);
        expect(u.password_hash).not.toContain(Buffer.from(password).toString('base64'));
      }
    }
    const dana = users.find((u) => u.username === 'dana')?.password_hash;
    const sam = users.find((u) => u.username === 'sam')?.password_hash;
    expect(dana).toBeDefined();
    expect(dana).not.toBe(sam); // same password, different salt

    const wrong = expectError(await backend.invoke('auth.signIn', { username: 'dana', password: 'not the password' }), 'UNAUTHENTICATED');
    const unknown = expectError(await backend.invoke('auth.signIn', { username: 'nobody', password: 'not the password' }), 'UNAUTHENTICATED');
    expect(wrong).toEqual(unknown);
    expect(wrong.message).toBe('Wrong user name or password.');
    expect(backend.context.session.user).toBeNull();

    const user = expectOk<{ username: string; role: string }>(await backend.invoke('auth.signIn', { username: '  DANA ', password: STAFF.password }));
    expect(user).toMatchObject({ username: 'dana', role: 'staff' });
    expect(JSON.stringify(user)).not.toMatch(/scrypt|password/i);
  });
});

describe('admin-only calls', () => {
  it('are FORBIDDEN for staff, in main, with nothing changed; an admin may make them', async () => {
    const backend = await bootWithUsers();
    await signIn(backend, STAFF);
    const before = await snapshot(db(backend));
    for (const [name, input] of [
      ['settings.get', {}],
      ['settings.setExpiringDays', { expiringDays: 0 }],
      ['settings.previewExpiringDays', { expiringDays: 60 }],
      ['programs.setReminders', { programId: 1, reminders: [] }],
      ['checker.run', {}],
      ['checker.fixAll', { rule: 'cycle-without-start' }],
    ] as const) {
      const error = expectError(await backend.invoke(name, input), 'FORBIDDEN');
      expect(error.message, name).toMatch(/admin/);
    }
    expect(await snapshot(db(backend))).toBe(before);
    // Staff still do their own work.
    expectOk(await backend.invoke('tracking.counts', {}));

    expectOk(await backend.invoke('auth.signOut', {}));
    await signIn(backend, ADMIN);
    expect(expectOk<{ expiringDays: number }>(await backend.invoke('settings.get', {})).expiringDays).toBe(30);
    expect(expectOk<{ changed: number }>(await backend.invoke('settings.previewExpiringDays', { expiringDays: 7 })).changed).toBe(0);
    expect(expectOk<{ changed: number }>(await backend.invoke('settings.setExpiringDays', { expiringDays: 7 })).changed).toBe(0);
    expect(expectOk<{ expiringDays: number }>(await backend.invoke('settings.get', {})).expiringDays).toBe(7);
    expect(expectOk<{ expiringDays: number }>(await backend.invoke('app.info', {})).expiringDays).toBe(7);
  });
});

describe('hostile and malformed input', () => {
  it('an unknown call name is UNKNOWN_CALL', async () => {
    const backend = await bootWithUsers();
    await signIn(backend, ADMIN);
    for (const name of ['records.delete', 'settings', '', '__proto__', 'constructor', 'toString', 'certdesk:records.get', 'RECORDS.GET']) {
      expectError(await backend.invoke(name, {}), 'UNKNOWN_CALL');
    }
  });

  it('wrong types, unknown fields, oversized strings and deep nesting are refused fast, with the database unchanged', async () => {
    const backend = await bootWithUsers();
    await signIn(backend, STAFF);
    const { record, components } = await enrolled(backend);
    const before = await snapshot(db(backend));

    const huge = 'x'.repeat(3 * 1024 * 1024);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    let deepArray: unknown[] = [];
    for (let i = 0; i < 100_000; i++) deepArray = [deepArray];
    const cyclic: Record<string, unknown> = { id: record.id };
    cyclic.self = cyclic;

    const cases: Array<[string, unknown, Array<CallError['code']>, string?]> = [
      ['records.get', { id: String(record.id) }, ['INVALID'], 'id'],
      ['records.get', { id: 1.5 }, ['INVALID'], 'id'],
      ['records.get', { id: -1 }, ['INVALID'], 'id'],
      ['records.get', { id: Number.NaN }, ['INVALID'], 'id'],
      ['records.get', {}, ['INVALID'], 'id'],
      ['records.get', [record.id], ['INVALID']],
      ['records.get', 'records.get', ['INVALID']],
      ['records.get', { id: record.id, admin: true }, ['INVALID']],
      ['records.setStatus', { id: record.id, to: 'Done', reason: 'x' }, ['INVALID'], 'to'],
      ['records.setStatus', { id: record.id, to: { $ne: null } }, ['INVALID'], 'to'],
      ['records.setStatus', { id: record.id, to: 'Cancelled', reason: 42 }, ['INVALID'], 'reason'],
      ['records.setStatus', { id: record.id, to: 'Cancelled', reason: 'x', by: 'admin' }, ['INVALID']],
      ['records.completeComponent', { recordId: record.id, componentId: components[0]?.id, completedOn: '2026-02-30' }, ['INVALID'], 'completedOn'],
      ['records.completeComponent', { recordId: record.id, componentId: components[0]?.id, completedOn: '10/03/2026' }, ['INVALID'], 'completedOn'],
      ['records.setNotes', { id: record.id, notes: huge }, ['TOO_LARGE', 'INVALID']],
      ['records.setNotes', { id: record.id, notes: 'x'.repeat(20_001) }, ['INVALID'], 'notes'],
      ['contacts.create', { firstName: 'A', lastName: huge }, ['TOO_LARGE', 'INVALID']],
      ['contacts.create', { firstName: 'A', lastName: 'B', email: 'not an email' }, ['INVALID'], 'email'],
      ['contacts.create', { firstName: 'A', lastName: '   ' }, ['INVALID'], 'lastName'],
      ['contacts.search', { text: deep }, ['TOO_LARGE', 'INVALID']],
      ['records.setNotes', { id: record.id, notes: 'ok', extra: deep }, ['TOO_LARGE', 'INVALID']],
      ['records.enroll', deepArray, ['TOO_LARGE', 'INVALID']],
      ['records.get', cyclic, ['TOO_LARGE', 'INVALID']],
      ['tracking.list', { quick: { kind: 'all' }, sort: { column: 'r.id; DROP TABLE records', direction: 'asc' }, page: 1, pageSize: 10 }, ['INVALID']],
      ['tracking.list', { quick: { kind: 'all' }, sort: { column: 'status', direction: 'asc' }, page: 1, pageSize: 1_000_000 }, ['INVALID']],
      ['tracking.page', { quick: { kind: 'all' }, sort: { column: 'r.id; DROP TABLE records', direction: 'asc' }, page: 1, pageSize: 10 }, ['INVALID']],
      ['tracking.page', { quick: { kind: 'all' }, sort: { column: 'status', direction: 'asc' }, page: 0, pageSize: 10 }, ['INVALID']],
      ['tracking.total', { quick: { kind: 'status', status: 'Lost' } }, ['INVALID']],
      ['tracking.total', { quick: { kind: 'all' }, filter: { combinator: 'or', rules: [{ field: 'c.email; --', operator: '=', value: 'x' }] } }, ['INVALID']],
      ['auth.signIn', { username: 'dana', password: huge }, ['TOO_LARGE', 'INVALID']],
    ];
    for (const [name, input, codes, field] of cases) {
      const started = performance.now();
      const envelope = await backend.invoke(name, input);
      const elapsed = performance.now() - started;
      const error = expectError(envelope, ...codes);
      if (field) expect(error.field, `${name} ${field}`).toBe(field);
      expect(elapsed, `${name} took ${elapsed.toFixed(0)} ms`).toBeLessThan(1500);
    }
    // The big ones are refused by size before any parsing.
    expectError(await backend.invoke('records.setNotes', { id: record.id, notes: huge }), 'TOO_LARGE');
    expectError(await backend.invoke('records.setNotes', { id: record.id, notes: 'x'.repeat(MAX_INPUT_BYTES + 1) }), 'TOO_LARGE');
    expectError(await backend.invoke('records.get', deep), 'TOO_LARGE');

    expect(await snapshot(db(backend))).toBe(before);
    // Main is unharmed: the same user carries on.
    const detail = expectOk<{ record: RecordRow }>(await backend.invoke('records.get', { id: record.id }));
    expect(detail.record.status).toBe('In Progress');
    expect(backend.context.session.user?.username).toBe('dana');
  });

  it('an unknown record, contact or component is NOT_FOUND', async () => {
    const backend = await bootWithUsers();
    await signIn(backend, STAFF);
    const { record } = await enrolled(backend);
    const before = await snapshot(db(backend));
    expect(expectError(await backend.invoke('records.get', { id: 987654 }), 'NOT_FOUND').message).toMatch(/987654/);
    expectError(await backend.invoke('records.setStatus', { id: 987654, to: 'Cancelled', reason: 'x' }), 'NOT_FOUND');
    expectError(await backend.invoke('records.markAllComplete', { id: 987654, reason: 'x' }), 'NOT_FOUND');
    expectError(await backend.invoke('records.overrideExpiration', { id: 987654, expiresOn: null, reason: 'x' }), 'NOT_FOUND');
    expectError(await backend.invoke('records.setNotes', { id: 987654, notes: 'x' }), 'NOT_FOUND');
    expectError(await backend.invoke('records.enroll', { contactId: 987654, programId: record.program_id }), 'NOT_FOUND');
    expectError(await backend.invoke('records.enroll', { contactId: record.contact_id, programId: 987654 }), 'NOT_FOUND');
    expectError(await backend.invoke('records.completeComponent', { recordId: record.id, componentId: 987654, completedOn: TODAY }), 'NOT_FOUND');
    expect(await snapshot(db(backend))).toBe(before);
  });
});

describe('staff work through the door', () => {
  it('records completions to Active, sees refusals as sentences, and the record shows its history by name', async () => {
    const backend = await bootWithUsers();
    await signIn(backend, STAFF);
    const { record, components } = await enrolled(backend);
    expect(record).toMatchObject({ status: 'In Progress', started_on: TODAY, applied_on: null });
    expect(expectError(await backend.invoke('records.enroll', { contactId: record.contact_id, programId: record.program_id }), 'CONFLICT').field).toBe(
      'programId',
    );

    const before = await snapshot(db(backend));
    const refused = expectError(await backend.invoke('records.setStatus', { id: record.id, to: 'Active' }), 'REFUSED');
    expect(refused.message).toMatch(/^Not allowed from In Progress to Active: .+\.$/);
    expect(refused.field).toBe('to');
    expect(await snapshot(db(backend))).toBe(before);

    for (const c of components) {
      expectOk(await backend.invoke('records.completeComponent', { recordId: record.id, componentId: c.id, completedOn: TODAY }));
    }
    const detail = expectOk<{ record: RecordRow; history: Array<{ actor_name: string; to_status: string }> }>(
      await backend.invoke('records.get', { id: record.id }),
    );
    expect(detail.record).toMatchObject({ status: 'Active', completed_on: TODAY, expires_on: '2027-03-10', required_done: 2 });
    expect(detail.history[0]).toMatchObject({ to_status: 'Active', actor_name: 'Dana Staff' });
    expect(detail.history.every((h) => h.actor_name === 'Dana Staff')).toBe(true);

    const list = expectOk<{ total: number; rows: Array<{ status: string; contactName: string }> }>(
      await backend.invoke('tracking.list', {
        quick: { kind: 'status', status: 'Active' },
        sort: { column: 'contactName', direction: 'asc' },
        page: 1,
        pageSize: 50,
      }),
    );
    expect(list.total).toBe(1);
    expect(list.rows[0]).toMatchObject({ status: 'Active', contactName: 'Maria Gonzalez' });
  });
});

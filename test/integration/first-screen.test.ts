/**
 * app.firstScreen (issue 17): the window's first answer. It is a public call, so its handler decides what
 * it may show: app.info to anyone, the Tracking page's start only to a signed-in user on an unlocked desk;
 * and what it shows is what the page's own calls answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startBackend, type Backend } from '../../main/backend';
import type { Envelope, FirstScreen } from '../../main/ipc/contract';
import { createUser } from '../../main/services/users';
import { freshDb, makeContact, makeProgram, removeDir, TEST_PASSWORD_COST, TestClock } from './support';

const ADMIN = { username: 'alex', displayName: 'Alex Admin', password: 'admin password 1' };

const running: Array<{ backend: Backend; dir: string }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.backend.close();
    removeDir(r.dir);
  }
});

function ok<T>(envelope: Envelope<unknown>): T {
  if (!envelope.ok) throw new Error(`expected ok, got ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value as T;
}

/** An office with an admin (signed out), a program and two enrolled contacts. */
async function boot(): Promise<Backend> {
  const t = await freshDb();
  await t.close();
  const backend = await startBackend({ dataDir: t.dir, version: '0.1.0-test', clock: new TestClock('2026-03-10T15:00:00Z'), passwordCost: TEST_PASSWORD_COST });
  running.push({ backend, dir: t.dir });
  await createUser(backend.context.services, { ...ADMIN, role: 'admin' });
  ok(await backend.invoke('auth.signIn', { username: ADMIN.username, password: ADMIN.password }));
  const { program } = await makeProgram(backend.context.services, { name: 'Certified Compliance Officer' });
  for (const lastName of ['Zed', 'Able']) {
    const contact = await makeContact(backend.context.services, lastName);
    ok(await backend.invoke('records.enroll', { contactId: contact.id, programId: program.id }));
  }
  ok(await backend.invoke('auth.signOut', {}));
  return backend;
}

describe('app.firstScreen', () => {
  it('answers app.info to anyone, and the Tracking start only when signed in on an unlocked desk and asked for', async () => {
    const backend = await boot();
    const signedOut = ok<FirstScreen>(await backend.invoke('app.firstScreen', { tracking: true }));
    expect(signedOut.info).toEqual(ok(await backend.invoke('app.info', {})));
    expect(signedOut.tracking).toBeNull();

    ok(await backend.invoke('auth.signIn', { username: ADMIN.username, password: ADMIN.password }));
    expect(ok<FirstScreen>(await backend.invoke('app.firstScreen', { tracking: false })).tracking).toBeNull();
    ok(await backend.invoke('auth.lock', {}));
    const locked = ok<FirstScreen>(await backend.invoke('app.firstScreen', { tracking: true }));
    expect(locked.info.locked).toBe(true);
    expect(locked.tracking).toBeNull();
    const refused = await backend.invoke('app.firstScreen', { tracking: 'yes' });
    expect(refused.ok).toBe(false);
  });

  it('carries what the page would load with its own calls: the saved view, its first page, the counts, the programs and the saved filters', async () => {
    const backend = await boot();
    ok(await backend.invoke('auth.signIn', { username: ADMIN.username, password: ADMIN.password }));
    // No view saved yet: none, and the first page by name.
    const fresh = ok<FirstScreen>(await backend.invoke('app.firstScreen', { tracking: true }));
    expect(fresh.tracking?.view).toBeNull();
    expect(fresh.tracking?.list.rows.map((r) => r.contactName)).toEqual([expect.stringMatching(/Able$/), expect.stringMatching(/Zed$/)]);

    const view = { quick: { kind: 'all' }, filter: null, search: '', sort: { column: 'contactName', direction: 'desc' }, pageSize: 25 };
    ok(await backend.invoke('tracking.saveView', view));
    ok(await backend.invoke('filters.save', { name: 'Mine', tree: { combinator: 'and', rules: [{ field: 'status', operator: '=', value: 'In Progress' }] } }));
    const start = ok<FirstScreen>(await backend.invoke('app.firstScreen', { tracking: true })).tracking;
    expect(start?.view).toEqual(view);
    expect(start?.list).toEqual(ok(await backend.invoke('tracking.list', { ...view, page: 1 })));
    expect(start?.list.rows.map((r) => r.contactName)).toEqual([expect.stringMatching(/Zed$/), expect.stringMatching(/Able$/)]);
    expect(start?.counts).toEqual(ok(await backend.invoke('tracking.counts', {})));
    expect(start?.programs).toEqual(ok(await backend.invoke('programs.list', {})));
    expect(start?.filters).toEqual(ok(await backend.invoke('filters.list', {})));
    expect(start?.filters).toHaveLength(1);
  });
});

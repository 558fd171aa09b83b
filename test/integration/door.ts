/**
 * The IPC door for tests: a backend on a fresh database file with an admin
 * signed in, and helpers that unwrap envelopes or check a refusal wrote nothing.
 */
import { afterEach, expect } from 'vitest';
import { startBackend, type Backend } from '../../main/backend';
import type { CallName } from '../../main/ipc/calls';
import type { CallError, Envelope } from '../../main/ipc/contract';
import { freshDb, removeDir, snapshot, TEST_PASSWORD_COST, TestClock } from './support';

const running: Array<{ backend: Backend; dir: string }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.backend.close();
    removeDir(r.dir);
  }
});

/**
 * Office in New York; the clock starts at 2026-03-10 11:00 there. Password hashes are made at the
 * tests' low scrypt cost unless `appPasswordCost` (the tests of hashing itself).
 */
export async function signedInAdmin(clock = new TestClock('2026-03-10T15:00:00Z'), { appPasswordCost = false } = {}): Promise<Backend> {
  const t = await freshDb();
  await t.close();
  const backend = await startBackend({ dataDir: t.dir, version: '0.1.0-test', clock, ...(appPasswordCost ? {} : { passwordCost: TEST_PASSWORD_COST }) });
  running.push({ backend, dir: t.dir });
  ok(await backend.invoke('auth.createFirstAdmin', { username: 'alex', displayName: 'Alex Admin', password: 'admin password 1', loadDemoData: false }));
  return backend;
}

export function ok<T = unknown>(envelope: Envelope<unknown>): T {
  if (!envelope.ok) throw new Error(`expected ok, got ${envelope.error.code}: ${envelope.error.message}`);
  return envelope.value as T;
}

/** Calls, expects a refusal with `code`, checks the database is byte for byte as before; answers the error. */
export async function refusedWith(backend: Backend, code: CallError['code'], name: CallName, input: unknown): Promise<CallError> {
  const before = await snapshot(backend.context.services.db);
  const envelope = await backend.invoke(name, input);
  if (envelope.ok) throw new Error(`${name} accepted ${JSON.stringify(input)}`);
  expect(envelope.error.code, envelope.error.message).toBe(code);
  expect(await snapshot(backend.context.services.db)).toEqual(before);
  return envelope.error;
}

/** An INVALID refusal's message. */
export async function refused(backend: Backend, name: CallName, input: unknown): Promise<string> {
  return (await refusedWith(backend, 'INVALID', name, input)).message;
}

/**
 * Users (SPEC §6): an admin disables, enables and changes the role of a user; the last
 * active admin can be neither disabled nor made staff (refused with a sentence, nothing
 * written); a disabled user's open session ends at its next call; every change says who
 * and when. And the idle lock: a locked desk answers only the same user's password (with
 * the sign-in throttle) or another user's sign-in. Through the IPC door on a real file.
 */
import { describe, expect, it } from 'vitest';
import { handlers, Session } from '../../main/ipc/handlers';
import { invoke } from '../../main/ipc/handle';
import type { Backend } from '../../main/backend';
import type { User, UserChange } from '../../main/ipc/contract';
import { ok, refusedWith, signedInAdmin } from './door';
import { TestClock } from './support';

const ADMIN = { username: 'alex', password: 'admin password 1' };
const DANA = { username: 'dana', displayName: 'Dana Staff', role: 'staff', password: 'staff password 1' };

/** A second desk session on the same database (what another window set would hold). */
function secondSession(backend: Backend) {
  const context = { ...backend.context, session: new Session() };
  return { session: context.session, invoke: (name: string, input: unknown) => invoke(handlers, context, name, input) };
}

describe('an admin manages users', () => {
  it('disables and enables a user and changes a role, each recorded with who and when', async () => {
    const clock = new TestClock('2026-03-10T15:00:00Z');
    const backend = await signedInAdmin(clock);
    const dana = ok<User>(await backend.invoke('users.create', DANA));
    clock.set('2026-03-10T15:05:00Z');
    expect(ok<User>(await backend.invoke('users.setDisabled', { id: dana.id, disabled: true })).disabled).toBe(true);
    // A disabled user cannot sign in.
    const other = secondSession(backend);
    const refused = await other.invoke('auth.signIn', { username: 'dana', password: DANA.password });
    expect(!refused.ok && refused.error.message).toBe('Wrong user name or password.');
    clock.set('2026-03-10T15:06:00Z');
    expect(ok<User>(await backend.invoke('users.setDisabled', { id: dana.id, disabled: false })).disabled).toBe(false);
    ok(await other.invoke('auth.signIn', { username: 'dana', password: DANA.password }));
    clock.set('2026-03-10T15:07:00Z');
    expect(ok<User>(await backend.invoke('users.setRole', { id: dana.id, role: 'admin' })).role).toBe('admin');
    // Doing what is already so records nothing.
    ok(await backend.invoke('users.setRole', { id: dana.id, role: 'admin' }));

    const changes = ok<UserChange[]>(await backend.invoke('users.changes', {}));
    expect(changes.map((c) => [c.username, c.change, c.from, c.to, c.byName, c.at])).toEqual([
      ['dana', 'role', 'staff', 'admin', 'Alex Admin', '2026-03-10T15:07:00.000Z'],
      ['dana', 'enabled', null, null, 'Alex Admin', '2026-03-10T15:06:00.000Z'],
      ['dana', 'disabled', null, null, 'Alex Admin', '2026-03-10T15:05:00.000Z'],
      ['dana', 'created', null, 'staff', 'Alex Admin', '2026-03-10T15:00:00.000Z'],
      ['alex', 'created', null, 'admin', 'system', '2026-03-10T15:00:00.000Z'],
    ]);
  });

  it('refuses to disable or demote the last active admin, and to disable oneself, with nothing written', async () => {
    const backend = await signedInAdmin();
    const alex = ok<User>(await backend.invoke('app.info', {}).then((e) => ({ ...e, value: e.ok && (e.value as { user: User }).user })));
    const demote = await refusedWith(backend, 'REFUSED', 'users.setRole', { id: alex.id, role: 'staff' });
    expect(demote.message).toBe(
      'Alex Admin is the last active admin, so they cannot be made staff: CertDesk would have no one to manage it. Make another user an admin first.',
    );
    const self = await refusedWith(backend, 'REFUSED', 'users.setDisabled', { id: alex.id, disabled: true });
    expect(self.message).toBe('You cannot disable your own user; another admin can.');

    // A second admin who is disabled does not count: Alex is still the last active one.
    const blake = ok<User>(
      await backend.invoke('users.create', { username: 'blake', displayName: 'Blake Admin', role: 'admin', password: 'admin password 2' }),
    );
    ok(await backend.invoke('users.setDisabled', { id: blake.id, disabled: true }));
    await refusedWith(backend, 'REFUSED', 'users.setRole', { id: alex.id, role: 'staff' });
    ok(await backend.invoke('users.setDisabled', { id: blake.id, disabled: false }));
    // With Blake active again, Alex may step down; then Blake is the last admin.
    expect(ok<User>(await backend.invoke('users.setRole', { id: alex.id, role: 'staff' })).role).toBe('staff');
    // Alex's own session is staff from the next call on.
    const forbidden = await backend.invoke('users.list', {});
    expect(!forbidden.ok && forbidden.error.code).toBe('FORBIDDEN');
    ok(await backend.invoke('auth.signOut', {}));
    ok(await backend.invoke('auth.signIn', { username: 'blake', password: 'admin password 2' }));
    const last = await refusedWith(backend, 'REFUSED', 'users.setRole', { id: blake.id, role: 'staff' });
    expect(last.message).toMatch(/^Blake Admin is the last active admin/);
    expect((await refusedWith(backend, 'NOT_FOUND', 'users.setDisabled', { id: 999, disabled: true })).message).toBe('User 999 does not exist.');
  });

  it("ends a disabled user's open session at its next call, with a sentence", async () => {
    const backend = await signedInAdmin();
    const dana = ok<User>(await backend.invoke('users.create', DANA));
    const desk = secondSession(backend);
    ok(await desk.invoke('auth.signIn', { username: 'dana', password: DANA.password }));
    ok(await desk.invoke('tracking.counts', {}));
    ok(await backend.invoke('users.setDisabled', { id: dana.id, disabled: true }));
    const next = await desk.invoke('tracking.counts', {});
    expect(!next.ok && next.error).toEqual({
      code: 'SIGNED_OUT',
      message: 'An admin has disabled your user, so you are signed out. Ask an admin to enable it again.',
    });
    expect(desk.session.user).toBeNull();
    const info = ok<{ user: User | null }>(await desk.invoke('app.info', {}));
    expect(info.user).toBeNull();
  });

  it('staff cannot disable users or change roles (in main)', async () => {
    const backend = await signedInAdmin();
    const dana = ok<User>(await backend.invoke('users.create', DANA));
    ok(await backend.invoke('auth.signOut', {}));
    ok(await backend.invoke('auth.signIn', { username: 'dana', password: DANA.password }));
    await refusedWith(backend, 'FORBIDDEN', 'users.setRole', { id: dana.id, role: 'admin' });
    await refusedWith(backend, 'FORBIDDEN', 'users.setDisabled', { id: 1, disabled: true });
    await refusedWith(backend, 'FORBIDDEN', 'settings.setIdleLock', { minutes: 0 });
  });
});

describe('the idle lock', () => {
  it('a locked desk refuses work until the same password (throttled like sign-in) or another user signs in', async () => {
    const clock = new TestClock('2026-03-10T15:00:00Z');
    const backend = await signedInAdmin(clock);
    ok(await backend.invoke('users.create', DANA));
    expect(ok<{ idleLockMinutes: number }>(await backend.invoke('app.info', {})).idleLockMinutes).toBe(15);
    ok(await backend.invoke('settings.setIdleLock', { minutes: 5 }));
    expect(ok<{ idleLockMinutes: number }>(await backend.invoke('app.info', {})).idleLockMinutes).toBe(5);

    ok(await backend.invoke('auth.lock', {}));
    expect(ok<{ locked: boolean; user: User }>(await backend.invoke('app.info', {}))).toMatchObject({ locked: true, user: { username: 'alex' } });
    const work = await backend.invoke('tracking.counts', {});
    expect(!work.ok && work.error).toEqual({ code: 'LOCKED', message: 'The desk is locked. Enter your password to go on.' });

    for (let i = 0; i < 3; i++) {
      const wrong = await backend.invoke('auth.unlock', { password: `guess ${i}` });
      expect(!wrong.ok && wrong.error.message).toBe('Wrong password.');
    }
    const tooSoon = await backend.invoke('auth.unlock', { password: ADMIN.password });
    expect(!tooSoon.ok && tooSoon.error.message).toBe('Too many wrong passwords for this user name. Wait 1 second, then try again.');
    clock.set('2026-03-10T15:00:02Z');
    ok(await backend.invoke('auth.unlock', { password: ADMIN.password }));
    ok(await backend.invoke('tracking.counts', {}));

    // Another user may sign in instead: the desk is theirs, unlocked.
    ok(await backend.invoke('auth.lock', {}));
    ok(await backend.invoke('auth.signIn', { username: 'dana', password: DANA.password }));
    expect(ok<{ locked: boolean; user: User }>(await backend.invoke('app.info', {}))).toMatchObject({ locked: false, user: { username: 'dana' } });
    ok(await backend.invoke('tracking.counts', {}));
  });

  it('refuses an idle time that is not whole minutes from 0 (never) to 480', async () => {
    const backend = await signedInAdmin();
    expect((await refusedWith(backend, 'INVALID', 'settings.setIdleLock', { minutes: 481 })).message).toBe('minutes: At most 480 minutes (8 hours).');
    expect((await refusedWith(backend, 'INVALID', 'settings.setIdleLock', { minutes: 1.5 })).message).toMatch(/^minutes: /);
    ok(await backend.invoke('settings.setIdleLock', { minutes: 0 }));
  });
});

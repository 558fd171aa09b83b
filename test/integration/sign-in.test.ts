/**
 * Sign-in resists guessing (RELIABILITY.md promise 10, SPEC §6): wrong
 * passwords slow further tries per user name, and the right one does not work
 * at once after many wrong ones; hashes are scrypt at N = 2^17 and older ones
 * are rehashed at the next sign-in; a new password is 10 characters or more and
 * not only blanks. Through the IPC door, with a clock the test moves.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ok, refused, signedInAdmin } from './door';
import { TestClock } from './support';

const RIGHT = { username: 'alex', password: 'admin password 1' };

describe('signing in', () => {
  it('slows wrong passwords down per user name: after three, the right one waits too', async () => {
    const clock = new TestClock('2026-03-10T15:00:00Z');
    const backend = await signedInAdmin(clock);
    ok(await backend.invoke('auth.signOut', {}));
    for (let i = 0; i < 3; i++) {
      const wrong = await backend.invoke('auth.signIn', { username: 'alex', password: `guess ${i}` });
      expect(!wrong.ok && wrong.error.message).toBe('Wrong user name or password.');
    }
    const right = await backend.invoke('auth.signIn', RIGHT);
    expect(!right.ok && right.error.message).toBe('Too many wrong passwords for this user name. Wait 1 second, then try again.');
    clock.set('2026-03-10T15:00:01Z');
    const wrong = await backend.invoke('auth.signIn', { username: 'ALEX', password: 'guess 4' });
    expect(!wrong.ok && wrong.error.message).toBe('Wrong user name or password.');
    const waiting = await backend.invoke('auth.signIn', RIGHT);
    expect(!waiting.ok && waiting.error.message).toBe('Too many wrong passwords for this user name. Wait 2 seconds, then try again.');
    clock.set('2026-03-10T15:00:03Z');
    expect(ok<{ username: string }>(await backend.invoke('auth.signIn', RIGHT)).username).toBe('alex');
    // A success starts the count again.
    ok(await backend.invoke('auth.signOut', {}));
    expect(!(await backend.invoke('auth.signIn', { username: 'alex', password: 'guess 5' })).ok).toBe(true);
    ok(await backend.invoke('auth.signIn', RIGHT));
  });

  it('hashes with scrypt at N = 2^17, and rehashes an older hash at the next sign-in', async () => {
    const backend = await signedInAdmin(undefined, { appPasswordCost: true });
    const db = backend.context.services.db;
    const stored = async () => ((await db('users').where({ username: 'alex' }).first('password_hash')) as { password_hash: string }).password_hash;
    expect((await stored()).split('$').slice(0, 4)).toEqual(['scrypt', '131072', '8', '1']);
    const salt = randomBytes(16);
    const old = ['scrypt', 16384, 8, 1, salt.toString('base64'), scryptSync(RIGHT.password, salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64')].join('$');
    await db('users').where({ username: 'alex' }).update({ password_hash: old });
    ok(await backend.invoke('auth.signOut', {}));
    ok(await backend.invoke('auth.signIn', RIGHT));
    expect((await stored()).split('$').slice(0, 4)).toEqual(['scrypt', '131072', '8', '1']);
    ok(await backend.invoke('auth.signOut', {}));
    ok(await backend.invoke('auth.signIn', RIGHT));
    // Five hashes at N = 2^17: up to 10 s each on a loaded two-core machine.
  }, 120_000);

  it('refuses a new password shorter than 10 characters or of blanks only', async () => {
    const backend = await signedInAdmin();
    const user = { username: 'dana', displayName: 'Dana', role: 'staff' };
    expect(await refused(backend, 'users.create', { ...user, password: 'nine char' })).toBe('password: A password needs at least 10 characters.');
    expect(await refused(backend, 'users.create', { ...user, password: '           ' })).toBe('password: A password cannot be only blanks.');
    ok(await backend.invoke('users.create', { ...user, password: 'ten chars!' }));
  });
});

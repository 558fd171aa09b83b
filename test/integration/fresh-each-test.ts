/** The usual setup of a service test file: its own fresh database and one user made in it, for every test. */
import { afterEach, beforeEach } from 'vitest';
import type { Actor } from '../../main/services/context';
import { freshDb, makeStaff, type TestDb } from './support';

interface NewUser {
  username?: string;
  displayName?: string;
  role?: 'staff' | 'admin';
}
type Ready = (t: TestDb, user: Actor) => void;

/**
 * Before each test of the enclosing file or describe, a fresh database (`freshDb()`) and a user made in it
 * (`makeStaff`: by default the staff member Dana); after it, the database is closed.
 * `ready` receives both, to keep them at hand for the test.
 */
export function freshDbEachTest(ready: Ready): void;
export function freshDbEachTest(user: NewUser, ready: Ready): void;
export function freshDbEachTest(first: NewUser | Ready, second?: Ready): void {
  const [user, ready] = typeof first === 'function' ? [{}, first] : [first, second as Ready];
  let current: TestDb | undefined;
  beforeEach(async () => {
    current = undefined;
    const t = await freshDb();
    current = t;
    ready(t, await makeStaff(t.ctx, user.username, user.displayName, user.role));
  });
  afterEach(async () => {
    await current?.dispose();
  });
}

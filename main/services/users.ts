/** Local users: staff and admins, passwords kept only as salted scrypt hashes. */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ServiceError, stamp, SYSTEM, type Actor, type Executor, type PasswordCost, type Role, type ServiceContext } from './context';

/** OWASP's scrypt cost (N = 2^17, r = 8, p = 1): what the app always uses. */
export const OWASP_PASSWORD_COST: PasswordCost = { N: 2 ** 17, r: 8, p: 1 };
/** Automated tests only (the harness's --test-password-cost, test support): a hash in about 1 ms. */
export const TEST_PASSWORD_COST: PasswordCost = { N: 2 ** 10, r: 8, p: 1 };
const KEYLEN = 32;
/** N = 2^17 needs 128 MB, above node's 32 MB default maxmem. */
const MAXMEM = 256 * 1024 * 1024;

const costOf = (ctx: ServiceContext): PasswordCost => ctx.passwordCost ?? OWASP_PASSWORD_COST;

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, keylen, { ...options, maxmem: MAXMEM }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, cost: PasswordCost = OWASP_PASSWORD_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(key, expected);
}

/** A hash made with a lower cost than today's: rehashed at the next good sign-in. */
export function needsRehash(stored: string, cost: PasswordCost = OWASP_PASSWORD_COST): boolean {
  const [, n, r] = stored.split('$');
  return Number(n) < cost.N || Number(r) < cost.r;
}

/**
 * Wrong passwords slow sign-in down, per user name (SPEC §6): after the third
 * wrong one in a row, each try must wait 1 s, 2 s, 4 s … up to 5 minutes, and
 * a try made sooner is refused without looking at the password — so the right
 * password does not work at once after a hundred wrong ones. Kept in memory:
 * the desk is one process, and a restart is slower than the waits.
 */
const failures = new Map<string, { count: number; until: number }>();
const FREE_TRIES = 3;
const MAX_WAIT_MS = 5 * 60 * 1000;

function waitAfter(count: number): number {
  return count < FREE_TRIES ? 0 : Math.min(MAX_WAIT_MS, 1000 * 2 ** (count - FREE_TRIES));
}

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  disabled_at: string | null;
}

const toUser = (row: UserRow): User => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  role: row.role,
  disabled: row.disabled_at !== null,
});

export const actorOf = (user: User): Actor => ({ id: user.id, name: user.displayName, role: user.role });

export const MIN_PASSWORD_LENGTH = 10;

export async function countUsers(ctx: ServiceContext): Promise<number> {
  const row = await ctx.db('users').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function listUsers(ctx: ServiceContext): Promise<User[]> {
  return ((await ctx.db('users').orderBy('username')) as UserRow[]).map(toUser);
}

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  password: string;
}

/** `by`: the admin who adds the user (recorded); the first admin and the harness's users are added by the system. */
export async function createUser(ctx: ServiceContext, input: NewUser, onlyIfNoUsers = false, by: Actor = SYSTEM): Promise<User> {
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new ServiceError('INVALID', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`, 'password');
  }
  const username = input.username.trim().toLocaleLowerCase('und');
  if (!/^[\p{L}\p{N}._-]{2,40}$/u.test(username)) {
    throw new ServiceError('INVALID', 'A user name is 2–40 letters, digits, dots, dashes or underscores.', 'username');
  }
  const passwordHash = await hashPassword(input.password, costOf(ctx));
  return ctx.db.transaction(async (trx) => {
    // Checked inside the write transaction: two first-run requests cannot both win.
    if (onlyIfNoUsers && (await trx('users').first())) throw new ServiceError('FORBIDDEN', 'CertDesk already has users; sign in instead.');
    if (await trx('users').where({ username }).first()) throw new ServiceError('CONFLICT', `The user name ${username} is taken.`, 'username');
    const [row] = (await trx('users')
      .insert({ username, display_name: input.displayName.trim() || username, role: input.role, password_hash: passwordHash, created_at: stamp(ctx) })
      .returning('*')) as UserRow[];
    if (!row) throw new Error('insert returned no row');
    await recordUserChange(trx, ctx, by, row.id, 'created', null, row.role);
    return toUser(row);
  });
}

/** The first run: only when no user exists yet may an admin be created without signing in. */
export async function createFirstAdmin(ctx: ServiceContext, input: Omit<NewUser, 'role'>): Promise<User> {
  return createUser(ctx, { ...input, role: 'admin' }, true);
}

/** `wrongMessage`: the lock screen asks only for the password, so it says "Wrong password." */
export async function authenticate(ctx: ServiceContext, username: string, password: string, wrongMessage = 'Wrong user name or password.'): Promise<User> {
  const name = username.trim().toLocaleLowerCase('und');
  const now = ctx.clock.now().getTime();
  const failed = failures.get(name);
  if (failed && now < failed.until) {
    const seconds = Math.ceil((failed.until - now) / 1000);
    throw new ServiceError(
      'UNAUTHENTICATED',
      `Too many wrong passwords for this user name. Wait ${seconds} second${seconds === 1 ? '' : 's'}, then try again.`,
    );
  }
  const row = (await ctx.db('users').where({ username: name }).first()) as UserRow | undefined;
  // Hash even for an unknown user so the answer takes the same time.
  const ok = await verifyPassword(password, row?.password_hash ?? `scrypt$${costOf(ctx).N}$8$1$${'A'.repeat(22)}==$${'A'.repeat(43)}=`);
  if (!row || !ok || row.disabled_at !== null) {
    const count = (failed?.count ?? 0) + 1;
    failures.set(name, { count, until: now + waitAfter(count) });
    throw new ServiceError('UNAUTHENTICATED', wrongMessage);
  }
  failures.delete(name);
  if (needsRehash(row.password_hash, costOf(ctx)))
    await ctx
      .db('users')
      .where({ id: row.id })
      .update({ password_hash: await hashPassword(password, costOf(ctx)) });
  return toUser(row);
}

export async function resetPassword(ctx: ServiceContext, userId: number, password: string, by: Actor = SYSTEM): Promise<void> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ServiceError('INVALID', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`, 'password');
  }
  const hash = await hashPassword(password, costOf(ctx));
  await ctx.db.transaction(async (trx) => {
    const n = await trx('users').where({ id: userId }).update({ password_hash: hash });
    if (n === 0) throw new ServiceError('NOT_FOUND', `User ${userId} does not exist.`);
    await recordUserChange(trx, ctx, by, userId, 'password');
  });
}

/** The user a session holds, as the database has them now: null once removed or disabled. */
export async function currentUser(ctx: ServiceContext, id: number): Promise<User | null> {
  const row = (await ctx.db('users').where({ id }).first()) as UserRow | undefined;
  return row && row.disabled_at === null ? toUser(row) : null;
}

/** What a signed-in user hears at their next call once an admin has disabled them. */
export const DISABLED_MESSAGE = 'An admin has disabled your user, so you are signed out. Ask an admin to enable it again.';

export type UserChangeKind = 'created' | 'disabled' | 'enabled' | 'role' | 'password';

/** One change of a local user, who made it and when (users are local: this log is not synced). */
export interface UserChange {
  id: number;
  userId: number;
  username: string;
  change: UserChangeKind;
  from: string | null;
  to: string | null;
  byName: string;
  at: string;
}

async function recordUserChange(
  trx: Executor,
  ctx: ServiceContext,
  by: Actor,
  userId: number,
  change: UserChangeKind,
  from: string | null = null,
  to: string | null = null,
): Promise<void> {
  await trx('user_changes').insert({ user_id: userId, change, from_value: from, to_value: to, by_user_id: by.id, by_name: by.name, changed_at: stamp(ctx) });
}

interface UserChangeRow {
  id: number;
  user_id: number;
  username: string;
  change: UserChangeKind;
  from_value: string | null;
  to_value: string | null;
  by_name: string;
  changed_at: string;
}

export async function listUserChanges(ctx: ServiceContext, limit = 200): Promise<UserChange[]> {
  const rows: UserChangeRow[] = await ctx
    .db('user_changes as c')
    .join('users as u', 'u.id', 'c.user_id')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .select('c.id', 'c.user_id', 'u.username', 'c.change', 'c.from_value', 'c.to_value', 'c.by_name', 'c.changed_at');
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    username: r.username,
    change: r.change,
    from: r.from_value,
    to: r.to_value,
    byName: r.by_name,
    at: r.changed_at,
  }));
}

/** Inside the write transaction: the target, and whether another active admin would remain without them. */
async function targetOf(trx: Executor, userId: number): Promise<{ row: UserRow; otherActiveAdmins: number }> {
  const row = (await trx('users').where({ id: userId }).first()) as UserRow | undefined;
  if (!row) throw new ServiceError('NOT_FOUND', `User ${userId} does not exist.`);
  const other = await trx('users').where({ role: 'admin' }).whereNull('disabled_at').whereNot({ id: userId }).count({ n: '*' }).first();
  return { row, otherActiveAdmins: Number(other?.n ?? 0) };
}

const lastAdminMessage = (row: UserRow, doing: string) =>
  `${row.display_name} is the last active admin, so they cannot be ${doing}: CertDesk would have no one to manage it. Make another user an admin first.`;

/**
 * Disables or enables a user. The last active admin cannot be disabled, and nobody disables
 * themself (they would be signed out mid-work; another admin can). A disabled user keeps
 * their history; their open session ends at its next call.
 */
export async function setUserDisabled(ctx: ServiceContext, by: Actor, userId: number, disabled: boolean): Promise<User> {
  return ctx.db.transaction(async (trx) => {
    const { row, otherActiveAdmins } = await targetOf(trx, userId);
    if ((row.disabled_at !== null) === disabled) return toUser(row);
    if (disabled && row.id === by.id) throw new ServiceError('REFUSED', 'You cannot disable your own user; another admin can.');
    if (disabled && row.role === 'admin' && otherActiveAdmins === 0) throw new ServiceError('REFUSED', lastAdminMessage(row, 'disabled'));
    const [updated] = (await trx('users')
      .where({ id: userId })
      .update({ disabled_at: disabled ? stamp(ctx) : null })
      .returning('*')) as UserRow[];
    await recordUserChange(trx, ctx, by, userId, disabled ? 'disabled' : 'enabled');
    return toUser(updated ?? row);
  });
}

/** Changes a user's role; the last active admin cannot be made staff. */
export async function setUserRole(ctx: ServiceContext, by: Actor, userId: number, role: Role): Promise<User> {
  return ctx.db.transaction(async (trx) => {
    const { row, otherActiveAdmins } = await targetOf(trx, userId);
    if (row.role === role) return toUser(row);
    if (row.role === 'admin' && row.disabled_at === null && otherActiveAdmins === 0) throw new ServiceError('REFUSED', lastAdminMessage(row, 'made staff'));
    const [updated] = (await trx('users').where({ id: userId }).update({ role }).returning('*')) as UserRow[];
    await recordUserChange(trx, ctx, by, userId, 'role', row.role, role);
    return toUser(updated ?? row);
  });
}

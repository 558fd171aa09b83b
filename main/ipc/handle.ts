/**
 * The one door into main: every call, from Electron IPC or the browser
 * harness, passes here. Unknown calls, oversized or malformed input and calls
 * the user may not make are refused; every outcome is an envelope.
 */
import type { z } from 'zod';
import { ADMIN_ONLY_MESSAGE, CALLS, isCallName, needsAdmin } from './calls';
import { INPUTS, type CallError, type Envelope } from './contract';
import { inputLimit } from './limits';
import type { HandlerContext, HandlerTable } from './handlers';
import { ServiceError } from '../services/context';
import { failureInWords } from '../db/error-words';
import { currentUser, DISABLED_MESSAGE } from '../services/users';

export { inputLimit, MAX_INPUT_BYTES } from './limits';

const fail = (error: CallError): Envelope<never> => ({ ok: false, error });

/** Strings longer than this (a file's base64) count by their length, without copying them into the JSON text. */
const LONG_STRING = 64 * 1024;

function sizeOf(input: unknown): number | null {
  try {
    // Serializing a 13 MB base64 string costs about 100 ms of the main thread, and scanning it for escapes 20 ms:
    // a long string counts its characters (a file's base64 has nothing to escape).
    let long = 0;
    const json = JSON.stringify(input, (_key, value: unknown) => {
      if (typeof value !== 'string' || value.length <= LONG_STRING) return value;
      long += value.length;
      return '';
    });
    return (json ?? '').length + long;
  } catch {
    return null; // cyclic or too deep to serialize
  }
}

function describeIssue(issue: z.core.$ZodIssue): CallError {
  const field = issue.path.map(String).join('.');
  return { code: 'INVALID', message: field ? `${field}: ${issue.message}` : issue.message, field: field || undefined };
}

export type Logger = (message: string, error?: unknown) => void;

/** What a locked desk still answers besides the public calls: unlocking, and locking again. */
const WHILE_LOCKED = new Set<string>(['auth.unlock', 'auth.lock']);

export const LOCKED_MESSAGE = 'The desk is locked. Enter your password to go on.';

/**
 * The session's user as the database has them now, before any access check: a user an admin
 * disabled is signed out at their next call, and a changed role counts at once.
 */
async function sessionRefusal(ctx: HandlerContext, name: string): Promise<CallError | null> {
  const signedIn = ctx.session.user;
  if (!signedIn) return { code: 'UNAUTHENTICATED', message: 'Sign in first.' };
  // On the read connection: a call must not wait behind a long write just to learn who is signed in.
  const user = await currentUser({ ...ctx.services, db: ctx.reader }, signedIn.id);
  if (!user) {
    ctx.session.user = null;
    ctx.session.locked = false;
    return { code: 'SIGNED_OUT', message: DISABLED_MESSAGE };
  }
  ctx.session.user = user;
  if (ctx.session.locked && !WHILE_LOCKED.has(name)) return { code: 'LOCKED', message: LOCKED_MESSAGE };
  return null;
}

export async function invoke(
  table: HandlerTable,
  ctx: HandlerContext,
  name: unknown,
  input: unknown,
  log: Logger = () => undefined,
): Promise<Envelope<unknown>> {
  if (!isCallName(name)) return fail({ code: 'UNKNOWN_CALL', message: `CertDesk has no call named ${String(name).slice(0, 60)}.` });
  const size = sizeOf(input ?? {});
  const limit = inputLimit(name);
  if (size === null || size > limit) {
    return fail({ code: 'TOO_LARGE', message: `The request is too large or too deeply nested (limit ${Math.round(limit / 1024 / 1024)} MB).` });
  }
  const access = CALLS[name];
  if (access !== 'public') {
    const refusal = await sessionRefusal(ctx, name).catch((err: unknown) => {
      log(`call ${name}: the session could not be checked`, err);
      return { code: 'INTERNAL', message: 'CertDesk could not check who is signed in. Try again.' } satisfies CallError;
    });
    if (refusal) return fail(refusal);
  }
  if (access === 'admin' && ctx.session.user?.role !== 'admin') return fail({ code: 'FORBIDDEN', message: ADMIN_ONLY_MESSAGE });
  const parsed = INPUTS[name].safeParse(input ?? {});
  if (!parsed.success) return fail(describeIssue(parsed.error.issues[0] as z.core.$ZodIssue));
  if (needsAdmin(access, parsed.data) && ctx.session.user?.role !== 'admin') return fail({ code: 'FORBIDDEN', message: ADMIN_ONLY_MESSAGE });
  try {
    const run = table[name] as (ctx: HandlerContext, input: unknown) => Promise<unknown>;
    return { ok: true, value: await run(ctx, parsed.data) };
  } catch (err) {
    if (err instanceof ServiceError) return fail({ code: err.code, message: err.message, field: err.field });
    const words = failureInWords(err, { dataDir: ctx.dataDir });
    if (words) {
      log(`call ${name} refused: ${words.kind}`, err);
      return fail({ code: 'REFUSED', message: words.message });
    }
    log(`call ${name} failed`, err);
    return fail({ code: 'INTERNAL', message: `CertDesk could not finish this: ${err instanceof Error ? err.message : String(err)}` });
  }
}

/**
 * The one door into main: every call, from Electron IPC or the browser
 * harness, passes here. Unknown calls, oversized or malformed input and calls
 * the user may not make are refused; every outcome is an envelope.
 */
import type { z } from 'zod';
import { ADMIN_ONLY_MESSAGE, CALLS, isCallName, needsAdmin } from './calls';
import { INPUTS, MAX_IMPORT_BASE64, type CallError, type Envelope } from './contract';
import type { HandlerContext, HandlerTable } from './handlers';
import { ServiceError } from '../services/context';
import { failureInWords } from '../db/error-words';

/** Largest input accepted, serialized; bigger inputs are refused before parsing. */
export const MAX_INPUT_BYTES = 2 * 1024 * 1024;

/** Calls that carry a whole file, and their own limit. */
const LARGE_INPUTS: Partial<Record<string, number>> = {
  'imports.preview': MAX_IMPORT_BASE64 + 1024 * 1024,
  'imports.apply': MAX_IMPORT_BASE64 + 1024 * 1024,
};

/** The largest input a call takes, serialized: the same for Electron IPC and the browser harness. */
export function inputLimit(name: string): number {
  return LARGE_INPUTS[name] ?? MAX_INPUT_BYTES;
}

const fail = (error: CallError): Envelope<never> => ({ ok: false, error });

function sizeOf(input: unknown): number | null {
  try {
    return (JSON.stringify(input) ?? '').length;
  } catch {
    return null; // cyclic or too deep to serialize
  }
}

function describeIssue(issue: z.core.$ZodIssue): CallError {
  const field = issue.path.map(String).join('.');
  return { code: 'INVALID', message: field ? `${field}: ${issue.message}` : issue.message, field: field || undefined };
}

export type Logger = (message: string, error?: unknown) => void;

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
  if (access !== 'public' && !ctx.session.user) return fail({ code: 'UNAUTHENTICATED', message: 'Sign in first.' });
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

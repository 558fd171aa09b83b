/** The renderer's side of the contract: the API the preload (or the harness) installed, and error handling. */
import type { CertDeskApi } from '../../main/ipc/api';
import type { CallError, Envelope } from '../../main/ipc/contract';

declare global {
  interface Window {
    certdesk: CertDeskApi;
  }
}

export class ApiError extends Error {
  readonly code: CallError['code'];
  readonly field: string | undefined;
  constructor(error: CallError) {
    super(error.message);
    this.code = error.code;
    this.field = error.field;
  }
}

export const api = (): CertDeskApi => window.certdesk;

/** Unwraps an envelope: the value, or an ApiError carrying main's message. */
export async function call<T>(pending: Promise<Envelope<T>>): Promise<T> {
  const result = await pending;
  if (result.ok) return result.value;
  throw new ApiError(result.error);
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The message shown under the field it names: without main's "field: " prefix, which only a banner needs. */
export function fieldMessageOf(err: unknown): string {
  const message = messageOf(err);
  const prefix = err instanceof ApiError && err.field ? `${err.field}: ` : '';
  return prefix && message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** The renderer's side of the contract: the API the preload (or the harness) installed, and error handling. */
import type { CertDeskApi, EarlyStart } from '../../main/ipc/api';
import type { CallError, Envelope, JobStatus } from '../../main/ipc/contract';

declare global {
  interface Window {
    certdesk: CertDeskApi;
    /** The first screen's call, sent by the preload as the page started (absent: the page asks itself). */
    certdeskStart?: EarlyStart;
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

/** Announced on window when main locked the desk or ended the session under the page; the app shows the lock screen or sign-in. */
export const SESSION_EVENT = 'certdesk:session';

/** Unwraps an envelope: the value, or an ApiError carrying main's message. */
export async function call<T>(pending: Promise<Envelope<T>>): Promise<T> {
  const result = await pending;
  if (result.ok) return result.value;
  if (result.error.code === 'LOCKED' || result.error.code === 'SIGNED_OUT')
    window.dispatchEvent(new CustomEvent<CallError>(SESSION_EVENT, { detail: result.error }));
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows a job that a call started until it finishes, reporting each state on the way. The job's
 * result type comes from the call that started it (the contract types each one); `jobs.get` answers
 * any job, so this is the one place its answer is read as that type. A failed job throws its message.
 */
export async function followJob<R>(
  started: Promise<Envelope<JobStatus<R>>>,
  onUpdate: (job: JobStatus<R>) => void = () => {},
  everyMs = 250,
): Promise<JobStatus<R> & { result: R }> {
  let job = await call(started);
  onUpdate(job);
  while (job.state === 'running') {
    await sleep(everyMs);
    job = (await call(api().jobs.get({ id: job.id }))) as JobStatus<R>;
    onUpdate(job);
  }
  const { result } = job;
  if (job.state === 'failed' || result === null) throw new Error(job.message || 'The job stopped without a result.');
  return { ...job, result };
}

/**
 * Long work (exports, imports) runs as a job the renderer can watch: state,
 * progress and outcome, polled by id. Kept in memory while the app runs: every
 * running job, and the last FINISHED_KEPT finished ones (a finished job's result,
 * e.g. an import's rejected lines, is not held for ever).
 */
import { randomUUID } from 'node:crypto';
import type { JobProgress } from './domain/progress';

/** A job's state; `R` is what it answers when done (see each starting call's result in the IPC contract). */
export interface JobStatus<R = unknown> {
  id: string;
  kind: string;
  state: 'running' | 'done' | 'failed';
  done: number;
  total: number | null;
  message: string;
  result: R | null;
  startedAt: string;
  finishedAt: string | null;
}

/** Finished jobs kept for `get` (the renderer reads a job's outcome once it is done). */
export const FINISHED_KEPT = 50;

export class Jobs {
  private readonly jobs = new Map<string, JobStatus<unknown>>();

  /** `settled` runs after each job finishes, done or failed (the backend gives back the job's memory there). */
  constructor(private readonly settled: () => void = () => undefined) {}

  start<T>(kind: string, run: (p: JobProgress) => Promise<T>): JobStatus<T> {
    const job: JobStatus<T> = {
      id: randomUUID(),
      kind,
      state: 'running',
      done: 0,
      total: null,
      message: '',
      result: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.jobs.set(job.id, job);
    const progress: JobProgress = {
      progress(done, total, message) {
        job.done = done;
        if (total !== undefined) job.total = total;
        if (message !== undefined) job.message = message;
      },
    };
    run(progress)
      .then(
        (result) => Object.assign(job, { state: 'done', result, finishedAt: new Date().toISOString() }),
        (err: unknown) =>
          Object.assign(job, { state: 'failed', message: err instanceof Error ? err.message : String(err), finishedAt: new Date().toISOString() }),
      )
      .finally(() => {
        // Set again: the map holds finished jobs in the order they finished.
        this.jobs.delete(job.id);
        this.jobs.set(job.id, job);
        this.forgetOldFinished();
        this.settled();
      });
    return { ...job };
  }

  /** Drops the jobs that finished longest ago beyond FINISHED_KEPT. */
  private forgetOldFinished(): void {
    const finished = [...this.jobs.values()].filter((j) => j.state !== 'running');
    for (const old of finished.slice(0, Math.max(0, finished.length - FINISHED_KEPT))) this.jobs.delete(old.id);
  }

  get(id: string): JobStatus | null {
    const job = this.jobs.get(id);
    return job ? { ...job } : null;
  }

  /** Resolves when every running job has finished (used on quit). */
  async idle(): Promise<void> {
    while ([...this.jobs.values()].some((j) => j.state === 'running')) await new Promise((r) => setTimeout(r, 50));
  }
}

/** How long work reports how far it has got; the job runner (main/jobs.ts) keeps what it reports. */
export interface JobProgress {
  progress(done: number, total?: number | null, message?: string): void;
}

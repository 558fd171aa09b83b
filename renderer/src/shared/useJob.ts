import { useState } from 'react';
import type { Envelope, JobStatus } from '../../../main/ipc/contract';
import { followJob } from '../api';

/**
 * Long work in main (an export, an import, a sync) that reports progress: follows it
 * (followJob) and keeps its latest state for a progress bar, and whether it runs.
 * `run` resolves with the finished job (typed by the call that started it), or throws its failure.
 */
export function useJob() {
  const [job, setJob] = useState<JobStatus<unknown> | null>(null);
  const [running, setRunning] = useState(false);
  const run = async <R>(started: Promise<Envelope<JobStatus<R>>>, onProgress?: (job: JobStatus<R>) => void) => {
    setRunning(true);
    try {
      return await followJob(started, (j) => {
        setJob(j);
        onProgress?.(j);
      });
    } finally {
      setRunning(false);
    }
  };
  return { job, running, run, reset: () => setJob(null) };
}

/** How far a job has come, 0–100 (100 while the total is not known yet, shown as an animated bar). */
export function jobPercent(job: JobStatus<unknown>): number {
  return job.total ? (100 * job.done) / job.total : 100;
}

import { useState } from 'react';
import type { Result } from '../../../main/ipc/contract';
import { api, call } from '../api';

export type Job = Result<'jobs.get'>;

const POLL_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Long work in main (an export, an import) that reports progress: starts it,
 * polls it until it ends, and keeps its latest state for a progress bar.
 * `run` resolves with the job's result, or throws its failure message.
 */
export function useJob<R>() {
  const [job, setJob] = useState<Job | null>(null);
  const [running, setRunning] = useState(false);
  const run = async (start: () => Promise<Job>, onProgress?: (job: Job) => void): Promise<R> => {
    setRunning(true);
    try {
      let j = await start();
      setJob(j);
      while (j.state === 'running') {
        await sleep(POLL_MS);
        j = await call(api().jobs.get({ id: j.id }));
        setJob(j);
        onProgress?.(j);
      }
      if (j.state === 'failed') throw new Error(j.message);
      return j.result as R;
    } finally {
      setRunning(false);
    }
  };
  return { job, running, run, reset: () => setJob(null) };
}

/** How far a job has come, 0–100 (100 while the total is not known yet, shown as an animated bar). */
export function jobPercent(job: Job): number {
  return job.total ? (100 * job.done) / job.total : 100;
}

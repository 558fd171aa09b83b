/**
 * Jobs (main/jobs.ts): a finished job's outcome stays readable, but the app does not hold every
 * finished job's result for as long as it runs (issue 17: memory after jobs), and each finished
 * job hands over to the backend, which gives back the memory the job read into SQLite's caches.
 */
import { describe, expect, it } from 'vitest';
import { FINISHED_KEPT, Jobs } from '../../main/jobs';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('jobs', () => {
  it(`keeps every running job and the last ${FINISHED_KEPT} finished ones, and reports each job's end`, async () => {
    let settled = 0;
    const jobs = new Jobs(() => void settled++);
    let finishLong: (v: string) => void = () => undefined;
    const long = jobs.start('long', () => new Promise<string>((r) => (finishLong = r)));
    const ids: string[] = [];
    for (let i = 0; i < FINISHED_KEPT + 5; i++) ids.push(jobs.start('quick', () => Promise.resolve({ rows: i })).id);
    const failed = jobs.start('broken', () => Promise.reject(new Error('The folder is gone.')));
    await settle();

    expect(settled).toBe(FINISHED_KEPT + 6);
    // The oldest finished ones are forgotten; the newest finished and the running one are kept.
    expect(jobs.get(ids[0] as string)).toBeNull();
    expect(jobs.get(ids[5] as string)).toBeNull();
    expect(jobs.get(ids[6] as string)?.result).toEqual({ rows: 6 });
    expect(jobs.get(ids[ids.length - 1] as string)?.state).toBe('done');
    expect(jobs.get(failed.id)).toMatchObject({ state: 'failed', message: 'The folder is gone.' });
    expect(jobs.get(long.id)?.state).toBe('running');

    finishLong('done at last');
    await settle();
    expect(jobs.get(long.id)).toMatchObject({ state: 'done', result: 'done at last' });
    expect(settled).toBe(FINISHED_KEPT + 7);
  });
});

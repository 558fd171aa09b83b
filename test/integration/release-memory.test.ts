/**
 * Issue #17: the main process at most 400 MB after any job. What a finished job leaves behind is given back:
 * SQLite's caches (shrink_memory) and V8's garbage, which an idle process never collects by itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { releaseMemory } from '../../main/db/release-memory';
import { freshDb, type TestDb } from './support';

let t: TestDb | undefined;
afterEach(async () => t?.dispose());

/** A job's working set, let go when it returns: ~100 MB of small objects in V8's old generation. */
function jobGarbage(): number {
  let rows: Array<{ id: number; name: string; values: number[] }> = [];
  for (let i = 0; i < 800_000; i++) rows.push({ id: i, name: `row ${i}`, values: [i, i + 1] });
  const n = rows.length;
  rows = [];
  return n;
}

describe('releaseMemory after a job', () => {
  it('collects the garbage the job left in the JS heap', async () => {
    t = await freshDb();
    expect(jobGarbage()).toBe(800_000);
    const before = process.memoryUsage().heapUsed;
    await releaseMemory(t.db);
    const after = process.memoryUsage().heapUsed;
    expect(before - after).toBeGreaterThan(30 * 2 ** 20);
  });

  it('still answers when a connection is closed (memory is a nicety, the job is done)', async () => {
    t = await freshDb();
    await t.close();
    await expect(releaseMemory(t.db)).resolves.toBeUndefined();
  });
});

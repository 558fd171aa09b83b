/**
 * Long import work (parsing, planning 100,000 rows) runs in slices on the main
 * thread: after about SLICE_MS of work it gives the event loop one turn, so a
 * list call or a progress poll answers meanwhile (issue #17: the main thread
 * is never blocked for more than 100 ms). Checking the clock costs nanoseconds,
 * so loops ask `due()` on every row and only await when a pause is due.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Work between two turns of the event loop. A list call needs a few turns, and on a
 * busy machine a slice takes two or three times as long in wall time: 15 ms, not 30.
 */
export const SLICE_MS = 15;

export class Slices {
  private since = performance.now();

  /** True when this slice has run for SLICE_MS: `await pause()` then. */
  due(): boolean {
    return performance.now() - this.since >= SLICE_MS;
  }

  /** Gives the event loop one turn (pending I/O and calls run), then starts a new slice. */
  async pause(): Promise<void> {
    await nextTurn();
    this.since = performance.now();
  }

  /** Pauses only when one is due. */
  async maybePause(): Promise<void> {
    if (this.due()) await this.pause();
  }
}

/** `items.map(fn)` in slices. */
export async function mapInSlices<T, R>(items: readonly T[], fn: (item: T, index: number) => R): Promise<R[]> {
  const slices = new Slices();
  const out = new Array<R>(items.length);
  for (let i = 0; i < items.length; i++) {
    if (slices.due()) await slices.pause();
    out[i] = fn(items[i] as T, i);
  }
  return out;
}

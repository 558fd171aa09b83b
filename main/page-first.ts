/**
 * Launch order (issue 17): main serves the window's page and its scripts first, and only then loads the
 * backend. Loading it (knex, the services: 0.3–0.5 s of main's thread on two cores) blocks main's event
 * loop, and with it the page's own requests; begun once the scripts are out, it overlaps the page
 * compiling them in its own process. Both shells use it: the harness's server and Electron's app://.
 */
export interface PageServed {
  /** The shell began answering one of the page's requests (Electron answers them asynchronously). */
  requested(): void;
  /**
   * The shell answered one (its path): once a script has gone and none is in flight, the page has what it
   * needs. A shell that answers within the same turn (the harness reads its files synchronously) calls only this.
   */
  served(file: string): void;
  /** Resolves then, or `fallbackMs` after creation (no window asked: a script, a test, the dev server). */
  readonly done: Promise<void>;
}

export const PAGE_SERVED_FALLBACK_MS = 500;

export function whenPageServed(fallbackMs = PAGE_SERVED_FALLBACK_MS): PageServed {
  let resolve: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolve = r));
  const timer = setTimeout(resolve, fallbackMs);
  let inFlight = 0;
  let scriptServed = false;
  return {
    requested() {
      inFlight++;
    },
    served(file) {
      inFlight = Math.max(0, inFlight - 1);
      if (file.endsWith('.js')) scriptServed = true;
      if (!scriptServed || inFlight > 0) return;
      clearTimeout(timer);
      // After this turn: requests the page sent together with it are answered first.
      setImmediate(resolve);
    },
    done,
  };
}

/**
 * Launch order (issue 17): main serves the window's page and its scripts first, and only then loads the
 * backend. Loading it (knex, zod, the services: 0.3–0.5 s of main's thread on two cores) blocks main's
 * event loop, and with it the page's own requests; begun once the scripts are out, it overlaps the page
 * compiling them in its own process. Both shells use it: the harness's server and Electron's app://.
 */
export interface PageServed {
  /** The shell served one of the page's files; a script means the page has what it needs to start. */
  served(file: string): void;
  /** Resolves once a script has been served, or `fallbackMs` after creation (no window asked: a script, a test). */
  readonly done: Promise<void>;
}

export const PAGE_SERVED_FALLBACK_MS = 500;

export function whenPageServed(fallbackMs = PAGE_SERVED_FALLBACK_MS): PageServed {
  let resolve: () => void = () => undefined;
  const done = new Promise<void>((r) => (resolve = r));
  const timer = setTimeout(resolve, fallbackMs);
  return {
    served(file) {
      if (!file.endsWith('.js')) return;
      clearTimeout(timer);
      // After this turn: the page's other first requests (its stylesheet, the preloaded chunks) are answered first.
      setImmediate(resolve);
    },
    done,
  };
}

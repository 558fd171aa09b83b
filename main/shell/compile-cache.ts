/**
 * Node's on-disk compile cache for what main loads after the window opens (the backend chunk, knex, the
 * services): from the second launch on, V8 reads their bytecode instead of compiling the source again
 * (issue 17, launch). `module.enableCompileCache` exists from Node 22.8 (Electron 45 ships Node 24); where it
 * is missing, or the folder cannot be written, the app simply compiles as before. Not inside an AppImage:
 * its files are mounted at a new path each launch, and the cache is keyed by path, so it would only grow.
 */
import module from 'node:module';
import path from 'node:path';

interface CompileCacheApi {
  enableCompileCache?: (directory?: string) => { status: number };
  flushCompileCache?: () => void;
  constants?: { compileCacheStatus?: { ENABLED: number; ALREADY_ENABLED: number } };
}

const api = module as unknown as CompileCacheApi;

/** True when the cache is on (Node reports it; it does not throw when it cannot). */
export function enableCompileCache(userData: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (typeof api.enableCompileCache !== 'function' || env['APPIMAGE']) return false;
  try {
    const { status } = api.enableCompileCache(path.join(userData, 'compile-cache'));
    const known = api.constants?.compileCacheStatus;
    return known !== undefined && (status === known.ENABLED || status === known.ALREADY_ENABLED);
  } catch {
    return false; // compiling from source is only slower
  }
}

/**
 * Node writes the cache when it exits normally; Electron's shutdown may not take that path, so what the
 * launch compiled is written a few seconds after the backend has started.
 */
export function flushCompileCacheSoon(ms = 5000): void {
  setTimeout(() => {
    try {
      api.flushCompileCache?.();
    } catch {
      // the next launch compiles again
    }
  }, ms).unref();
}

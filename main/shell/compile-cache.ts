/**
 * Node's on-disk compile cache for what main loads after the window opens (the backend chunk, knex, the
 * services): from the second launch on, V8 reads their bytecode instead of compiling the source again
 * (issue 17, launch). `module.enableCompileCache` exists from Node 22.1 (Electron 45 ships Node 22); where it
 * is missing, or the folder cannot be written, the app simply compiles as before. Not inside an AppImage:
 * its files are mounted at a new path each launch, and the cache is keyed by path, so it would only grow.
 */
import module from 'node:module';
import path from 'node:path';

type WithCompileCache = typeof module & { enableCompileCache?: (directory?: string) => unknown };

export function enableCompileCache(userData: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const enable = (module as WithCompileCache).enableCompileCache;
  if (typeof enable !== 'function' || env['APPIMAGE']) return false;
  try {
    enable(path.join(userData, 'compile-cache'));
    return true;
  } catch {
    return false; // a read-only profile: compiling from source is only slower
  }
}

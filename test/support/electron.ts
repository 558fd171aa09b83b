/** Finds a runnable Electron binary, or says why there is none (so tests can skip honestly). */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function electronBinary(): { path: string } | { missing: string } {
  let binary: string;
  try {
    binary = require('electron') as string;
  } catch (err) {
    return { missing: `the Electron binary is not installed (${err instanceof Error ? err.message.split('\n')[0] : String(err)})` };
  }
  try {
    execFileSync(binary, ['--version'], { stdio: 'pipe', timeout: 20_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    return { path: binary };
  } catch (err) {
    return { missing: `the Electron binary at ${binary} does not run (${err instanceof Error ? err.message.split('\n')[0] : String(err)})` };
  }
}

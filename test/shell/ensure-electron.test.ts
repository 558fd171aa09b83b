/**
 * The install step that fetches Electron's binary never fails an install: where it
 * cannot download (CI sets ELECTRON_SKIP_BINARY_DOWNLOAD), it says so in one line and exits 0.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronBinary } from '../support/electron';
import { PROJECT_ROOT } from '../support/harness';

const script = path.join(PROJECT_ROOT, 'scripts/ensure-electron.mjs');

describe('scripts/ensure-electron.mjs (postinstall)', () => {
  it('with ELECTRON_SKIP_BINARY_DOWNLOAD set, succeeds and says in one line why there is no binary', () => {
    const run = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    });
    expect(run.status).toBe(0);
    const lines = `${run.stdout}${run.stderr}`.trim().split('\n').filter(Boolean);
    if ('path' in electronBinary()) expect(lines).toEqual([]);
    else expect(lines).toEqual([expect.stringMatching(/^Electron binary: not downloaded \(ELECTRON_SKIP_BINARY_DOWNLOAD is set\)/)]);
  });
});

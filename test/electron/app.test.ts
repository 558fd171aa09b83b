/**
 * The real desktop app through Playwright's `_electron`: runs wherever an
 * Electron binary exists, and says plainly that it was skipped where not.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronBinary } from '../support/electron';
import { PROJECT_ROOT } from '../support/harness';

const binary = electronBinary();
const available = 'path' in binary;
if (!available) {
  console.log(`SKIPPED Electron end-to-end tests: ${binary.missing}. They run wherever Electron can be downloaded (npm install on a machine with internet).`);
}

describe.skipIf(!available)('CertDesk desktop app (Electron)', () => {
  let app: ElectronApplication;
  let win: Page;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-electron-'));

  beforeAll(async () => {
    app = await electron.launch({
      executablePath: (binary as { path: string }).path,
      args: [path.join(PROJECT_ROOT, 'out/main/index.js')],
      env: { ...process.env, CERTDESK_DATA_DIR: dataDir },
    });
    win = await app.firstWindow();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('opens on the first-run screen with no default password', async () => {
    await win.getByText('Create the first administrator').waitFor();
  });

  it('gives the renderer named functions only, no Node and no ipcRenderer', async () => {
    const seen = await win.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      api: Object.keys((window as unknown as { certdesk: object }).certdesk).sort(),
    }));
    expect(seen.require).toBe('undefined');
    expect(seen.process).toBe('undefined');
    expect(seen.api).toContain('tracking');
    expect(seen.api).not.toContain('ipcRenderer');
  });

  it('blocks window.open and navigation away from the app', async () => {
    const before = app.windows().length;
    // The refusal of window.open is synchronous: the page gets no window back.
    expect(await win.evaluate(() => window.open('https://example.org/') === null)).toBe(true);
    // Wait until main has seen (and refused) the navigation, instead of sleeping: the listener is in place first.
    type Seen = { navigationSeen?: Promise<string> };
    await app.evaluate(({ BrowserWindow }) => {
      (globalThis as Seen).navigationSeen = new Promise<string>((resolve) =>
        BrowserWindow.getAllWindows()[0]?.webContents.once('will-navigate', (_event, url) => resolve(url)),
      );
    });
    await win.evaluate(() => {
      window.location.href = 'https://example.org/';
    });
    const seen = app.evaluate(() => (globalThis as Seen).navigationSeen);
    expect(await seen).toBe('https://example.org/');
    expect(app.windows().length).toBe(before);
    expect(win.url()).toMatch(/^file:/);
  });
});

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
import { PROJECT_ROOT, SCREENSHOT_DIR } from '../support/harness';

const binary = electronBinary();
const available = 'path' in binary;
if (!available) {
  console.log(`SKIPPED Electron end-to-end tests: ${binary.missing}. They run wherever Electron can be downloaded (npm install on a machine with internet).`);
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-electron-'));
const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'certdesk-electron-profile-'));

function launch(): Promise<ElectronApplication> {
  return electron.launch({
    executablePath: (binary as { path: string }).path,
    args: [path.join(PROJECT_ROOT, 'out/main/index.js')],
    env: { ...process.env, CERTDESK_DATA_DIR: dataDir, CERTDESK_USER_DATA_DIR: userData },
  });
}

describe.skipIf(!available)('CertDesk desktop app (Electron)', () => {
  let app: ElectronApplication;
  let win: Page;

  beforeAll(async () => {
    app = await launch();
    win = await app.firstWindow();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('opens its window at once on the start-up screen, served from app://certdesk, then the first-run screen', async () => {
    expect(win.url()).toMatch(/^app:\/\/certdesk\/index\.html/);
    const status = await win.evaluate(() =>
      (window as unknown as { certdesk: { startup: { status(i: object): Promise<{ ok: boolean; value: { plan: string[] } }> } } }).certdesk.startup.status({}),
    );
    expect(status).toMatchObject({ ok: true, value: { plan: ['Opening the database'] } });
    await win.getByText('Create the first administrator').waitFor();
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await win.screenshot({ path: path.join(SCREENSHOT_DIR, 'electron-first-run.png') });
  });

  it('gives the renderer named functions only, no Node, no ipcRenderer and no logging door', async () => {
    const seen = await win.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      api: Object.keys((window as unknown as { certdesk: object }).certdesk).sort(),
      events: Object.keys((window as unknown as { certdeskEvents: object }).certdeskEvents),
      electronLog: typeof (window as unknown as { __electronLog?: unknown }).__electronLog,
    }));
    expect(seen.require).toBe('undefined');
    expect(seen.process).toBe('undefined');
    expect(seen.api).toContain('tracking');
    expect(seen.api).not.toContain('ipcRenderer');
    expect(seen.events).toEqual(['on']);
    expect(seen.electronLog).toBe('undefined');
  });

  it('refuses paths outside the renderer folder on app://, and file:// navigation', async () => {
    const statuses = await win.evaluate(async () =>
      Promise.all(
        ['app://certdesk/../../package.json', 'app://certdesk/%2e%2e/main/index.js', 'app://certdesk/missing.js'].map(async (u) => (await fetch(u)).status),
      ),
    );
    expect(statuses).toEqual([404, 404, 404]);
    await win.evaluate(() => {
      window.location.href = 'file:///etc/hostname';
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(win.url()).toMatch(/^app:\/\/certdesk\//);
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
    expect(win.url()).toMatch(/^app:\/\/certdesk\//);
  });

  it('has the application menu: File with Import…/Export…/Settings…, Help with statuses, shortcuts, logs and About', async () => {
    const menu = await app.evaluate(({ Menu }) =>
      (Menu.getApplicationMenu()?.items ?? []).map((m) => ({ label: m.label.replace('&', ''), items: (m.submenu?.items ?? []).map((i) => i.label) })),
    );
    const help = menu.find((m) => m.label === 'Help');
    expect(help?.items).toEqual(expect.arrayContaining(['The ten statuses', 'Keyboard shortcuts', 'Open logs folder']));
    const settingsHome = menu.find((m) => m.items.includes('Settings…'));
    expect(settingsHome?.label).toBe(process.platform === 'darwin' ? 'CertDesk' : 'File');
    expect(menu.find((m) => m.label === 'File')?.items).toEqual(expect.arrayContaining(['Import…', 'Export…']));
  });

  it('remembers the window size and position for the next start', async () => {
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.setBounds({ x: 60, y: 50, width: 1111, height: 777 }));
    await app.close();
    const stored = JSON.parse(fs.readFileSync(path.join(userData, 'window-state.json'), 'utf8')) as { width: number; height: number };
    expect(stored).toMatchObject({ width: 1111, height: 777 });
    app = await launch();
    win = await app.firstWindow();
    const bounds = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getBounds());
    expect(bounds).toMatchObject({ width: 1111, height: 777 });
  });
});

/**
 * Electron main: a thin shell around the backend. It opens the database in the
 * user's data folder, registers IPC and makes the windows; all logic lives in
 * backend.ts and below, which run and are tested without Electron.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, session } from 'electron';
import log from 'electron-log/main';
import { startBackend } from './backend';
import { startGated, type StartupGate } from './startup';
import { registerIpc } from './shell/ipc';
import { denyAllPermissions, enforceCsp } from './shell/security';
import { createWindow, mainWindowOptions, settingsWindowOptions } from './shell/windows';

const here = path.dirname(fileURLToPath(import.meta.url));
const devServer = !app.isPackaged ? (process.env['ELECTRON_RENDERER_URL'] ?? null) : null;
const appOrigin = devServer ? new URL(devServer).origin : null;
const windows = new Set<BrowserWindow>();
let gate: StartupGate | null = null;

const plan = () => ({ preload: path.join(here, '../preload/index.cjs'), appOrigin });
let settingsWindow: BrowserWindow | null = null;

function track(win: BrowserWindow, hash: string): BrowserWindow {
  windows.add(win);
  win.on('closed', () => windows.delete(win));
  const url = devServer ? new URL(devServer) : pathToFileURL(path.join(here, '../renderer/index.html'));
  url.hash = hash;
  void win.loadURL(url.toString());
  return win;
}

function openMainWindow(): void {
  track(createWindow(BrowserWindow, mainWindowOptions(plan()), appOrigin), '');
}

/** The admin settings window: one at a time, in front of the main window. */
function openSettingsWindow(): void {
  if (settingsWindow && !settingsWindow.isDestroyed()) return settingsWindow.focus();
  const parent = [...windows][0];
  settingsWindow = track(createWindow(BrowserWindow, settingsWindowOptions(plan(), parent), appOrigin), 'settings');
  settingsWindow.on('closed', () => (settingsWindow = null));
}

async function main(): Promise<void> {
  log.initialize();
  if (!app.requestSingleInstanceLock()) return app.quit();
  await app.whenReady();
  denyAllPermissions(session.defaultSession);
  enforceCsp(session.defaultSession);
  const dataDir = process.env['CERTDESK_DATA_DIR'] ?? path.join(app.getPath('userData'), 'data');
  // IPC and the window come first: the window shows the start-up screen (startup.status) while the
  // backend checks the database, takes the daily backup and sweeps; other calls wait for it.
  // A refused database is shown there too, with the newest backup to restore.
  const logError = (m: string, e?: unknown) => log.error(m, e);
  const started = startGated({
    dataDir,
    log: logError,
    start: (startup) => startBackend({ dataDir, version: app.getVersion(), log: logError, openSettingsWindow, startup }),
  });
  gate = started;
  registerIpc(ipcMain, (name, input) => started.invoke(name, input), {
    appOrigin,
    windowIds: () => new Set([...windows].map((w) => w.webContents.id)),
  });
  openMainWindow();
  app.on('second-instance', () => [...windows][0]?.focus());
  app.on('activate', () => windows.size === 0 && openMainWindow());
}

app.on('window-all-closed', () => app.quit());
app.on('before-quit', (event) => {
  if (!gate) return;
  const closing = gate;
  gate = null;
  event.preventDefault();
  void closing.close().finally(() => app.quit());
});

main().catch((err: unknown) => {
  log.error('start-up failed', err);
  app.quit();
});

/**
 * Electron main: a thin shell around the backend. It opens the database in the
 * user's data folder, registers IPC and makes the windows; all logic lives in
 * backend.ts and below, which run and are tested without Electron.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import log from 'electron-log/main';
import { startBackend, type Backend } from './backend';
import { backupToOffer, restoreBackup } from './db/backup';
import { DatabaseRefusedError } from './db/errors';
import { registerIpc } from './shell/ipc';
import { denyAllPermissions, enforceCsp } from './shell/security';
import { createWindow, mainWindowOptions, settingsWindowOptions } from './shell/windows';

const here = path.dirname(fileURLToPath(import.meta.url));
const devServer = !app.isPackaged ? (process.env['ELECTRON_RENDERER_URL'] ?? null) : null;
const appOrigin = devServer ? new URL(devServer).origin : null;
const windows = new Set<BrowserWindow>();
let backend: Backend | null = null;

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
  try {
    backend = await startBackend({ dataDir, version: app.getVersion(), log: (m, e) => log.error(m, e), openSettingsWindow });
  } catch (err) {
    return refuseDatabase(dataDir, err);
  }
  const opened = backend;
  registerIpc(ipcMain, (name, input) => opened.invoke(name, input), {
    appOrigin,
    windowIds: () => new Set([...windows].map((w) => w.webContents.id)),
  });
  openMainWindow();
  app.on('second-instance', () => [...windows][0]?.focus());
  app.on('activate', () => windows.size === 0 && openMainWindow());
}

/**
 * A damaged or newer database is never replaced by an empty one: say why, keep
 * the file, and offer the newest good backup (the refused file is moved aside, not deleted).
 */
async function refuseDatabase(dataDir: string, err: unknown): Promise<void> {
  log.error('database refused', err);
  const message = err instanceof DatabaseRefusedError ? err.message : `CertDesk could not open its database: ${String(err)}`;
  const newest = backupToOffer(dataDir);
  const choice = dialog.showMessageBoxSync({
    type: 'error',
    title: 'CertDesk cannot open its database',
    message: 'CertDesk cannot open its database',
    detail: `${message}\n\nThe file was left untouched in ${dataDir}.${newest ? `\n\nNewest backup: ${path.basename(newest)}` : '\n\nThere is no backup to restore.'}`,
    buttons: newest ? ['Quit', 'Restore the newest backup'] : ['Quit'],
    defaultId: 0,
    cancelId: 0,
  });
  if (choice === 1 && newest) {
    await restoreBackup(dataDir, newest, new Date());
    app.relaunch();
  }
  app.exit(0);
}

app.on('window-all-closed', () => app.quit());
app.on('before-quit', (event) => {
  if (!backend) return;
  const closing = backend;
  backend = null;
  event.preventDefault();
  void closing.close().finally(() => app.quit());
});

main().catch((err: unknown) => {
  log.error('start-up failed', err);
  app.quit();
});

/**
 * Electron main: a thin shell around the backend. It serves the renderer from
 * app://, registers IPC, opens the window at once (the page shows the start-up
 * screen while the backend opens the database) and sets the menu. All logic lives
 * in backend.ts, startup.ts and shell/, which run and are tested without Electron.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, ipcMain, protocol, session } from 'electron';
// Logging from main only: no log.initialize(), which would add a preload and an IPC channel to every page.
import log from 'electron-log/main';
import { announcing } from './ipc/events';
import { whenPageServed } from './page-first';
import { loadProgram, startGated, type StartupGate } from './startup';
import { enableCompileCache, flushCompileCacheSoon } from './shell/compile-cache';
import { Desktop } from './shell/desktop';
import { registerIpc } from './shell/ipc';
import { APP_ORIGIN, APP_SCHEME, APP_SCHEME_PRIVILEGES, serveAppRequest } from './shell/protocol';
import { denyAllPermissions, enforceCsp } from './shell/security';

const here = path.dirname(fileURLToPath(import.meta.url));
const devServer = !app.isPackaged ? (process.env['ELECTRON_RENDERER_URL'] ?? null) : null;
const appOrigin = devServer ? new URL(devServer).origin : APP_ORIGIN;
let gate: StartupGate | null = null;

// Must happen before the app is ready.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
// A profile folder of its own (window state, logs): tests, or a second desk on one machine.
if (process.env['CERTDESK_USER_DATA_DIR']) app.setPath('userData', process.env['CERTDESK_USER_DATA_DIR']);

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) return app.quit();
  await app.whenReady();
  enableCompileCache(app.getPath('userData')); // before the backend is imported below
  denyAllPermissions(session.defaultSession);
  enforceCsp(session.defaultSession);
  const rendererRoot = path.join(here, '../renderer');
  const page = whenPageServed();
  protocol.handle(APP_SCHEME, async (request) => {
    page.requested();
    try {
      return await serveAppRequest(rendererRoot, request.url);
    } finally {
      page.served(new URL(request.url).pathname);
    }
  });

  const dataDir = process.env['CERTDESK_DATA_DIR'] ?? path.join(app.getPath('userData'), 'data');
  const desktop: Desktop = new Desktop({
    plan: { preload: path.join(here, '../preload/index.cjs'), appOrigin },
    pageUrl: devServer ?? `${APP_ORIGIN}/index.html`,
    dataDir,
    logsFolder: path.dirname(log.transports.file.getFile().path),
    isDev: !app.isPackaged,
    signedIn: () => {
      const user = gate?.backend()?.context.session.user;
      return user ? { admin: user.role === 'admin' } : null;
    },
  });

  // IPC and the window come first: the window shows the start-up screen (startup.status) while the
  // backend checks the database, takes the daily backup and sweeps; other calls wait for it.
  // A refused database is shown there too, with the newest backup to restore.
  const logError = (m: string, e?: unknown) => log.error(m, e);
  const started = startGated({
    dataDir,
    log: logError,
    // The backend (knex, the contract's schemas, the services) is loaded once the window has its scripts
    // (main/page-first.ts): the window opens and compiles its page while main loads it, instead of after.
    start: async (startup) => {
      await page.done;
      const { startBackend } = await loadProgram(() => import('./backend'));
      const backend = await startBackend({
        dataDir,
        version: app.getVersion(),
        log: logError,
        openSettingsWindow: () => desktop.openSettingsWindow(),
        desktop: desktop.actions(),
        startup,
      });
      flushCompileCacheSoon();
      return backend;
    },
  });
  gate = started;
  const invoke = announcing(
    (name, input) => started.invoke(name, input),
    (event) => desktop.emit(event),
  );
  registerIpc(
    ipcMain,
    async (name, input) => {
      const result = await invoke(name, input);
      if (name.startsWith('auth.')) desktop.refreshMenu(); // Settings…, Import… and Export… follow who is signed in
      return result;
    },
    { appOrigin, windowIds: () => desktop.windowIds() },
  );
  desktop.refreshMenu();
  desktop.openMainWindow();
  app.on('second-instance', () => desktop.focus());
  app.on('activate', () => desktop.count === 0 && desktop.openMainWindow());
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

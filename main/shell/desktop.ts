/**
 * The desktop app's windows and the things only a desktop can do (dialogs, the
 * file manager, the menu). Thin Electron glue: the decisions live in windows.ts,
 * window-state.ts, menu.ts, help.ts and protocol.ts, which are tested without Electron.
 */
import fs from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, Menu, screen, shell } from 'electron';
import type { DesktopActions } from '../ipc/handlers';
import { EVENT_CHANNEL, type AppEvent } from '../ipc/events';
import { databaseFile } from '../db/files';
import { aboutText, folderSize, shortcutsHelp, statusesHelp } from './help';
import { menuTemplate } from './menu';
import { fitToDisplays, readWindowState, writeWindowState } from './window-state';
import { createWindow, mainWindowOptions, MINIMUM_SIZE, settingsWindowOptions, type WindowPlan } from './windows';

export interface DesktopOptions {
  plan: WindowPlan;
  /** The page to load: app://certdesk/index.html, or the dev server. */
  pageUrl: string;
  dataDir: string;
  logsFolder: string;
  isDev: boolean;
  /** Who is signed in (for the menu), once the backend is up. */
  signedIn: () => { admin: boolean } | null;
}

export class Desktop {
  private readonly windows = new Set<BrowserWindow>();
  private main: BrowserWindow | null = null;
  private settings: BrowserWindow | null = null;

  constructor(private readonly options: DesktopOptions) {}

  windowIds(): ReadonlySet<number> {
    return new Set([...this.windows].map((w) => w.webContents.id));
  }

  private load(win: BrowserWindow, hash: string): BrowserWindow {
    this.windows.add(win);
    win.on('closed', () => this.windows.delete(win));
    const url = new URL(this.options.pageUrl);
    url.hash = hash;
    void win.loadURL(url.toString());
    return win;
  }

  openMainWindow(): void {
    if (this.main && !this.main.isDestroyed()) return this.main.focus();
    const userData = app.getPath('userData');
    const defaults = mainWindowOptions(this.options.plan);
    const stored = readWindowState(userData, { width: defaults.width ?? 1400, height: defaults.height ?? 900, maximized: false });
    const state = fitToDisplays(
      stored,
      screen.getAllDisplays().map((d) => d.workArea),
      MINIMUM_SIZE,
    );
    const win = createWindow(BrowserWindow, { ...defaults, ...state }, this.options.plan.appOrigin);
    if (state.maximized) win.once('ready-to-show', () => win.maximize());
    // Remembered when the window closes (normal bounds, so un-maximizing later restores them).
    win.on('close', () => {
      const { x, y, width, height } = win.getNormalBounds();
      try {
        writeWindowState(userData, { x, y, width, height, maximized: win.isMaximized() });
      } catch {
        // A read-only profile folder: the next start uses the defaults.
      }
    });
    win.on('closed', () => (this.main = null));
    this.main = this.load(win, '');
  }

  /** The admin settings window: one at a time, in front of the main window. */
  openSettingsWindow(): void {
    if (this.settings && !this.settings.isDestroyed()) return this.settings.focus();
    const win = createWindow(BrowserWindow, settingsWindowOptions(this.options.plan, this.main ?? undefined), this.options.plan.appOrigin);
    win.on('closed', () => (this.settings = null));
    this.settings = this.load(win, 'settings');
  }

  /** "Back to Tracking" in the settings window: close it and bring the main window forward. */
  closeSettingsWindow(): void {
    this.settings?.close();
    if (this.main && !this.main.isDestroyed()) this.main.focus();
    else this.openMainWindow();
  }

  focus(): void {
    (this.main ?? [...this.windows][0])?.focus();
  }

  get count(): number {
    return this.windows.size;
  }

  /** Sends an event to every window's page (settings changed) or to the main window (menu actions). */
  emit(event: AppEvent, only?: BrowserWindow | null): void {
    for (const win of only ? [only] : this.windows) if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, event);
  }

  refreshMenu(): void {
    const user = this.options.signedIn();
    const message = (title: string, detail: string) => {
      const parent = BrowserWindow.getFocusedWindow() ?? this.main;
      const box = { type: 'info' as const, title, message: title, detail, buttons: ['OK'] };
      void (parent ? dialog.showMessageBox(parent, box) : dialog.showMessageBox(box));
    };
    const template = menuTemplate(
      { platform: process.platform, isDev: this.options.isDev, signedIn: user !== null, isAdmin: user?.admin ?? false },
      {
        openSettings: () => this.openSettingsWindow(),
        importCsv: () => this.emit('menu:import', this.main),
        exportCsv: () => this.emit('menu:export', this.main),
        showStatuses: () => message('The ten statuses', statusesHelp()),
        showShortcuts: () => message('Keyboard shortcuts', shortcutsHelp(process.platform)),
        openLogsFolder: () => void shell.openPath(this.options.logsFolder),
        showAbout: () =>
          message(
            'About CertDesk',
            aboutText({ version: app.getVersion(), databaseFile: databaseFile(this.options.dataDir), dataBytes: safeSize(this.options.dataDir) }),
          ),
      },
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }

  /** The desktop half of the handler table. */
  actions(): DesktopActions {
    return {
      closeSettingsWindow: () => this.closeSettingsWindow(),
      saveFileAs: async (file, suggestedName) => {
        const parent = BrowserWindow.getFocusedWindow() ?? this.main;
        const options = {
          title: 'Save the CSV export',
          defaultPath: path.join(app.getPath('documents'), suggestedName),
          filters: [{ name: 'CSV', extensions: ['csv'] }],
        };
        const chosen = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
        if (chosen.canceled || !chosen.filePath) return null;
        // Copied under a temporary name and renamed: never half a file at the chosen path.
        const temp = `${chosen.filePath}.partial`;
        await fs.promises.copyFile(file, temp);
        await fs.promises.rename(temp, chosen.filePath);
        return chosen.filePath;
      },
      showInFolder: (file) => shell.showItemInFolder(file),
    };
  }
}

function safeSize(dir: string): number {
  try {
    return folderSize(dir);
  } catch {
    return 0;
  }
}

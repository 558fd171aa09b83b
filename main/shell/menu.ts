/**
 * The application menu as a pure function of the platform, the build and who is
 * signed in (test/shell/menu.test.ts). macOS: the app menu holds About, Settings…
 * (Cmd+,) and Quit, and there is a Window menu; elsewhere File holds Settings…
 * and Exit/Quit and Help holds About. Reload and Developer Tools only in development.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openSettings: () => void;
  importCsv: () => void;
  exportCsv: () => void;
  showStatuses: () => void;
  showShortcuts: () => void;
  openLogsFolder: () => void;
  showAbout: () => void;
}

export interface MenuPlan {
  platform: NodeJS.Platform;
  /** Development build (npm run dev / not packaged). */
  isDev: boolean;
  signedIn: boolean;
  isAdmin: boolean;
}

export function menuTemplate(plan: MenuPlan, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = plan.platform === 'darwin';
  const settings: MenuItemConstructorOptions = {
    label: 'Settings…',
    accelerator: mac ? 'Cmd+,' : undefined,
    enabled: plan.isAdmin,
    toolTip: plan.isAdmin ? undefined : 'Only an admin may change settings.',
    click: () => actions.openSettings(),
  };
  const about: MenuItemConstructorOptions = { label: 'About CertDesk', click: () => actions.showAbout() };

  const app: MenuItemConstructorOptions[] = mac
    ? [
        {
          label: 'CertDesk',
          submenu: [
            about,
            { type: 'separator' },
            settings,
            { type: 'separator' },
            { role: 'services' },
            { type: 'separator' },
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            { type: 'separator' },
            { role: 'quit' },
          ],
        },
      ]
    : [];

  const file: MenuItemConstructorOptions = {
    label: mac ? 'File' : '&File',
    submenu: [
      { label: 'Import…', enabled: plan.signedIn, click: () => actions.importCsv() },
      { label: 'Export…', enabled: plan.signedIn, click: () => actions.exportCsv() },
      ...(mac ? [{ type: 'separator' } as const, { role: 'close' } as const] : [{ type: 'separator' } as const, settings, { type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  };

  const edit: MenuItemConstructorOptions = { label: mac ? 'Edit' : '&Edit', role: 'editMenu' };

  const view: MenuItemConstructorOptions = {
    label: mac ? 'View' : '&View',
    submenu: [
      ...(plan.isDev ? [{ role: 'reload' } as const, { role: 'forceReload' } as const, { role: 'toggleDevTools' } as const, { type: 'separator' } as const] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };

  const window: MenuItemConstructorOptions[] = mac ? [{ role: 'windowMenu' }] : [];

  const help: MenuItemConstructorOptions = {
    label: mac ? 'Help' : '&Help',
    role: 'help',
    submenu: [
      { label: 'The ten statuses', click: () => actions.showStatuses() },
      { label: 'Keyboard shortcuts', click: () => actions.showShortcuts() },
      { type: 'separator' },
      { label: 'Open logs folder', click: () => actions.openLogsFolder() },
      ...(mac ? [] : [{ type: 'separator' } as const, about]),
    ],
  };

  return [...app, file, edit, view, ...window, help];
}

/** The app's windows, all made through here with the same security options. */
import type { BrowserWindow as BrowserWindowType, BrowserWindowConstructorOptions } from 'electron';
import { guardWebContents, secureWebPreferences } from './security';

export interface WindowFactory {
  new (options: BrowserWindowConstructorOptions): BrowserWindowType;
}

export interface WindowPlan {
  preload: string;
  appOrigin: string;
}

export const MINIMUM_SIZE = { width: 1000, height: 640 };

export function mainWindowOptions(plan: WindowPlan): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    minWidth: MINIMUM_SIZE.width,
    minHeight: MINIMUM_SIZE.height,
    title: 'CertDesk',
    show: false,
    backgroundColor: '#f8f9fa',
    webPreferences: secureWebPreferences(plan.preload),
  };
}

export function settingsWindowOptions(plan: WindowPlan, parent: BrowserWindowType | undefined): BrowserWindowConstructorOptions {
  return { ...mainWindowOptions(plan), width: 1100, height: 800, title: 'CertDesk — Settings', parent };
}

export function createWindow(
  BrowserWindow: WindowFactory,
  options: BrowserWindowConstructorOptions,
  appOrigin: string,
): BrowserWindowType {
  const win = new BrowserWindow(options);
  guardWebContents(win.webContents, appOrigin);
  win.once('ready-to-show', () => win.show());
  return win;
}

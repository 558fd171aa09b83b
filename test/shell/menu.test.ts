/** The application menu's template (a pure function): each platform's conventions, nothing for developers in production. */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { STATUSES } from '../../main/rules/statuses';
import { aboutText, formatBytes, shortcutsHelp, statusesHelp } from '../../main/shell/help';
import { menuTemplate, type MenuActions, type MenuPlan } from '../../main/shell/menu';

const actions = (): MenuActions => ({
  openSettings: vi.fn(),
  importCsv: vi.fn(),
  exportCsv: vi.fn(),
  showStatuses: vi.fn(),
  showShortcuts: vi.fn(),
  openLogsFolder: vi.fn(),
  showAbout: vi.fn(),
});

const plan = (over: Partial<MenuPlan> = {}): MenuPlan => ({ platform: 'linux', isDev: false, signedIn: true, isAdmin: true, ...over });

/** Every item, depth first, with the labels of the menus above it. */
function items(template: MenuItemConstructorOptions[], trail: string[] = []): Array<MenuItemConstructorOptions & { trail: string[] }> {
  return template.flatMap((item) => [
    { ...item, trail },
    ...(Array.isArray(item.submenu) ? items(item.submenu, [...trail, String(item.label ?? item.role).replace('&', '')]) : []),
  ]);
}
const find = (template: MenuItemConstructorOptions[], label: string) => items(template).find((i) => i.label === label);
const roles = (template: MenuItemConstructorOptions[]) => items(template).map((i) => i.role).filter(Boolean);

describe('application menu', () => {
  it('on Windows and Linux: File (Import…, Export…, Settings…, Quit), Edit, View, Help (with About); no app or Window menu', () => {
    const template = menuTemplate(plan(), actions());
    expect(template.map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Help']);
    expect(find(template, 'Settings…')?.trail).toEqual(['File']);
    expect(find(template, 'About CertDesk')?.trail).toEqual(['Help']);
    expect(roles(template)).toContain('quit');
    expect(roles(template)).not.toContain('windowMenu');
  });

  it('on macOS: the app menu holds About, Settings… (Cmd+,) and Quit; there is a Window menu', () => {
    const template = menuTemplate(plan({ platform: 'darwin' }), actions());
    expect(template.map((m) => m.label ?? m.role)).toEqual(['CertDesk', 'File', 'Edit', 'View', 'windowMenu', 'Help']);
    expect(find(template, 'Settings…')).toMatchObject({ trail: ['CertDesk'], accelerator: 'Cmd+,' });
    expect(find(template, 'About CertDesk')?.trail).toEqual(['CertDesk']);
    expect(items(template).find((i) => i.role === 'quit')?.trail).toEqual(['CertDesk']);
  });

  it('has no Reload and no Developer Tools in production, both in development', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      expect(roles(menuTemplate(plan({ platform }), actions()))).not.toEqual(expect.arrayContaining(['reload']));
      for (const role of ['reload', 'forceReload', 'toggleDevTools']) {
        expect(roles(menuTemplate(plan({ platform }), actions()))).not.toContain(role);
        expect(roles(menuTemplate(plan({ platform, isDev: true }), actions()))).toContain(role);
      }
    }
  });

  it('enables Settings… for admins only, and Import…/Export… once signed in; each item calls its action', () => {
    expect(find(menuTemplate(plan({ isAdmin: false }), actions()), 'Settings…')?.enabled).toBe(false);
    const signedOut = menuTemplate(plan({ signedIn: false, isAdmin: false }), actions());
    expect([find(signedOut, 'Import…')?.enabled, find(signedOut, 'Export…')?.enabled]).toEqual([false, false]);
    const a = actions();
    const template = menuTemplate(plan(), a);
    const click = (label: string) => (find(template, label)?.click as (() => void) | undefined)?.();
    for (const [label, action] of [
      ['Settings…', a.openSettings],
      ['Import…', a.importCsv],
      ['Export…', a.exportCsv],
      ['The ten statuses', a.showStatuses],
      ['Keyboard shortcuts', a.showShortcuts],
      ['Open logs folder', a.openLogsFolder],
      ['About CertDesk', a.showAbout],
    ] as const) {
      click(label);
      expect(action, label).toHaveBeenCalledTimes(1);
    }
    expect(find(template, 'Open logs folder')?.trail).toEqual(['Help']);
  });

  it('explains the ten statuses in the status reference’s words, lists the shortcuts per platform, and says what About says', () => {
    const help = statusesHelp();
    for (const status of STATUSES) expect(help).toContain(`${status}: `);
    expect(help).toContain('Admin Review: Contacts who have completed the necessary work but whose certification must be approved by an administrator');
    expect(shortcutsHelp('darwin')).toBe('Cmd+F    Search by contact name\nCmd+Shift+F    Customize Filter\nCmd+E    Export the list to CSV');
    expect(shortcutsHelp('win32')).toContain('Ctrl+Shift+F    Customize Filter');
    expect(aboutText({ version: '0.1.0', databaseFile: '/data/certdesk.sqlite', dataBytes: 5 * 1024 * 1024 })).toBe(
      'Version 0.1.0\nDatabase: /data/certdesk.sqlite\nData (database, backups, exports): 5.0 MB',
    );
    expect(formatBytes(512)).toBe('512 bytes');
  });
});

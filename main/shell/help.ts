/** The Help menu's texts: the ten statuses, the keyboard shortcuts, About. Pure, apart from measuring the data folder. */
import fs from 'node:fs';
import path from 'node:path';
import { STATUS_MEANINGS } from '../rules/status-meanings';
import { STATUSES } from '../rules/statuses';

export function statusesHelp(): string {
  return STATUSES.map((status) => `${status}: ${STATUS_MEANINGS[status]}`).join('\n\n');
}

/** Keys the Tracking page answers (bound in the page); `mod` is Cmd on macOS, Ctrl elsewhere. */
export const SHORTCUTS = [
  { keys: ['mod', 'F'], what: 'Search by contact name' },
  { keys: ['mod', 'Shift', 'F'], what: 'Customize Filter' },
  { keys: ['mod', 'E'], what: 'Export the list to CSV' },
] as const;

export function shortcutsHelp(platform: NodeJS.Platform): string {
  const mod = platform === 'darwin' ? 'Cmd' : 'Ctrl';
  return SHORTCUTS.map((s) => `${s.keys.map((k) => (k === 'mod' ? mod : k)).join('+')}    ${s.what}`).join('\n');
}

/** Bytes in a folder and below (the database, its backups, exports). */
export function folderSize(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += folderSize(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function aboutText(about: { version: string; databaseFile: string; dataBytes: number }): string {
  return [`Version ${about.version}`, `Database: ${about.databaseFile}`, `Data (database, backups, exports): ${formatBytes(about.dataBytes)}`].join('\n');
}

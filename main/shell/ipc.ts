/**
 * Registers every contract call on Electron IPC through one wrapper: only the
 * app's own main frames may call; everything else is the shared `invoke`.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { CALL_NAMES, channelOf } from '../ipc/calls';
import type { Envelope } from '../ipc/contract';
import { isAppUrl } from './security';

export interface SenderCheck {
  appOrigin: string;
  /** webContents ids of the app's own windows. */
  windowIds: () => ReadonlySet<number>;
}

export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>, check: SenderCheck): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false; // sub-frames never call main
  if (!check.windowIds().has(event.sender.id)) return false;
  return isAppUrl(frame.url, check.appOrigin);
}

export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle'>,
  invoke: (name: string, input: unknown) => Promise<Envelope<unknown>>,
  check: SenderCheck,
): string[] {
  const channels: string[] = [];
  for (const name of CALL_NAMES) {
    const channel = channelOf(name);
    ipcMain.handle(channel, (event, input: unknown) => {
      if (!isTrustedSender(event, check)) {
        return { ok: false, error: { code: 'UNTRUSTED_SENDER', message: 'This call came from outside CertDesk and was refused.' } };
      }
      return invoke(name, input);
    });
    channels.push(channel);
  }
  return channels;
}

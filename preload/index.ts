/**
 * The renderer's only door to main: named functions, one per contract call,
 * and `certdeskEvents.on(name, listener)` for the few events main sends (menu
 * items, settings changed). ipcRenderer itself is never exposed.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createApi, sendFirstScreen } from '../main/ipc/api';
import { channelOf } from '../main/ipc/calls';
import { EVENT_CHANNEL, isAppEvent } from '../main/ipc/events';

const api = createApi((name, input) => ipcRenderer.invoke(channelOf(name), input));
contextBridge.exposeInMainWorld('certdesk', api);

// The first screen's call goes now, before the page's scripts run; the page takes the answer (a promise
// crosses the bridge only as a function's return value).
const early = sendFirstScreen(api, window.location.hash);
contextBridge.exposeInMainWorld('certdeskStart', { takeFirstScreen: () => early.takeFirstScreen() });

contextBridge.exposeInMainWorld('certdeskEvents', {
  /** Listens to one app event; returns a function that stops listening. */
  on(name: unknown, listener: unknown): () => void {
    if (!isAppEvent(name) || typeof listener !== 'function') throw new Error('Unknown CertDesk event.');
    const handler = (_event: unknown, sent: unknown) => {
      if (sent === name) (listener as () => void)();
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => void ipcRenderer.removeListener(EVENT_CHANNEL, handler);
  },
});

/**
 * The browser harness's preload: the same API the desktop preload provides, carried over HTTP to the
 * same handler table in main. web.tsx imports it first, so (ES modules run in import order) the first
 * screen's call is on its way before React and Mantine are evaluated.
 */
import { createApi, sendFirstScreen } from '../../main/ipc/api';
import type { AppEvents } from './events';

const api = createApi(async (name, input) => {
  const response = await fetch(`/api/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(input ?? {}),
  });
  return (await response.json()) as unknown;
});
window.certdesk = api;
window.certdeskStart = sendFirstScreen(api, window.location.hash);

// Main's events (settings changed in another tab) arrive as server-sent events.
const source = new EventSource('/events');
const events: AppEvents = {
  on(name, listener) {
    const handler = (e: MessageEvent) => e.data === name && listener();
    source.addEventListener('message', handler);
    return () => source.removeEventListener('message', handler);
  },
};
window.certdeskEvents = events;

/**
 * The browser harness (`npm run web`): the same API as the preload provides,
 * carried over HTTP to the same handler table in main.
 */
import { createApi } from '../../main/ipc/api';
import { boot } from './boot';
import type { AppEvents } from './events';

window.certdesk = createApi(async (name, input) => {
  const response = await fetch(`/api/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(input ?? {}),
  });
  return (await response.json()) as unknown;
});

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

boot();

/**
 * The browser harness (`npm run web`): the same API as the preload provides,
 * carried over HTTP to the same handler table in main.
 */
import { createApi } from '../../main/ipc/api';
import { boot } from './boot';

window.certdesk = createApi(async (name, input) => {
  const response = await fetch(`/api/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(input ?? {}),
  });
  return (await response.json()) as unknown;
});

boot();

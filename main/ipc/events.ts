/**
 * Events main sends to the page (the only main → renderer messages): plain data
 * with no imports, so the preload can bundle it. The preload lets a page listen
 * to these names only, on one channel; it never exposes ipcRenderer.
 */
export const APP_EVENTS = [
  /** Settings (n, time zone, programs…) changed in some window: re-read what you show. */
  'settings-changed',
  /** Menu items that act in the page. */
  'menu:import',
  'menu:export',
] as const;

export type AppEvent = (typeof APP_EVENTS)[number];

export const EVENT_CHANNEL = 'certdesk:event';

export function isAppEvent(name: unknown): name is AppEvent {
  return typeof name === 'string' && (APP_EVENTS as readonly string[]).includes(name);
}

/** Calls whose success changes what other windows show about the office's settings (or who may open them). */
export function eventsAfterCall(name: string, ok: boolean): AppEvent[] {
  if (!ok) return [];
  return /^(settings\.set|programs\.(create|update|setArchived)|users\.(setRole|setDisabled))/.test(name) ? ['settings-changed'] : [];
}

/** Wraps `invoke` so that a call that changed settings announces it (to every window, or the harness's pages). */
export function announcing<R extends { ok: boolean }>(
  invoke: (name: string, input: unknown) => Promise<R>,
  emit: (event: AppEvent) => void,
): (name: string, input: unknown) => Promise<R> {
  return async (name, input) => {
    const result = await invoke(name, input);
    for (const event of eventsAfterCall(name, result.ok)) emit(event);
    return result;
  };
}

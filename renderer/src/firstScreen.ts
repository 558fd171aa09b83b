/**
 * The first screen's data, asked for before React mounts (issue 17): one `app.firstScreen` call carries
 * app.info and, on the Tracking page, its view, first rows, counts, programs and saved filters. Main
 * answers it once start-up is ready, so it waits beside the start-up screen instead of after it. Each
 * part is taken once, by the first screen that shows it; later loads (and a failed start) use the
 * ordinary calls.
 */
import type { AppInfo, FirstScreen, TrackingStart } from '../../main/ipc/contract';
import { api, call } from './api';

let info: Promise<FirstScreen | null> | null = null;
let tracking: Promise<FirstScreen | null> | null = null;

/** Sends the call; the page opens on `#tracking` or the dashboard. */
export function prefetchFirstScreen(): void {
  const pending = call(api().app.firstScreen({ tracking: window.location.hash === '#tracking' })).catch(() => null);
  info = pending;
  tracking = pending;
}

/** app.info from the first call, once (null: ask app.info). */
export function takeFirstInfo(): Promise<AppInfo | null> | null {
  const pending = info;
  info = null;
  return pending && pending.then((screen) => screen?.info ?? null);
}

/** The Tracking page's start from the first call, once (null: load it with the page's own calls). */
export function takeTrackingStart(): Promise<TrackingStart | null> | null {
  const pending = tracking;
  tracking = null;
  return pending && pending.then((screen) => screen?.tracking ?? null);
}

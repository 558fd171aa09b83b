/**
 * The first screen's data, asked for before React mounts (issue 17): one `app.firstScreen` call carries
 * app.info and, on the Tracking page, its view, first rows, counts, programs and saved filters. Main
 * answers it once start-up is ready, so it waits beside the start-up screen instead of after it. Each
 * part is taken once, by the first screen that shows it; later loads (and a failed start) use the
 * ordinary calls.
 */
import type { AppInfo, FirstScreen, TrackingStart } from '../../main/ipc/contract';
import { api, call } from './api';

let info: Promise<AppInfo | null> | null = null;
/** The Tracking part once the answer is here (undefined until then). */
let tracking: TrackingStart | null | undefined;

/** Sends the call; the page opens on `#tracking` or the dashboard. */
export function prefetchFirstScreen(): void {
  const pending = call(api().app.firstScreen({ tracking: window.location.hash === '#tracking' })).then(
    (screen: FirstScreen) => {
      tracking = screen.tracking;
      return screen.info;
    },
    () => null,
  );
  info = pending;
}

/** app.info from the first call, once (null: ask app.info). */
export function takeFirstInfo(): Promise<AppInfo | null> | null {
  const pending = info;
  info = null;
  return pending;
}

/**
 * The Tracking page's start, once, if it has arrived (the page mounts after app.info, which came with it,
 * so its first render already shows the rows); null: the page loads with its own calls.
 */
export function takeTrackingStart(): TrackingStart | null {
  const start = tracking ?? null;
  tracking = null;
  return start;
}

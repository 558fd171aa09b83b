/**
 * The first screen's data (issue 17): one `app.firstScreen` call carries app.info and, on the Tracking
 * page, its view, first rows, counts, programs and saved filters. The preload sends it as the page starts
 * (main/ipc/api.ts `sendFirstScreen`); main answers it once start-up is ready, so it waits beside the
 * start-up screen instead of after it. What has arrived when React mounts is used in the first render;
 * each part is taken once, by the first screen that shows it. Later loads (and a failed start) use the
 * ordinary calls.
 */
import type { AppInfo, FirstScreen, TrackingStart } from '../../main/ipc/contract';
import { api, call } from './api';
import { afterNextPaint } from './shared/useAfterFirstPaint';

let pending: Promise<FirstScreen | null> | null = null;
/** The answer once here: undefined until then, null when the call failed. */
let answer: FirstScreen | null | undefined;
let infoTaken = false;
let trackingTaken = false;

/** Takes the call the preload sent as the page started, or sends it; the page opens on `#tracking` or the dashboard. */
export function prefetchFirstScreen(): void {
  const sent = window.certdeskStart?.takeFirstScreen() ?? api().app.firstScreen({ tracking: window.location.hash === '#tracking' });
  pending = call(sent).then(
    (screen) => (answer = screen),
    () => (answer = null),
  );
}

/** True once main answered the first screen: start-up was ready then (main answers it only when ready). */
export function firstScreenAnswered(): boolean {
  return answer != null;
}

/** Resolves when the first screen's call is answered: true if it succeeded. */
export function whenFirstScreenAnswered(): Promise<boolean> {
  return (pending ?? Promise.resolve(null)).then((screen) => screen !== null);
}

/** app.info from the first answer if it is already here, once (null: not here, or taken). */
export function takeArrivedInfo(): AppInfo | null {
  if (infoTaken || !answer) return null;
  infoTaken = true;
  return answer.info;
}

/** app.info from the first call once it arrives, once (null: taken already; resolves null: ask app.info). */
export function takeFirstInfo(): Promise<AppInfo | null> | null {
  if (infoTaken || !pending) return null;
  infoTaken = true;
  return pending.then((screen) => screen?.info ?? null);
}

/**
 * The Tracking page's start, once, if it has arrived (the page mounts after app.info, which came with it,
 * so its first render already shows the rows); null: the page loads with its own calls.
 */
export function takeTrackingStart(): TrackingStart | null {
  if (trackingTaken || !answer) return null;
  trackingTaken = true;
  return answer.tracking;
}

let shownSaid = false;

/**
 * Tells main, once, that the first rows are painted: start-up's background work (the check, the daily
 * backup, the sweep) starts then instead of competing with the first screen for the cores. Called as the
 * rows are committed; the frame after it is the one they are painted in.
 */
export function sayFirstScreenShown(): void {
  if (shownSaid) return;
  shownSaid = true;
  afterNextPaint(
    () =>
      void api()
        .startup.firstScreenShown({})
        .catch(() => undefined),
  );
}

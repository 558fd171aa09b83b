/**
 * The Tracking page's dialogs and drawer, each in its own chunk: the first rows need none of them (the
 * filter builder brings react-querybuilder, the forms @mantine/dates). The drawer and the dialogs are
 * mounted closed once the first rows are painted (TrackingPage), so their chunks load after them; the filter builder,
 * mounted only while open, is fetched in idle time once the rows are on screen (`prefetchTrackingParts`).
 */
import { lazy } from 'react';

const loadRecordDrawer = () => import('../record/RecordDrawer');
const loadFilterBuilder = () => import('./FilterBuilder');
const loadImportModal = () => import('./ImportModal');
const loadApplicationModal = () => import('./ApplicationModal');
const loadEnrollModal = () => import('./EnrollModal');

export const RecordDrawer = lazy(() => loadRecordDrawer().then((m) => ({ default: m.RecordDrawer })));
export const FilterBuilder = lazy(() => loadFilterBuilder().then((m) => ({ default: m.FilterBuilder })));
export const ImportModal = lazy(() => loadImportModal().then((m) => ({ default: m.ImportModal })));
export const ApplicationModal = lazy(() => loadApplicationModal().then((m) => ({ default: m.ApplicationModal })));
export const EnrollModal = lazy(() => loadEnrollModal().then((m) => ({ default: m.EnrollModal })));

let prefetched = false;

/** Fetches the filter builder once, when the browser is idle. */
export function prefetchTrackingParts(): void {
  if (prefetched) return;
  prefetched = true;
  const fetchAll = () => {
    void loadFilterBuilder().catch(() => undefined);
  };
  if ('requestIdleCallback' in window) window.requestIdleCallback(fetchAll, { timeout: 2_000 });
  else setTimeout(fetchAll, 200);
}

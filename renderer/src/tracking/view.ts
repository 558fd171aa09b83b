import { DEFAULT_TRACKING_VIEW } from '../../../main/ipc/default-view';
import type { TrackingView } from '../../../main/ipc/contract';

/** What the Tracking page shows: filters, sort and page size. Saved in main so it survives a restart. */
export type { TrackingView };

export const DEFAULT_VIEW: TrackingView = DEFAULT_TRACKING_VIEW;

/** What another page may open the list on: a Quick Filter and a Customize Filter (the name search is cleared). */
export type Selection = Pick<TrackingView, 'quick' | 'filter'>;

/** The part of a view that decides which records match (for bulk "all matching" and export). */
export function selectionOf(view: TrackingView) {
  return { quick: view.quick, filter: view.filter ?? null, search: view.search ?? '' };
}

import type { z } from 'zod';
import type { viewSchema } from '../../../main/ipc/contract';

/** What the Tracking page shows: filters, sort and page size. Saved in main so it survives a restart. */
export type TrackingView = z.infer<typeof viewSchema>;

export const DEFAULT_VIEW: TrackingView = {
  quick: { kind: 'all' },
  filter: null,
  search: '',
  sort: { column: 'contactName', direction: 'asc' },
  pageSize: 50,
};

/** The part of a view that decides which records match (for bulk "all matching" and export). */
export function selectionOf(view: TrackingView) {
  return { quick: view.quick, filter: view.filter ?? null, search: view.search ?? '' };
}

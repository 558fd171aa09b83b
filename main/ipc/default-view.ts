import type { TrackingView } from './contract';

/**
 * The Tracking page's view until staff change it: every record, by name, 50 a page. A module of its own
 * (not in contract.ts) so the renderer's first script has it without evaluating the contract's schemas.
 */
export const DEFAULT_TRACKING_VIEW: TrackingView = {
  quick: { kind: 'all' },
  filter: null,
  search: '',
  sort: { column: 'contactName', direction: 'asc' },
  pageSize: 50,
};

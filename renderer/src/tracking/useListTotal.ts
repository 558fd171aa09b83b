import { useEffect, useEffectEvent, useState } from 'react';
import type { TrackingPage } from '../../../main/ipc/contract';
import { api, call, messageOf } from '../api';
import type { Loaded } from '../shared/useLoad';
import { selectionOf, type TrackingView } from './view';

interface Counted {
  /** The page answer this total was counted after. */
  after: TrackingPage;
  total: number | null;
  error: string | null;
}

/**
 * The list's total as staff may read it. A page that came without it (a filtered list not counted
 * since the last write: ~390,000 matches take ~185 ms to count at a million records) shows its rows
 * at once and the total is counted after (tracking.total). The total shown always belongs to the
 * page answer on screen: one counted for an earlier answer is never shown beside a newer one.
 * `total` is null while counting; `error` says why it could not be counted.
 */
export function useListTotal(list: Loaded<TrackingPage | null>, view: TrackingView | null): { total: number | null; error: string | null } {
  const page = list.data;
  const [counted, setCounted] = useState<Counted | null>(null);
  // The view the page answer was asked for (the list is not loading, so it is the current one).
  const selection = useEffectEvent(() => (view ? selectionOf(view) : null));
  const needsCount = page !== null && page.total === null && !list.loading && list.error === null;
  useEffect(() => {
    const asked = selection();
    if (!needsCount || !page || !asked) return;
    let current = true;
    call(api().tracking.total(asked)).then(
      ({ total }) => current && setCounted({ after: page, total, error: null }),
      (err: unknown) => current && setCounted({ after: page, total: null, error: messageOf(err) }),
    );
    return () => {
      current = false;
    };
  }, [needsCount, page]);
  if (page && page.total !== null) return { total: page.total, error: null };
  return counted?.after === page && page !== null ? { total: counted.total, error: counted.error } : { total: null, error: null };
}

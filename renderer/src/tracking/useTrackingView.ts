import { useDebouncedCallback } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import type { TrackingRow } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { takeTrackingStart } from '../firstScreen';
import { useLoad } from '../shared/useLoad';
import { useListTotal } from './useListTotal';
import { DEFAULT_VIEW, selectionOf, type Selection, type TrackingView } from './view';

/**
 * What the Tracking page shows and holds: the view (filters, sort, page size,
 * saved in main so it survives a restart), the page, the search box, the
 * selection, and the list, counts, programs and saved filters loaded for them.
 */
export function useTrackingView(opening: Selection | null = null) {
  // The page's first view, rows, counts, programs and filters came with the app's first call (firstScreen.ts),
  // so its first render shows the rows; a selection opened from elsewhere loads its own.
  const [start] = useState(() => {
    const first = takeTrackingStart();
    return opening ? null : first;
  });
  const [view, setView] = useState<TrackingView | null>(() => (start ? (start.view ?? DEFAULT_VIEW) : null));
  const [page, setPage] = useState(1);
  const [searchText, setSearchText] = useState(() => start?.view?.search ?? '');
  const [selected, setSelected] = useState<TrackingRow[]>([]);
  const [allMatching, setAllMatching] = useState(false);
  const [version, setVersion] = useState(0);
  // The last view comes back after a restart; a selection opened from elsewhere replaces its filters (and is kept as the view).
  useEffect(() => {
    if (start) return;
    const show = (saved: TrackingView | null) => {
      const next = opening ? { ...(saved ?? DEFAULT_VIEW), ...opening, search: '' } : (saved ?? DEFAULT_VIEW);
      setView(next);
      setSearchText(next.search ?? '');
      if (opening) void call(api().tracking.saveView(next)).catch(() => undefined);
    };
    void call(api().tracking.getView({})).then(
      ({ view: saved }) => show(saved),
      () => show(null),
    );
    // Once, when the page opens: the page is opened anew for each selection.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const clearSelection = () => {
    setSelected([]);
    setAllMatching(false);
  };
  const apply = (patch: Partial<TrackingView>) => {
    setView((v) => {
      const next = { ...(v ?? DEFAULT_VIEW), ...patch };
      void call(api().tracking.saveView(next)).catch(() => undefined);
      return next;
    });
    setPage(1);
    clearSelection();
  };
  // Typing waits for a pause before the list follows; a search set any other way wins at once.
  const searchLater = useDebouncedCallback((search: string) => apply({ search }), 250);
  const search = (text: string) => {
    setSearchText(text);
    searchLater(text);
  };
  const update = (patch: Partial<TrackingView>) => {
    if (patch.search !== undefined) {
      searchLater.cancel();
      setSearchText(patch.search);
    }
    apply(patch);
  };
  /** Something was written: reload the list and everything counted beside it. */
  const changed = () => setVersion((v) => v + 1);

  // The rows at once; a filtered list's total may follow them (useListTotal).
  const list = useLoad(
    () => (view ? call(api().tracking.page({ ...selectionOf(view), sort: view.sort, page, pageSize: view.pageSize })) : Promise.resolve(null)),
    [view, page, version],
    start?.list,
  );
  const counted = useListTotal(list, view);
  const counts = useLoad(() => call(api().tracking.counts({})), [version], start?.counts);
  const programs = useLoad(() => call(api().programs.list({})), [version], start?.programs);
  const saved = useLoad(() => call(api().filters.list({})), [version], start?.filters);

  return {
    view,
    update,
    page,
    setPage,
    searchText,
    search,
    /** The list is being fetched, or the search box holds text the list does not show yet. */
    busy: list.loading || (view !== null && searchText !== (view.search ?? '')),
    selected,
    allMatching,
    select: (rows: TrackingRow[]) => {
      setSelected(rows);
      setAllMatching(false);
    },
    selectAllMatching: () => setAllMatching(true),
    clearSelection,
    changed,
    list,
    /** The list's total; null while it is counted after the rows (then `totalError` if that failed). */
    total: counted.total,
    totalError: counted.error,
    counts,
    programs,
    saved,
  };
}

export type TrackingState = ReturnType<typeof useTrackingView>;

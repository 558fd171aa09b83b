import { useDebouncedCallback } from '@mantine/hooks';
import { useEffect, useRef, useState } from 'react';
import type { TrackingRow, TrackingStart } from '../../../main/ipc/contract';
import { api, call } from '../api';
import { takeTrackingStart } from '../firstScreen';
import { useLoad } from '../shared/useLoad';
import { DEFAULT_VIEW, selectionOf, type Selection, type TrackingView } from './view';

/**
 * What the Tracking page shows and holds: the view (filters, sort, page size,
 * saved in main so it survives a restart), the page, the search box, the
 * selection, and the list, counts, programs and saved filters loaded for them.
 */
export function useTrackingView(opening: Selection | null = null) {
  const [view, setView] = useState<TrackingView | null>(null);
  const [page, setPage] = useState(1);
  const [searchText, setSearchText] = useState('');
  const [selected, setSelected] = useState<TrackingRow[]>([]);
  const [allMatching, setAllMatching] = useState(false);
  const [version, setVersion] = useState(0);
  // The page's first view, rows, counts, programs and filters came with the app's first call (firstScreen.ts):
  // each is used once, for its first load; a selection opened from elsewhere loads its own.
  const [start] = useState(() => {
    const first = takeTrackingStart();
    return opening ? null : first;
  });
  const used = useRef(new Set<keyof TrackingStart>());
  const firstOr = <T>(part: keyof TrackingStart, pick: (s: TrackingStart) => T, load: () => Promise<T>): Promise<T> => {
    if (!start || used.current.has(part)) return load();
    used.current.add(part);
    return start.then((s) => (s ? pick(s) : load()));
  };

  // The last view comes back after a restart; a selection opened from elsewhere replaces its filters (and is kept as the view).
  useEffect(() => {
    const show = (saved: TrackingView | null) => {
      const next = opening ? { ...(saved ?? DEFAULT_VIEW), ...opening, search: '' } : (saved ?? DEFAULT_VIEW);
      setView(next);
      setSearchText(next.search ?? '');
      if (opening) void call(api().tracking.saveView(next)).catch(() => undefined);
    };
    void firstOr(
      'view',
      (s) => ({ view: s.view }),
      () => call(api().tracking.getView({})),
    ).then(
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

  const list = useLoad(
    () =>
      view
        ? firstOr(
            'list',
            (s) => s.list,
            () => call(api().tracking.list({ ...selectionOf(view), sort: view.sort, page, pageSize: view.pageSize })),
          )
        : Promise.resolve(null),
    [view, page, version],
  );
  const counts = useLoad(
    () =>
      firstOr(
        'counts',
        (s) => s.counts,
        () => call(api().tracking.counts({})),
      ),
    [version],
  );
  const programs = useLoad(
    () =>
      firstOr(
        'programs',
        (s) => s.programs,
        () => call(api().programs.list({})),
      ),
    [version],
  );
  const saved = useLoad(
    () =>
      firstOr(
        'filters',
        (s) => s.filters,
        () => call(api().filters.list({})),
      ),
    [version],
  );

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
    total: list.data?.total ?? 0,
    counts,
    programs,
    saved,
  };
}

export type TrackingState = ReturnType<typeof useTrackingView>;

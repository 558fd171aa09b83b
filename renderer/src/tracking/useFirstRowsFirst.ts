import { useEffect, useState } from 'react';

/** Rows a window shows without scrolling, with room to spare (a row of the list is about 45 px tall). */
export const FIRST_ROWS = 20;

/**
 * The first time the list has rows, it draws the ones a window shows first and the rest right after the
 * browser painted them: at launch the first rows appear a render of 30 rows sooner (issue 17). Later pages
 * draw all their rows at once.
 */
export function useFirstRowsFirst<T>(rows: T[]): T[] {
  const [all, setAll] = useState(false);
  const partial = !all && rows.length > FIRST_ROWS;
  useEffect(() => {
    if (!partial) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // After the next frame is painted, not before it.
    const frame = requestAnimationFrame(() => (timer = setTimeout(() => setAll(true))));
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [partial]);
  return partial ? rows.slice(0, FIRST_ROWS) : rows;
}

import { useEffect, useState } from 'react';

/**
 * False for the component's first render, true once the browser has painted it: what the first screen
 * does not need (the rows below the fold, closed dialogs and their chunks) waits until the first rows
 * are on screen (issue 17).
 */
export function useAfterFirstPaint(): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A frame's callbacks run before it is painted; the timer after them runs once it has been.
    const frame = requestAnimationFrame(() => (timer = setTimeout(() => setPainted(true))));
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, []);
  return painted;
}

import { useEffect, useState } from 'react';

/**
 * Runs `run` once the browser has painted what was just committed: a frame's callbacks run before it is
 * painted, and a timer set in one runs after. Returns a cancel.
 */
export function afterNextPaint(run: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => (timer = setTimeout(run)));
  return () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}

/**
 * False for the component's first render, true once the browser has painted it: what the first screen
 * does not need (the rows below the fold, closed dialogs and their chunks) waits until the first rows
 * are on screen (issue 17).
 */
export function useAfterFirstPaint(): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => afterNextPaint(() => setPainted(true)), []);
  return painted;
}

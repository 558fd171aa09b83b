/**
 * The idle lock (SPEC §6): after the admin's idle time without keyboard, pointer or wheel input the page
 * asks main to lock the desk (LockScreen.tsx then covers the page).
 */
import { useEffect, useRef } from 'react';

const ACTIVITY = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;
const CHECK_EVERY_MS = 5_000;

/** Calls `onIdle` once the page has had no input for `minutes` (0: never). */
export function useIdleLock(minutes: number, onIdle: () => void): void {
  const latest = useRef(onIdle);
  useEffect(() => {
    latest.current = onIdle;
  });
  useEffect(() => {
    if (minutes <= 0) return;
    let last = Date.now();
    const touch = () => {
      last = Date.now();
    };
    for (const name of ACTIVITY) window.addEventListener(name, touch, { passive: true, capture: true });
    const timer = window.setInterval(() => {
      if (Date.now() - last >= minutes * 60_000) {
        last = Date.now();
        latest.current();
      }
    }, CHECK_EVERY_MS);
    return () => {
      window.clearInterval(timer);
      for (const name of ACTIVITY) window.removeEventListener(name, touch, { capture: true });
    };
  }, [minutes]);
}

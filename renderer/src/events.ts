/** Events from main (menu items, settings changed in another window): the preload's, or the harness's over SSE. */
import { useEffect, useRef } from 'react';
import type { AppEvent } from '../../main/ipc/contract';

export interface AppEvents {
  on(name: AppEvent, listener: () => void): () => void;
}

declare global {
  interface Window {
    certdeskEvents?: AppEvents;
  }
}

/** Calls `listener` whenever main sends `name` (the latest listener; no re-subscribing on each render). */
export function useAppEvent(name: AppEvent, listener: () => void): void {
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => window.certdeskEvents?.on(name, () => latest.current()), [name]);
}

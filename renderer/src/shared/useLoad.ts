import { useEffect, useEffectEvent, useRef, useState } from 'react';
import { messageOf } from '../api';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  /** True from the render in which `deps` change until their answer arrives. */
  loading: boolean;
  reload: () => void;
}

interface Answer<T> {
  request: string;
  data: T | null;
  error: string | null;
}

/**
 * Runs `load` whenever `deps` change (compared by value) or `reload` is called;
 * keeps the last data while reloading and drops answers to earlier requests.
 * `initial`: the answer for the first `deps`, already here (the first screen's data): not loaded again.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], initial?: T | null): Loaded<T> {
  const [tick, setTick] = useState(0);
  const request = `${JSON.stringify(deps)}#${tick}`;
  const [answer, setAnswer] = useState<Answer<T>>(() => ({ request: initial == null ? '' : request, data: initial ?? null, error: null }));
  const given = useRef(initial == null ? null : request);
  const run = useEffectEvent(load);
  useEffect(() => {
    if (given.current === request) {
      given.current = null;
      return;
    }
    given.current = null;
    let current = true;
    run().then(
      (data) => {
        if (current) setAnswer({ request, data, error: null });
      },
      (err: unknown) => {
        if (current) setAnswer((last) => ({ request, data: last.data, error: messageOf(err) }));
      },
    );
    return () => {
      current = false;
    };
  }, [request]);
  return { data: answer.data, error: answer.error, loading: answer.request !== request, reload: () => setTick((t) => t + 1) };
}

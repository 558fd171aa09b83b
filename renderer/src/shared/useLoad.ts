import { useEffect, useEffectEvent, useState } from 'react';
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
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [tick, setTick] = useState(0);
  const request = `${JSON.stringify(deps)}#${tick}`;
  const [answer, setAnswer] = useState<Answer<T>>({ request: '', data: null, error: null });
  const run = useEffectEvent(load);
  useEffect(() => {
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

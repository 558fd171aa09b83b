import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from '../api';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` whenever `deps` change; keeps the last data while reloading and drops stale answers. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  const run = useCallback(load, deps);
  useEffect(() => {
    const ticket = ++latest.current;
    setLoading(true);
    run().then(
      (value) => {
        if (ticket !== latest.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (ticket !== latest.current) return;
        setError(messageOf(err));
        setLoading(false);
      },
    );
  }, [run, tick]);
  return { data, error, loading, reload: () => setTick((t) => t + 1) };
}

import { useCallback, useEffect, useState } from 'react';
import type { StartupStatus } from '../../../main/ipc/contract';
import { api, call, messageOf } from '../api';
import { firstScreenAnswered, whenFirstScreenAnswered } from '../firstScreen';

/** How often the screen asks main what start-up is doing. */
const POLL_MS = 120;
/** How often, once the app shows, it asks about start-up's background work (a damaged file found then shows the refusal). */
const BACKGROUND_POLL_MS = 500;

export interface Startup {
  status: StartupStatus | null;
  /** The app may show: main said so, or answered the first screen (which it does only once ready). */
  ready: boolean;
  /** A call that failed (main not answering at all). */
  error: string | null;
  restoring: boolean;
  restore: () => Promise<void>;
}

/** Asks `startup.status` until the backend is ready with no background work left, or the database was refused. */
export function useStartup(): Startup {
  const [status, setStatus] = useState<StartupStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [restoring, setRestoring] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [answered, setAnswered] = useState(firstScreenAnswered);
  useEffect(() => {
    if (!answered && generation === 0) void whenFirstScreenAnswered().then((ok) => ok && setAnswered(true));
  }, [answered, generation]);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await call(api().startup.status({}));
        if (stopped) return;
        setStatus(next);
        if (next.phase !== 'ready' && next.phase !== 'refused') timer = setTimeout(() => void poll(), POLL_MS);
        else if (next.phase === 'ready' && next.background) timer = setTimeout(() => void poll(), BACKGROUND_POLL_MS);
      } catch (err) {
        if (!stopped) setError(messageOf(err));
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [generation]);

  const restore = useCallback(async () => {
    setRestoring(true);
    try {
      await call(api().startup.restoreBackup({}));
      setAnswered(false); // the database is being opened anew: the steps show again
      setGeneration((g) => g + 1); // start polling again
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setRestoring(false);
    }
  }, []);

  const ready = status?.phase === 'ready' || (answered && status?.phase !== 'refused');
  return { status, ready, error, restoring, restore };
}

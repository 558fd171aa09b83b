import { useState } from 'react';
import { messageOf } from '../api';

export interface Submit<A extends unknown[]> {
  /** Runs the work once; a refusal becomes `error` (never thrown). */
  submit: (...args: A) => Promise<void>;
  busy: boolean;
  error: string | null;
  setError: (error: string | null) => void;
}

/**
 * Busy and error state around one piece of work (a save, a sign-in, an import):
 * busy while it runs, main's refusal as a sentence afterwards. `describe` can
 * place the refusal elsewhere (next to a form field) and return null for no banner.
 */
export function useSubmit<A extends unknown[]>(work: (...args: A) => Promise<void>, describe: (err: unknown) => string | null = messageOf): Submit<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (...args: A) => {
    setBusy(true);
    setError(null);
    try {
      await work(...args);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  return { submit, busy, error, setError };
}

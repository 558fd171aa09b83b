import { useCallback, useEffect, useState } from 'react';

interface DialogState<T> {
  target: T | null;
  opened: boolean;
  key: number;
  /** Asked to open again while it faded out: it is remounted closed first, then opened (see `open`). */
  reopening: boolean;
}

/**
 * A dialog opened for a target (a contact, or anyone), mounted closed. Mantine's modal notes where focus was
 * only when `opened` turns true on a mounted dialog, and gives it back on close: so the dialog is not
 * remounted to open it. It starts empty each time because `key` changes once it has closed (`closed`, its
 * exit transition's end), and the target stays while it fades out.
 */
export function useDialogTarget<T>() {
  const [state, setState] = useState<DialogState<T>>({ target: null, opened: false, key: 0, reopening: false });
  // Opened again during the fade-out (its target is still set): the old form would come back with what was
  // typed before, so a fresh dialog is mounted closed, and opened once mounted.
  const open = useCallback(
    (target: T) =>
      setState((s) => (!s.opened && s.target !== null ? { target, opened: false, key: s.key + 1, reopening: true } : { ...s, target, opened: true })),
    [],
  );
  useEffect(() => {
    if (!state.reopening) return;
    const frame = requestAnimationFrame(() => setState((s) => ({ ...s, opened: true, reopening: false })));
    return () => cancelAnimationFrame(frame);
  }, [state.reopening]);
  const close = useCallback(() => setState((s) => ({ ...s, opened: false })), []);
  const closed = useCallback(() => setState((s) => (s.opened || s.reopening ? s : { target: null, opened: false, key: s.key + 1, reopening: false })), []);
  return { target: state.target, opened: state.opened, key: state.key, open, close, closed };
}

import { useCallback, useState } from 'react';

/**
 * A dialog opened for a target (a contact, or anyone), mounted closed. Mantine's modal notes where focus was
 * only when `opened` turns true on a mounted dialog, and gives it back on close: so the dialog is not
 * remounted to open it. It starts empty each time because `key` changes once it has closed (`closed`, its
 * exit transition's end), and the target stays while it fades out.
 */
export function useDialogTarget<T>() {
  const [state, setState] = useState<{ target: T | null; opened: boolean; key: number }>({ target: null, opened: false, key: 0 });
  const open = useCallback((target: T) => setState((s) => ({ ...s, target, opened: true })), []);
  const close = useCallback(() => setState((s) => ({ ...s, opened: false })), []);
  const closed = useCallback(() => setState((s) => (s.opened ? s : { target: null, opened: false, key: s.key + 1 })), []);
  return { ...state, open, close, closed };
}

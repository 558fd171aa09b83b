import { createContext, useContext } from 'react';
import type { AppInfo } from '../../main/ipc/contract';

export interface SessionValue {
  info: AppInfo;
  /** Re-reads app.info (after sign-in, sign-out, settings changes). */
  refresh: () => Promise<void>;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionContext');
  return value;
}

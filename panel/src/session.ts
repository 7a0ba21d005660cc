import { createContext, useContext } from 'react';
import type { PanelSession, Role } from './api';

export interface SessionState {
  session: PanelSession;
  /** Reads `me` again (after enrolling TOTP, for instance). */
  refresh: () => Promise<void>;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

export const useRole = (): Role => useSession().session.operator.role;
/** What a role may do is the server's decision; the panel only hides what would be refused. */
export const canWrite = (role: Role): boolean => role !== 'VIEWER';

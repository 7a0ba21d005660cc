import { useEffect, useState, type MouseEvent } from 'react';

/**
 * A router of a few lines: the panel's pages are paths under /panel, pushed with the History
 * API; the server answers index.html for every one of them.
 */
export const BASE = '/panel';

export interface Location {
  /** The path below /panel, always starting with '/': '/', '/clients/cl_live_…'. */
  path: string;
  query: URLSearchParams;
}

/** The address shown now, as a Location. */
export const readLocation = (): Location => {
  const p = window.location.pathname;
  const path = p === BASE || p === `${BASE}/` ? '/' : p.startsWith(`${BASE}/`) ? p.slice(BASE.length) : '/';
  return { path: path.replace(/\/+$/, '') || '/', query: new URLSearchParams(window.location.search) };
};

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

export const href = (to: string): string => `${BASE}${to === '/' ? '/' : to}`;

/**
 * `notice`: a sentence for the page arrived at to say (what was just done there, such as a
 * deletion), kept in the history entry, so it stays with that visit.
 */
export function navigate(to: string, opts: { replace?: boolean; notice?: string } = {}): void {
  const url = href(to);
  const state = opts.notice === undefined ? null : { notice: opts.notice };
  if (opts.replace) window.history.replaceState(state, '', url);
  else window.history.pushState(state, '', url);
  for (const l of listeners) l();
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(readLocation);
  useEffect(() => {
    const l = () => setLoc(readLocation());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return loc;
}

/** The notice the current history entry was navigated to with, if any. */
export const currentNotice = (): string | null => {
  const state: unknown = window.history.state;
  return state !== null && typeof state === 'object' && 'notice' in state && typeof state.notice === 'string'
    ? state.notice
    : null;
};

/** A plain link's click, handled in the page (a modified click still opens a new tab). */
export function followLink(e: MouseEvent<HTMLAnchorElement>, to: string): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(to);
}

import type { Mode } from './api';

/**
 * The mode a page shows, kept in its address: `?mode=test` for Test, nothing for Live. Shared by
 * the pages that have modes (clients, APIs), so a link between them keeps it.
 */
export const modeFromQuery = (q: URLSearchParams): Mode => (q.get('mode') === 'test' ? 'TEST' : 'LIVE');
export const modeQuery = (m: Mode): string => (m === 'TEST' ? '?mode=test' : '');
export const modeLabel = (m: Mode): string => (m === 'LIVE' ? 'Live' : 'Test');

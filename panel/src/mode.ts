import type { Mode } from './api';

/**
 * The mode a page shows, kept in its address: `?mode=test` for Test, nothing for Live. Shared by
 * the client list, the new-client form and the client page, so a link between them keeps it.
 */
export const modeFromQuery = (q: URLSearchParams): Mode => (q.get('mode') === 'test' ? 'TEST' : 'LIVE');
export const modeQuery = (m: Mode): string => (m === 'TEST' ? '?mode=test' : '');

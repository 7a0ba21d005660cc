import { gql, modeOfClientId, type Mode } from './api';
import type { Location } from './router';

/**
 * The mode a page shows, kept in its address: `?mode=test` for Test, nothing for Live. Shared by
 * the pages that have modes (clients, APIs), so a link between them keeps it.
 */
export const modeFromQuery = (q: URLSearchParams): Mode => (q.get('mode') === 'test' ? 'TEST' : 'LIVE');
export const modeQuery = (m: Mode): string => (m === 'TEST' ? '?mode=test' : '');
export const modeLabel = (m: Mode): string => (m === 'LIVE' ? 'Live' : 'Test');

/** Paths whose address carries the mode in `?mode=`; the others hold one fixed mode, or none. */
const MODED = /^\/(?:clients(?:\/new)?|apis(?:\/.*)?)?$/;

/**
 * The mode the page at this address shows: a client's page its id's, the playground Test (it
 * asks only paths under /test), a list or form its `?mode=`; null for a page without modes
 * (operators, signing keys, account).
 */
export function modeOfPage({ path, query }: Location): Mode | null {
  const client = /^\/clients\/([^/]+)/.exec(path);
  if (client && client[1] !== 'new') return modeOfClientId(decodeURIComponent(client[1]!));
  if (path === '/playground') return 'TEST';
  return MODED.test(path) ? modeFromQuery(query) : null;
}

const KEY = 'tollgate.panel.mode';

/** The mode the operator last chose with the switch, in this browser; null when never. */
export function chosenMode(): Mode | null {
  try {
    const v = window.localStorage.getItem(KEY);
    return v === 'LIVE' || v === 'TEST' ? v : null;
  } catch {
    return null;
  }
}

/** Remembers a mode chosen with the switch (a private window may refuse storage: then it is only this page's). */
export function chooseMode(m: Mode): void {
  shown = m;
  try {
    window.localStorage.setItem(KEY, m);
  } catch {
    // Nothing to do: the choice still holds until the page is left.
  }
}

// The mode this tab last showed, so pages without modes (and their links) keep it.
let shown: Mode | null = null;
export const noteMode = (m: Mode): void => {
  shown = m;
};
/** The mode the panel is in now: the page's own, else the last one shown or chosen, else Live. */
export const panelMode = (loc: Location): Mode => modeOfPage(loc) ?? shown ?? chosenMode() ?? 'LIVE';
/** Whether this tab has shown a mode yet (false until the opening decision is made). */
export const modeSettled = (): boolean => shown !== null;

const ANY = 'query AnyClient { clients(first: 1) { edges { node { id } } } }';
const hasClients = async (m: Mode): Promise<boolean> =>
  (await gql<{ clients: { edges: unknown[] } }>(ANY, {}, m)).clients.edges.length > 0;

/**
 * The mode the panel opens on when the address names none: the one the operator last chose
 * with the switch; when it never chose, Live if it may see a live client, else Test if it may
 * see a test client, else Live. So a new deployment, whose only client is the auto-created test
 * client, opens on Test.
 */
export async function openingMode(): Promise<Mode> {
  const chosen = chosenMode();
  if (chosen) return chosen;
  if (await hasClients('LIVE')) return 'LIVE';
  return (await hasClients('TEST')) ? 'TEST' : 'LIVE';
}

/**
 * Where the header's switch goes for the other mode: a list or form stays, in that mode; a
 * client's page or an API's goes to that mode's list (the object belongs to one mode); the
 * playground, always Test, goes to the live clients; a page without modes stays as it is (null).
 */
export function switchTarget(loc: Location, m: Mode): string | null {
  const { path } = loc;
  if (path === '/' || path === '/clients' || path === '/clients/new' || path === '/apis' || path === '/apis/new')
    return `${path === '/' ? '/clients' : path}${modeQuery(m)}`;
  if (path.startsWith('/clients/') || path === '/playground') return `/clients${modeQuery(m)}`;
  if (path.startsWith('/apis/')) return `/apis${modeQuery(m)}`;
  return null;
}

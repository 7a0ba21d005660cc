import { useEffect, useState } from 'react';
import { CLIENT_FIELDS, gql, messageOf, type Client, type Mode } from '../../api';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';
import { Link } from '../../components/Link';
import { formatDate } from '../../format';
import { modeFromQuery, modeQuery } from '../../mode';
import { navigate, useLocation } from '../../router';
import { canWrite, useRole } from '../../session';
import { ModeSwitch } from '../../components/ModeSwitch';

const PAGE_SIZE = 20;

interface Page {
  clients: { edges: Array<{ node: Client }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** A page as it arrived, with what was asked for it: the caption and pager describe these rows. */
interface Loaded {
  clients: Page['clients'];
  number: number;
  search: string;
  mode: Mode;
}

const LIST = `query Clients($first: Int, $after: String, $search: String) {
  clients(first: $first, after: $after, search: $search) {
    edges { node { ${CLIENT_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The clients of one mode, as the server filters them for this operator; searched on the server. */
export function ClientList() {
  const { query } = useLocation();
  const mode = modeFromQuery(query);
  const role = useRole();
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  // Cursors of the pages before this one (for "Previous page"), and this page's own.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [page, setPage] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const t = setTimeout(() => setSearch(typed.trim()), 250);
    return () => clearTimeout(t);
  }, [typed]);
  // Back to page 1 whenever the search or the mode changes: the dependencies are the trigger, not inputs.
  // biome-ignore lint/correctness/useExhaustiveDependencies: they are the reason the effect runs
  useEffect(() => setCursors([null]), [search, mode]);

  const number = cursors.length;
  const after = cursors[number - 1] ?? null;
  useEffect(() => {
    let live = true;
    setError(null);
    gql<Page>(LIST, { first: PAGE_SIZE, after, search: search || null }, mode)
      .then((d) => live && setPage({ clients: d.clients, number, search, mode }))
      .catch((e: unknown) => {
        if (!live) return;
        setPage(null);
        setError(messageOf(e));
      });
    return () => {
      live = false;
    };
  }, [after, number, search, mode]);
  // Until the page asked for arrives, the rows are the previous one's: the pager waits, so a
  // second click cannot reuse their cursor.
  const loading = page === null || page.number !== number || page.search !== search || page.mode !== mode;

  const setMode = (m: Mode) => navigate(`/clients${modeQuery(m)}`, { replace: true });
  const modeName = (m: Mode) => (m === 'LIVE' ? 'live' : 'test');

  return (
    <>
      <PageHeading>Clients</PageHeading>
      <div className="toolbar">
        <ModeSwitch mode={mode} onChange={setMode} />
        <p className="search">
          <label htmlFor="client-search">Search clients</label>
          <input
            id="client-search"
            type="search"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            placeholder="Name or id"
          />
        </p>
        {canWrite(role) && (
          <p className="page-actions">
            <button type="button" className="primary" onClick={() => navigate(`/clients/new${modeQuery(mode)}`)}>
              New client
            </button>
          </p>
        )}
      </div>
      <ErrorText error={error} />
      {page && (
        <>
          <table aria-busy={loading}>
            <caption>
              {page.mode === 'LIVE' ? 'Live' : 'Test'} clients{page.search ? ` matching “${page.search}”` : ''}, page{' '}
              {page.number}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Id</th>
                <th scope="col">Status</th>
                <th scope="col">Scopes</th>
                <th scope="col">Last used</th>
              </tr>
            </thead>
            <tbody>
              {page.clients.edges.length === 0 && (
                <tr>
                  <td colSpan={5}>
                    No {modeName(page.mode)} clients{page.search ? ' match this search' : ' yet'}.
                  </td>
                </tr>
              )}
              {page.clients.edges.map(({ node: c }) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/clients/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                  </td>
                  <td>
                    <code>{c.id}</code>
                  </td>
                  <td>{c.enabled ? 'Enabled' : <span className="off">Disabled</span>}</td>
                  <td>{c.scopes.length ? c.scopes.join(' ') : <span className="muted">none</span>}</td>
                  <td>
                    <time dateTime={c.lastUsedAt ?? undefined}>{formatDate(c.lastUsedAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav aria-label="Pages" className="pager">
            <button
              type="button"
              disabled={loading || page.number === 1}
              onClick={() => setCursors((c) => c.slice(0, -1))}
            >
              Previous page
            </button>
            <button
              type="button"
              disabled={loading || !page.clients.pageInfo.hasNextPage}
              onClick={() => setCursors((c) => [...c, page.clients.pageInfo.endCursor])}
            >
              Next page
            </button>
          </nav>
        </>
      )}
    </>
  );
}

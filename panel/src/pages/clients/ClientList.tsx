import { useEffect, useState, type MouseEvent } from 'react';
import { CLIENT_FIELDS, gql, messageOf, type Client, type Mode } from '../../api';
import { CopyButton } from '../../components/CopyButton';
import { GraceNote } from '../../components/GraceNote';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';
import { Link } from '../../components/Link';
import { formatDate } from '../../format';
import { chooseMode, modeFromQuery, modeLabel, modeQuery } from '../../mode';
import { currentNotice, navigate, useLocation } from '../../router';
import { canWrite, useRole } from '../../session';
import { arrange, type Arranged, type Order, type StatusFilter } from './arrange';
import { ClientSpark, useSparks } from './Sparklines';

const PAGE_SIZE = 20;
/** The server's largest page: the list is read whole, in as few requests as it allows. */
const FETCH_SIZE = 100;

interface Connection {
  clients: { edges: Array<{ node: Client }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** Every client of one mode as it arrived, with what was asked for it: the caption describes these. */
interface Loaded {
  clients: Client[];
  search: string;
  mode: Mode;
}

const LIST = `query Clients($first: Int, $after: String, $search: String) {
  clients(first: $first, after: $after, search: $search) {
    edges { node { ${CLIENT_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/**
 * Every client the server lets this operator see in one mode (and matching the search, which
 * the server does), walked page by page. The connection pages in id order and has no sort,
 * status filter or total, and ids are random: newest first, the filter and the count are right
 * only over the whole list, so the list is read whole and sorted, filtered and paged here.
 */
async function readAll(mode: Mode, search: string): Promise<Client[]> {
  const all: Client[] = [];
  let after: string | null = null;
  for (;;) {
    const d: Connection = await gql<Connection>(LIST, { first: FETCH_SIZE, after, search: search || null }, mode);
    all.push(...d.clients.edges.map((e) => e.node));
    if (!d.clients.pageInfo.hasNextPage || !d.clients.pageInfo.endCursor) return all;
    after = d.clients.pageInfo.endCursor;
  }
}

const ORDERS: ReadonlyArray<{ value: Order; label: string }> = [
  { value: 'newest', label: 'Newest first' },
  { value: 'oldest', label: 'Oldest first' },
  { value: 'name', label: 'Name, A to Z' },
];
const STATUSES: ReadonlyArray<{ value: StatusFilter; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'enabled', label: 'Enabled' },
  { value: 'disabled', label: 'Disabled' },
];

/** The clients of one mode, as the server filters them for this operator; searched on the server. */
export function ClientList() {
  const { query } = useLocation();
  const mode = modeFromQuery(query);
  // What was just done before arriving here (a client deleted), said once at the top.
  const notice = currentNotice();
  const role = useRole();
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [order, setOrder] = useState<Order>('newest');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [number, setNumber] = useState(1);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const t = setTimeout(() => setSearch(typed.trim()), 250);
    return () => clearTimeout(t);
  }, [typed]);
  // Back to page 1 whenever what is listed changes: the dependencies are the trigger, not inputs.
  // biome-ignore lint/correctness/useExhaustiveDependencies: they are the reason the effect runs
  useEffect(() => setNumber(1), [search, mode, order, status]);

  useEffect(() => {
    let live = true;
    setError(null);
    readAll(mode, search)
      .then((clients) => live && setLoaded({ clients, search, mode }))
      .catch((e: unknown) => {
        if (!live) return;
        setLoaded(null);
        setError(messageOf(e));
      });
    return () => {
      live = false;
    };
  }, [search, mode]);
  const loading = loaded === null || loaded.search !== search || loaded.mode !== mode;

  const other: Mode = mode === 'LIVE' ? 'TEST' : 'LIVE';
  const switchMode = () => {
    chooseMode(other);
    navigate(`/clients${modeQuery(other)}`);
  };
  const modeName = (m: Mode) => (m === 'LIVE' ? 'live' : 'test');
  const shown: Arranged | null = loaded && arrange(loaded.clients, { order, status, page: number, size: PAGE_SIZE });
  const sparks = useSparks(shown?.rows.map((c) => c.id) ?? [], loaded?.mode ?? mode);
  // A double click is one page on, as a single one (the second click's `detail` is 2).
  const turn = (e: MouseEvent, to: number) => {
    if (e.detail > 1) return;
    setNumber(to);
  };

  return (
    <>
      <PageHeading>Clients</PageHeading>
      <div className="toolbar">
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
        <p>
          <label htmlFor="client-status">Status</label>
          <select id="client-status" value={status} onChange={(e) => setStatus(e.target.value as StatusFilter)}>
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </p>
        <p>
          <label htmlFor="client-order">Sort</label>
          <select id="client-order" value={order} onChange={(e) => setOrder(e.target.value as Order)}>
            {ORDERS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </p>
        {canWrite(role) && (
          <p className="page-actions">
            <button type="button" className="primary" onClick={() => navigate(`/clients/new${modeQuery(mode)}`)}>
              New client
            </button>
          </p>
        )}
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorText error={error} />
      {loaded && shown && (
        <>
          <p className="count" role="status">
            {shown.total === loaded.clients.length
              ? `${shown.total} ${modeName(loaded.mode)} client${shown.total === 1 ? '' : 's'}`
              : `${shown.total} of ${loaded.clients.length} ${modeName(loaded.mode)} clients`}
            {loaded.search ? ` matching “${loaded.search}”` : ''}
          </p>
          <div className="table-box">
            <table aria-busy={loading} className="clients">
              <caption>
                {status === 'all'
                  ? modeLabel(loaded.mode)
                  : `${status === 'enabled' ? 'Enabled' : 'Disabled'} ${modeName(loaded.mode)}`}{' '}
                clients{loaded.search ? ` matching “${loaded.search}”` : ''}, page {shown.page} of {shown.pages},{' '}
                {ORDERS.find((o) => o.value === order)!.label.toLowerCase()}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Id</th>
                  <th scope="col">Status</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Tokens, 24 h</th>
                </tr>
              </thead>
              <tbody>
                {shown.rows.length === 0 && (
                  <tr>
                    <td colSpan={7}>
                      {loaded.search || status !== 'all' || loaded.clients.length > 0 ? (
                        `No ${status === 'all' ? '' : `${status} `}${modeName(loaded.mode)} clients${loaded.search ? ' match this search' : ''}.`
                      ) : (
                        <span className="empty">
                          No {modeName(loaded.mode)} clients yet.{' '}
                          {canWrite(role) && (
                            <Link to={`/clients/new${modeQuery(loaded.mode)}`}>
                              Create a {modeName(loaded.mode)} client
                            </Link>
                          )}{' '}
                          <button type="button" onClick={switchMode}>
                            Switch to {modeLabel(other)}
                          </button>
                        </span>
                      )}
                    </td>
                  </tr>
                )}
                {shown.rows.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link to={`/clients/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                    </td>
                    <td>
                      <span className="with-copy">
                        <code className="wrap">{c.id}</code>
                        <CopyButton text={c.id} label="Copy id" context={` of ${c.name}`} what="client id" />
                      </span>
                    </td>
                    <td>
                      {c.enabled ? 'Enabled' : <span className="off">Disabled</span>}
                      {c.graceEndsAt && (
                        <span className="hint">
                          <GraceNote endsAt={c.graceEndsAt} short />
                        </span>
                      )}
                    </td>
                    <td>{c.scopes.length ? c.scopes.join(' ') : <span className="muted">none</span>}</td>
                    <td>
                      <time dateTime={c.createdAt}>{formatDate(c.createdAt)}</time>
                    </td>
                    <td>
                      <time dateTime={c.lastUsedAt ?? undefined}>{formatDate(c.lastUsedAt)}</time>
                    </td>
                    <td className="spark-cell">
                      <ClientSpark name={c.name} spark={sparks === null ? null : sparks.get(c.id)} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {shown.pages > 1 && (
            <nav aria-label="Pages" className="pager">
              <button type="button" disabled={loading || shown.page === 1} onClick={(e) => turn(e, shown.page - 1)}>
                Previous page
              </button>
              <button
                type="button"
                disabled={loading || shown.page === shown.pages}
                onClick={(e) => turn(e, shown.page + 1)}
              >
                Next page
              </button>
            </nav>
          )}
        </>
      )}
    </>
  );
}

import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { gql, messageOf, onUnauthenticated, SESSION_FIELDS, type PanelSession } from './api';
import { Link } from './components/Link';
import { ErrorText } from './components/ErrorText';
import { modeOfPage, modeQuery, noteMode, openingMode, panelMode } from './mode';
import { navigate, readLocation, useLocation } from './router';
import { SessionContext, type SessionState } from './session';
import { SignIn } from './pages/sign-in/SignIn';
import { Setup } from './pages/setup/Setup';
import { Totp } from './pages/totp/Totp';
import { Account } from './pages/account/Account';
import { ClientList } from './pages/clients/ClientList';
import { NewClient } from './pages/new-client/NewClient';
import { ClientPage } from './pages/client/ClientPage';
import { Playground } from './pages/playground/Playground';
import { Operators } from './pages/operators/Operators';
import { SigningKeys } from './pages/keys/SigningKeys';
import { ApiList } from './pages/apis/ApiList';
import { NewApi } from './pages/apis/NewApi';
import { ApiPage } from './pages/apis/ApiPage';
import { NotFound } from './pages/not-found/NotFound';
import { TestModeSwitch } from './components/TestModeSwitch';
import { CLIENT_TABS, type ClientTab } from './pages/client/tabs';

/** The frame of every page: a skip link, the banner with navigation, and one main landmark. */
function Shell({
  session,
  onSignOut,
  children,
}: {
  session?: PanelSession;
  onSignOut?: () => void;
  children: ReactNode;
}) {
  const admin = session?.operator.role === 'ADMIN';
  const loc = useLocation();
  const q = modeQuery(panelMode(loc));
  // Pages without modes (operators, keys) keep the mode of the last page that had one.
  useEffect(() => {
    const m = modeOfPage(loc);
    if (m) noteMode(m);
  });
  const signedIn = session && !session.totpEnrollmentRequired;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="banner">
        <p className="brand">
          <Link to="/">Tollgate</Link> <span>developer panel</span>
        </p>
        {signedIn && (
          <nav aria-label="Main">
            <ul>
              <li>
                <Link to={`/clients${q}`}>Clients</Link>
              </li>
              <li>
                <Link to={`/apis${q}`}>APIs</Link>
              </li>
              <li>
                <Link to="/playground">Playground</Link>
              </li>
              {admin && (
                <li>
                  <Link to="/operators">Operators</Link>
                </li>
              )}
              {admin && (
                <li>
                  <Link to="/keys">Signing keys</Link>
                </li>
              )}
              <li>
                <Link to="/account">Account</Link>
              </li>
              <li>
                <a href="/docs">API docs</a>
              </li>
              <li>
                <a href="/graphql">GraphiQL</a>
              </li>
            </ul>
          </nav>
        )}
        {signedIn && <TestModeSwitch />}
        {session && (
          <div className="who">
            <span>
              {session.operator.email} ({session.operator.role.toLowerCase()})
            </span>
            <button type="button" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** A path segment decoded, or null when it is no valid percent-encoding. */
const decoded = (segment: string): string | null => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
};

/**
 * Decides the mode the panel opens on (mode.ts `openingMode`) when its address names none, and
 * shows the clients of that mode at the same address.
 */
function Opening({ onDone }: { onDone: () => void }) {
  useEffect(() => {
    let live = true;
    openingMode()
      .catch(() => 'LIVE' as const)
      .then((m) => {
        if (!live) return;
        noteMode(m);
        // The same address (the panel's root or its clients), with the mode in it.
        navigate(`${readLocation().path}${modeQuery(m)}`, { replace: true });
        onDone();
      });
    return () => {
      live = false;
    };
  }, [onDone]);
  return <p role="status">Loading…</p>;
}

const CLIENT_PATH = new RegExp(`^/clients/([^/]+)(?:/(${CLIENT_TABS.filter((t) => t).join('|')}))?$`);

function Routes() {
  const { path, query } = useLocation();
  if (path === '/' || path === '/clients') return <ClientList />;
  if (path === '/clients/new') return <NewClient />;
  const client = CLIENT_PATH.exec(path);
  if (client) {
    const id = decoded(client[1]!);
    if (id !== null) return <ClientPage key={client[1]} id={id} tab={(client[2] ?? '') as ClientTab} />;
  }
  if (path === '/apis') return <ApiList />;
  if (path === '/apis/new') return <NewApi />;
  const api = /^\/apis\/([^/]+)$/.exec(path);
  if (api) {
    const identifier = decoded(api[1]!);
    if (identifier !== null) return <ApiPage key={`${api[1]}${query.get('mode') ?? ''}`} identifier={identifier} />;
  }
  if (path === '/playground') return <Playground />;
  if (path === '/operators') return <Operators />;
  if (path === '/keys') return <SigningKeys />;
  if (path === '/account') return <Account />;
  return <NotFound />;
}

export function App() {
  const { path } = useLocation();
  // undefined while the first `me` is on its way; null when signed out.
  const [session, setSession] = useState<PanelSession | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Opened on the panel's root or the clients without a mode: the opening mode is yet to be decided.
  const [opening, setOpening] = useState(() => {
    const { path: p, query: q } = readLocation();
    return (p === '/' || p === '/clients') && !q.has('mode');
  });
  const opened = useCallback(() => setOpening(false), []);

  const refresh = useCallback(async () => {
    try {
      const d = await gql<{ me: PanelSession | null }>(`query Me { me { ${SESSION_FIELDS} } }`);
      setSession(d.me);
      setError(null);
    } catch (e) {
      setError(messageOf(e));
      setSession(null);
    }
  }, []);
  useEffect(() => void refresh(), [refresh]);
  useEffect(() => onUnauthenticated(() => setSession(null)), []);

  const signOut = async () => {
    try {
      await gql<{ signOut: boolean }>('mutation SignOut { signOut }');
    } catch {
      // Signed out on the server or not: this page forgets the session either way.
    }
    setSession(null);
    setOpening(true);
    setNotice('You are signed out.');
    navigate('/', { replace: true });
  };

  if (path === '/setup') {
    return (
      <Shell>
        <Setup
          onDone={(msg) => {
            setNotice(msg);
            navigate('/', { replace: true });
          }}
        />
      </Shell>
    );
  }
  if (session === undefined) {
    return (
      <Shell>
        <p role="status">Loading…</p>
      </Shell>
    );
  }
  if (session === null) {
    return (
      <Shell>
        <ErrorText error={error} />
        <SignIn
          notice={notice}
          onSignedIn={(s) => {
            setNotice(null);
            setSession(s);
          }}
        />
      </Shell>
    );
  }
  const state: SessionState = { session, refresh };
  return (
    <SessionContext.Provider value={state}>
      <Shell session={session} onSignOut={() => void signOut()}>
        {session.totpEnrollmentRequired ? <Totp required /> : opening ? <Opening onDone={opened} /> : <Routes />}
      </Shell>
    </SessionContext.Provider>
  );
}

import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { gql, messageOf, onUnauthenticated, SESSION_FIELDS, type PanelSession } from './api';
import { Link } from './components/Link';
import { ErrorText } from './components/ErrorText';
import { navigate, useLocation } from './router';
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
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="banner">
        <p className="brand">
          <Link to="/">Tollgate</Link> <span>developer panel</span>
        </p>
        {session && !session.totpEnrollmentRequired && (
          <nav aria-label="Main">
            <ul>
              <li>
                <Link to="/clients">Clients</Link>
              </li>
              <li>
                <Link to="/apis">APIs</Link>
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

function Routes() {
  const { path, query } = useLocation();
  if (path === '/' || path === '/clients') return <ClientList />;
  if (path === '/clients/new') return <NewClient />;
  const client = /^\/clients\/([^/]+)$/.exec(path);
  if (client) return <ClientPage key={client[1]} id={decodeURIComponent(client[1]!)} />;
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
        {session.totpEnrollmentRequired ? <Totp required /> : <Routes />}
      </Shell>
    </SessionContext.Provider>
  );
}

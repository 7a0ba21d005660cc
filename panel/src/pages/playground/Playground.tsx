import { useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { PageHeading } from '../../components/Heading';
import { CopyButton } from '../../components/CopyButton';
import { ErrorText } from '../../components/ErrorText';
import { asCurl, asFetch, buildRequest, decodeJwt, DOORS, type Door } from './requests';

interface Result {
  status: number;
  statusText: string;
  body: string;
  jwt: { header: unknown; claims: unknown } | null;
}

/**
 * Builds a door's token request in test mode, shows it as curl and fetch, runs it and shows
 * the answer with the decoded token. The credentials live in this component's state only:
 * never in storage, the URL or a cookie; the request is sent without cookies, like a machine's.
 */
export function Playground() {
  const [door, setDoor] = useState<Door>('v1');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [scope, setScope] = useState('');
  const [audience, setAudience] = useState('');
  const [result, setResult] = useState<Result | null>(null);
  const { busy, error, run: act } = useAction();

  const req = buildRequest(door, window.location.origin, { clientId: clientId.trim(), clientSecret, scope, audience });
  const curl = asCurl(req);
  const fetchCode = asFetch(req);

  const run = (e: FormEvent) => {
    e.preventDefault();
    setResult(null);
    return act(async () => {
      let res: Response;
      let text: string;
      try {
        res = await fetch(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          credentials: 'omit',
          cache: 'no-store',
        });
        text = await res.text();
      } catch {
        throw new Error('The request could not be sent.');
      }
      let parsed: unknown;
      let body = text;
      try {
        parsed = JSON.parse(text) as unknown;
        body = JSON.stringify(parsed, null, 2);
      } catch {
        parsed = undefined;
      }
      const token = req.tokenOf(parsed);
      setResult({ status: res.status, statusText: res.statusText, body, jwt: token ? decodeJwt(token) : null });
    });
  };

  return (
    <>
      <PageHeading>Playground</PageHeading>
      <p>
        Ask any door for a test-mode token (paths under <code>/test</code>) with a test client&apos;s credentials. They
        stay in this page only: they are not stored and not put in the address.
      </p>
      <form onSubmit={(e) => void run(e)} autoComplete="off" className="narrow">
        <fieldset className="mode-switch">
          <legend>Door</legend>
          {DOORS.map((d) => (
            <label key={d.door} className={d.door === door ? 'on' : undefined}>
              <input
                type="radio"
                name="door"
                value={d.door}
                checked={d.door === door}
                onChange={() => setDoor(d.door)}
              />
              {d.label}
            </label>
          ))}
        </fieldset>
        <p>
          <label htmlFor="pg-id">Client id</label>
          <input
            id="pg-id"
            className="mono"
            spellCheck={false}
            autoComplete="off"
            placeholder="cl_test_…"
            value={clientId}
            onChange={(e) => setClientId(e.target.value)}
          />
        </p>
        <p>
          <label htmlFor="pg-secret">Client secret</label>
          <input
            id="pg-secret"
            className="mono"
            type="password"
            spellCheck={false}
            autoComplete="off"
            data-1p-ignore
            placeholder="sk_test_…"
            value={clientSecret}
            onChange={(e) => setClientSecret(e.target.value)}
          />
        </p>
        <p>
          <label htmlFor="pg-audience">Audience (optional)</label>
          <input
            id="pg-audience"
            className="mono"
            spellCheck={false}
            aria-describedby="pg-audience-help"
            placeholder="https://api.example.com/invoices"
            value={audience}
            onChange={(e) => setAudience(e.target.value)}
          />
          <span className="hint" id="pg-audience-help">
            A test-mode API’s identifier: the token’s <code>aud</code>. Sent as{' '}
            <code>{door === 'oauth2' ? 'resource' : 'audience'}</code> at this door. Empty: the default API.
          </span>
        </p>
        {door !== 'common' && (
          <p>
            <label htmlFor="pg-scope">Scope (optional)</label>
            <input
              id="pg-scope"
              className="mono"
              spellCheck={false}
              value={scope}
              onChange={(e) => setScope(e.target.value)}
            />
          </p>
        )}
        <p className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Run in test mode
          </button>
        </p>
      </form>

      <section aria-labelledby="req-h">
        <h2 id="req-h">The request</h2>
        <div className="snippet-head">
          <h3 id="curl-h">curl</h3>
          <CopyButton text={curl} label="Copy curl" what="curl command" />
        </div>
        <pre aria-labelledby="curl-h" tabIndex={0} className="snippet">
          <code>{curl}</code>
        </pre>
        <div className="snippet-head">
          <h3 id="fetch-h">JavaScript fetch</h3>
          <CopyButton text={fetchCode} label="Copy fetch" what="fetch code" />
        </div>
        <pre aria-labelledby="fetch-h" tabIndex={0} className="snippet">
          <code>{fetchCode}</code>
        </pre>
      </section>

      <ErrorText error={error} />
      {result && (
        <section aria-labelledby="res-h" aria-live="polite">
          <h2 id="res-h">The response</h2>
          <p>
            Status: <strong data-testid="status">{`${result.status} ${result.statusText}`.trim()}</strong>
          </p>
          <h3 id="body-h">Response body</h3>
          <pre aria-labelledby="body-h" tabIndex={0}>
            <code>{result.body}</code>
          </pre>
          {result.jwt && (
            <>
              <h3 id="jwt-header-h">Token header</h3>
              <pre aria-labelledby="jwt-header-h" tabIndex={0}>
                <code>{JSON.stringify(result.jwt.header, null, 2)}</code>
              </pre>
              <h3 id="jwt-claims-h">Token claims</h3>
              <pre aria-labelledby="jwt-claims-h" tabIndex={0}>
                <code>{JSON.stringify(result.jwt.claims, null, 2)}</code>
              </pre>
            </>
          )}
        </section>
      )}
    </>
  );
}

import { useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { gql } from '../../api';
import { ALGS, API_FIELDS, apiPath, type Api } from '../../components/apis';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';
import { Link } from '../../components/Link';
import { modeFromQuery, modeQuery } from '../../mode';
import { navigate, useLocation } from '../../router';
import { useRole } from '../../session';
import { PermissionRows, permissionsOf, rowOf, type PermissionRow } from './PermissionRows';
import { parseTtl, TtlField } from './TtlField';

const CREATE = `mutation CreateApi($input: CreateApiInput!) { createApi(input: $input) { ${API_FIELDS} } }`;

/** A new API in the mode chosen on the APIs page (deployment admins only; the server decides). */
export function NewApi() {
  const mode = modeFromQuery(useLocation().query);
  const admin = useRole() === 'ADMIN';
  const [identifier, setIdentifier] = useState('');
  const [name, setName] = useState('');
  const [rows, setRows] = useState<PermissionRow[]>(() => [rowOf()]);
  const [ttl, setTtl] = useState('');
  const [alg, setAlg] = useState('');
  const { busy, error, setError, run } = useAction();
  const modeName = mode === 'LIVE' ? 'live' : 'test';
  const back = `/apis${modeQuery(mode)}`;

  if (!admin) {
    return (
      <>
        <PageHeading>New {modeName} API</PageHeading>
        <p>Only administrators create APIs.</p>
        <p>
          <Link to={back}>Back to the APIs</Link>
        </p>
      </>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const cap = parseTtl(ttl);
    if (cap.error) return setError(cap.error);
    await run(async () => {
      const input = {
        identifier: identifier.trim(),
        name,
        permissions: permissionsOf(rows),
        tokenTtlSeconds: cap.seconds,
        alg: alg || null,
      };
      const d = await gql<{ createApi: Api }>(CREATE, { input }, mode);
      navigate(apiPath(d.createApi.identifier, mode));
    });
  };

  return (
    <div className="wide">
      <PageHeading>New {modeName} API</PageHeading>
      <p>
        The API is created in {modeName} mode: tokens from{' '}
        {mode === 'LIVE' ? 'the live doors' : 'the doors under /test'} may name it as their audience, once a client
        holds a grant for it.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <p>
          <label htmlFor="new-api-identifier">Identifier</label>
          <input
            id="new-api-identifier"
            className="mono"
            required
            maxLength={255}
            spellCheck={false}
            autoComplete="off"
            aria-describedby="new-api-identifier-help"
            placeholder="https://api.example.com/invoices"
            value={identifier}
            onChange={(e) => setIdentifier(e.target.value)}
          />
          <span className="hint" id="new-api-identifier-help">
            An absolute URI, unique in this mode: it becomes the token’s <code>aud</code> and never changes.
          </span>
        </p>
        <p>
          <label htmlFor="new-api-name">API name</label>
          <input id="new-api-name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </p>
        <PermissionRows idPrefix="new-api" rows={rows} onChange={setRows} />
        <TtlField idPrefix="new-api" value={ttl} onChange={setTtl} />
        <p>
          <label htmlFor="new-api-alg">Signing algorithm</label>
          <select
            id="new-api-alg"
            aria-describedby="new-api-alg-help"
            value={alg}
            onChange={(e) => setAlg(e.target.value)}
          >
            <option value="">Deployment default (JWT_ALG)</option>
            {ALGS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
          <span className="hint" id="new-api-alg-help">
            What its tokens are signed with; resource servers find the key in the JWKS. It cannot be changed later.
          </span>
        </p>
        <ErrorText error={error} />
        <p className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Create API
          </button>
          <Link to={back}>Cancel</Link>
        </p>
      </form>
    </div>
  );
}

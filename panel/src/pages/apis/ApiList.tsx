import { useEffect, useState } from 'react';
import { gql, messageOf, type Mode } from '../../api';
import { algLabel, API_FIELDS, apiPath, ttlLabel, type Api } from '../../components/apis';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';
import { Link } from '../../components/Link';
import { ModeSwitch } from '../../components/ModeSwitch';
import { modeFromQuery, modeLabel, modeQuery } from '../../mode';
import { navigate, useLocation } from '../../router';
import { useRole } from '../../session';

const LIST = `query Apis { apis { ${API_FIELDS} } }`;

/** The APIs of one mode (every signed-in role reads them; only admins are offered to create one). */
export function ApiList() {
  const mode = modeFromQuery(useLocation().query);
  const admin = useRole() === 'ADMIN';
  const [loaded, setLoaded] = useState<{ mode: Mode; apis: Api[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    gql<{ apis: Api[] }>(LIST, {}, mode)
      .then((d) => live && setLoaded({ mode, apis: d.apis }))
      .catch((e: unknown) => {
        if (!live) return;
        setLoaded(null);
        setError(messageOf(e));
      });
    return () => {
      live = false;
    };
  }, [mode]);

  const setMode = (m: Mode) => navigate(`/apis${modeQuery(m)}`, { replace: true });
  const create = () => navigate(`/apis/new${modeQuery(mode)}`);
  const modeName = mode === 'LIVE' ? 'live' : 'test';

  return (
    <>
      <PageHeading>APIs</PageHeading>
      <p>
        The APIs behind Tollgate: a token names one in its <code>aud</code> and carries the permissions its client is
        granted there. A token request that names no API is for the deployment’s default API, whose permissions are each
        client’s own scopes.
      </p>
      <div className="toolbar">
        <ModeSwitch mode={mode} onChange={setMode} />
        {admin && (
          <p className="page-actions">
            <button type="button" className="primary" onClick={create}>
              New API
            </button>
          </p>
        )}
      </div>
      <ErrorText error={error} />
      {loaded && loaded.apis.length === 0 && (
        <div className="empty" aria-busy={loaded.mode !== mode}>
          <p>No {modeName} APIs yet.</p>
          {admin ? (
            <p>
              <Link to={`/apis/new${modeQuery(mode)}`}>Create the first {modeName} API</Link>
            </p>
          ) : (
            <p>An administrator creates them.</p>
          )}
        </div>
      )}
      {loaded && loaded.apis.length > 0 && (
        <table className="cards" aria-busy={loaded.mode !== mode}>
          <caption>{modeLabel(loaded.mode)} APIs</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Identifier</th>
              <th scope="col">Permissions</th>
              <th scope="col">Token lifetime</th>
              <th scope="col">Algorithm</th>
            </tr>
          </thead>
          <tbody>
            {loaded.apis.map((a) => (
              <tr key={a.id}>
                <td data-label="Name">
                  <Link to={apiPath(a.identifier, loaded.mode)}>{a.name}</Link>
                </td>
                <td data-label="Identifier">
                  <code className="wrap">{a.identifier}</code>
                </td>
                <td data-label="Permissions">{a.permissions.length}</td>
                <td data-label="Token lifetime">{ttlLabel(a.tokenTtlSeconds)}</td>
                <td data-label="Algorithm">{algLabel(a.alg)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

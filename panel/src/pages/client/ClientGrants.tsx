import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { gql, messageOf, type Client } from '../../api';
import { apiPath, type ApiPermission } from '../../components/apis';
import { ErrorText } from '../../components/ErrorText';
import { Link } from '../../components/Link';
import { modeQuery } from '../../mode';

interface ApiRow {
  identifier: string;
  name: string;
  permissions: ApiPermission[];
}
interface Loaded {
  apis: ApiRow[];
  client: { grants: Array<{ api: { identifier: string }; permissions: string[] }> } | null;
}
const LOAD = `query ClientGrants($id: ID!) {
  apis { identifier name permissions { name description } }
  client(id: $id) { grants { api { identifier } permissions } }
}`;
const SET = `mutation SetGrant($clientId: ID!, $identifier: String!, $permissions: [String!]!) {
  setGrant(clientId: $clientId, identifier: $identifier, permissions: $permissions) { permissions }
}`;
const REMOVE = `mutation RemoveGrant($clientId: ID!, $identifier: String!) {
  removeGrant(clientId: $clientId, identifier: $identifier) { clientId }
}`;

/**
 * A client's grants, one form per API of its mode: a checkbox per permission, checked when
 * granted. Save sets the grant (or removes it when nothing is left checked). Whoever may change
 * the client may change its grants; the server decides, a viewer sees the boxes disabled.
 */
export function ClientGrants({ client, writer }: { client: Client; writer: boolean }) {
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setData(await gql<Loaded>(LOAD, { id: client.id }, client.mode));
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    }
  }, [client.id, client.mode]);
  useEffect(() => void load(), [load]);

  const modeName = client.mode === 'LIVE' ? 'live' : 'test';
  return (
    <section aria-labelledby="grants-h">
      <h2 id="grants-h">APIs</h2>
      <p id="grants-help">
        What this client may ask for at each {modeName} API, as the token’s <code>aud</code> and <code>scope</code>. Its
        scopes (under Settings) are what it gets from the default API.
      </p>
      {!writer && (
        <p className="muted" id="grants-readonly">
          Read only: an administrator, or a developer of the client’s organisation, changes its grants.
        </p>
      )}
      <ErrorText error={error} />
      {data && data.apis.length === 0 && (
        <p>
          No {modeName} APIs yet. <Link to={`/apis${modeQuery(client.mode)}`}>See the APIs</Link>
        </p>
      )}
      {data?.apis.map((api, i) => (
        <GrantForm
          key={api.identifier}
          slug={`grant-${i}`}
          client={client}
          api={api}
          granted={data.client?.grants.find((g) => g.api.identifier === api.identifier)?.permissions ?? null}
          writer={writer}
          onSaved={() => void load()}
        />
      ))}
    </section>
  );
}

interface GrantFormProps {
  /** Unique on the page: the checkboxes' ids start with it. */
  slug: string;
  client: Client;
  api: ApiRow;
  /** The permissions granted now; null, no grant. */
  granted: string[] | null;
  writer: boolean;
  onSaved: () => void;
}

function GrantForm(props: GrantFormProps) {
  const { slug, client, api, granted, writer, onSaved } = props;
  const [checked, setChecked] = useState<Set<string>>(() => new Set(granted ?? []));
  const { busy, error, run } = useAction();
  const [saved, setSaved] = useState<string | null>(null);
  const key = JSON.stringify(granted);
  // A fresh answer from the server (after a save) is what the boxes show.
  useEffect(() => setChecked(new Set(JSON.parse(key) as string[] | null)), [key]);

  const toggle = (name: string, on: boolean) => {
    setSaved(null);
    setChecked((s) => {
      const next = new Set(s);
      if (on) next.add(name);
      else next.delete(name);
      return next;
    });
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    return run(async () => {
      // In the API's order, as the server keeps them.
      const permissions = api.permissions.map((p) => p.name).filter((p) => checked.has(p));
      if (permissions.length > 0) {
        await gql(SET, { clientId: client.id, identifier: api.identifier, permissions }, client.mode);
        setSaved('Saved.');
      } else if (granted !== null) {
        await gql(REMOVE, { clientId: client.id, identifier: api.identifier }, client.mode);
        setSaved('Grant removed.');
      } else {
        setSaved('Nothing to save: no permission is granted.');
        return;
      }
      onSaved();
    });
  };

  const describedBy = ['grants-help', writer ? null : 'grants-readonly'].filter(Boolean).join(' ');
  return (
    <form className="grant" onSubmit={(e) => void save(e)}>
      <fieldset aria-describedby={describedBy}>
        <legend>{api.name}</legend>
        <p className="hint">
          <Link to={apiPath(api.identifier, client.mode)}>
            <code className="wrap">{api.identifier}</code>
          </Link>
          {granted === null ? ' · no grant' : ''}
        </p>
        {api.permissions.length === 0 && <p className="muted">This API has no permissions to grant.</p>}
        <ul className="checks">
          {api.permissions.map((p, j) => {
            const id = `${slug}-${j}`;
            return (
              <li key={p.name}>
                <input
                  type="checkbox"
                  id={id}
                  checked={checked.has(p.name)}
                  disabled={!writer}
                  aria-describedby={p.description ? `${id}-d` : undefined}
                  onChange={(e) => toggle(p.name, e.target.checked)}
                />
                <label htmlFor={id}>
                  <code>{p.name}</code>
                </label>
                {p.description && (
                  <span className="hint" id={`${id}-d`}>
                    {p.description}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      </fieldset>
      <ErrorText error={error} />
      <p role="status">{saved}</p>
      {writer && api.permissions.length > 0 && (
        <p className="actions">
          <button type="submit" disabled={busy}>
            Save grants<span className="visually-hidden"> for {api.name}</span>
          </button>
        </p>
      )}
    </form>
  );
}

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { gql, messageOf } from '../../api';
import { algLabel, API_FIELDS, ttlLabel, type Api, type Grant } from '../../components/apis';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';
import { Link } from '../../components/Link';
import { modeFromQuery, modeLabel, modeQuery } from '../../mode';
import { formatDate } from '../../format';
import { navigate, useLocation } from '../../router';
import { useRole } from '../../session';
import { DeleteApiDialog } from './DeleteApiDialog';
import { PermissionRows, permissionsOf, rowsOf, type PermissionRow } from './PermissionRows';
import { parseTtl, TtlField } from './TtlField';

type Full = Api & { grants: Array<Grant & { client: { name: string } | null }> };
const ONE = `query Api($identifier: String!) {
  api(identifier: $identifier) { ${API_FIELDS} grants { clientId client { name } permissions } }
}`;
const UPDATE = `mutation UpdateApi($input: UpdateApiInput!) { updateApi(input: $input) { ${API_FIELDS} } }`;

interface Draft {
  name: string;
  rows: PermissionRow[];
  ttl: string;
}
const draftOf = (a: Api): Draft => ({
  name: a.name,
  rows: rowsOf(a.permissions),
  ttl: a.tokenTtlSeconds?.toString() ?? '',
});

/** One API: its details, who holds which of its permissions, and (admins) its edit form and deletion. */
export function ApiPage({ identifier }: { identifier: string }) {
  const mode = modeFromQuery(useLocation().query);
  const admin = useRole() === 'ADMIN';
  const [api, setApi] = useState<Full | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>({ name: '', rows: [], ttl: '' });
  const saving = useAction();
  const [saved, setSaved] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const back = `/apis${modeQuery(mode)}`;

  const load = useCallback(async () => {
    try {
      const d = await gql<{ api: Full | null }>(ONE, { identifier }, mode);
      setApi(d.api);
      setLoadError(null);
      if (!d.api) return;
      setDraft(draftOf(d.api));
    } catch (e) {
      setApi(null);
      setLoadError(messageOf(e));
    }
  }, [identifier, mode]);
  useEffect(() => void load(), [load]);

  if (api === undefined) return <p role="status">Loading…</p>;
  if (api === null) {
    return (
      <>
        <PageHeading>API not found</PageHeading>
        <ErrorText error={loadError} />
        <p>
          No {mode === 'LIVE' ? 'live' : 'test'} API <code className="wrap">{identifier}</code>.{' '}
          <Link to={back}>Back to the APIs</Link>
        </p>
      </>
    );
  }

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const cap = parseTtl(draft.ttl);
    if (cap.error) return saving.setError(cap.error);
    setSaved(null);
    await saving.run(async () => {
      const input = {
        identifier: api.identifier,
        name: draft.name,
        permissions: permissionsOf(draft.rows),
        ...(cap.seconds === null ? { clearTokenTtl: true } : { tokenTtlSeconds: cap.seconds }),
      };
      await gql<{ updateApi: Api }>(UPDATE, { input }, mode);
      await load();
      setSaved('Saved.');
    });
  };
  const granted = (g: Grant, p: string) => g.permissions.includes(p);

  return (
    <>
      <p className="crumbs">
        <Link to={back}>{modeLabel(mode)} APIs</Link>
      </p>
      <PageHeading>{api.name}</PageHeading>
      <dl className="details">
        <dt>Identifier</dt>
        <dd>
          <code className="wrap">{api.identifier}</code>
        </dd>
        <dt>Mode</dt>
        <dd>{modeLabel(api.mode)}</dd>
        <dt>Token lifetime</dt>
        <dd>{ttlLabel(api.tokenTtlSeconds)}</dd>
        <dt>Algorithm</dt>
        <dd>{algLabel(api.alg)}</dd>
        <dt>Created</dt>
        <dd>{formatDate(api.createdAt)}</dd>
        <dt>Updated</dt>
        <dd>{formatDate(api.updatedAt)}</dd>
      </dl>

      <section aria-labelledby="perms-h">
        <h2 id="perms-h">Permissions</h2>
        {api.permissions.length === 0 ? (
          <p>No permissions: tokens for this API carry no scope.</p>
        ) : (
          <table className="cards">
            <caption>Permissions of {api.name}</caption>
            <thead>
              <tr>
                <th scope="col">Permission</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {api.permissions.map((p) => (
                <tr key={p.name}>
                  <td data-label="Permission">
                    <code>{p.name}</code>
                  </td>
                  <td data-label="Description">{p.description || <span className="muted">none</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="holders-h">
        <h2 id="holders-h">Who holds what</h2>
        {api.grants.length === 0 ? (
          <p>
            No client {admin ? '' : 'that you can see '}holds a grant for this API. Grants are set on each client’s
            page.
          </p>
        ) : (
          // A matrix stays a grid: on a narrow screen it scrolls inside its own box, which the
          // keyboard can reach and scroll too.
          <section className="scroll" aria-label={`Clients holding permissions of ${api.name}`} tabIndex={0}>
            <table className="matrix">
              <caption>Clients holding permissions of {api.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Client</th>
                  {api.permissions.map((p) => (
                    <th scope="col" key={p.name}>
                      <code>{p.name}</code>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {api.grants.map((g) => (
                  <tr key={g.clientId}>
                    <th scope="row">
                      <Link to={`/clients/${encodeURIComponent(g.clientId)}`}>{g.client?.name ?? g.clientId}</Link>
                      {g.client && (
                        <>
                          {' '}
                          <code className="muted">{g.clientId}</code>
                        </>
                      )}
                    </th>
                    {api.permissions.map((p) => (
                      <td key={p.name} className={granted(g, p.name) ? 'yes' : 'no'}>
                        {granted(g, p.name) ? 'Granted' : 'No'}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </section>

      {admin ? (
        <>
          <section aria-labelledby="edit-api-h" className="wide">
            <h2 id="edit-api-h">Edit</h2>
            <p className="warning">
              A permission taken away ends the tokens that carry it, and the grants that held it no longer give it.
            </p>
            <form onSubmit={(e) => void save(e)}>
              <p>
                <label htmlFor="edit-api-name">API name</label>
                <input
                  id="edit-api-name"
                  required
                  maxLength={200}
                  value={draft.name}
                  onChange={(e) => setDraft({ ...draft, name: e.target.value })}
                />
              </p>
              <PermissionRows idPrefix="edit-api" rows={draft.rows} onChange={(rows) => setDraft({ ...draft, rows })} />
              <TtlField idPrefix="edit-api" value={draft.ttl} onChange={(ttl) => setDraft({ ...draft, ttl })} />
              <p className="hint">The identifier and the signing algorithm are set when the API is created.</p>
              <ErrorText error={saving.error} />
              <p role="status">{saved}</p>
              <p className="actions">
                <button type="submit" className="primary" disabled={saving.busy}>
                  Save
                </button>
              </p>
            </form>
          </section>
          <section aria-labelledby="delete-api-h">
            <h2 id="delete-api-h">Delete</h2>
            <p>Deleting the API ends every token issued for it at Tollgate’s endpoints.</p>
            <button type="button" className="danger" onClick={() => setDeleting(true)}>
              Delete API
            </button>
          </section>
        </>
      ) : (
        <p className="muted">Only administrators change or delete APIs.</p>
      )}

      {deleting && (
        <DeleteApiDialog
          api={api}
          holders={api.grants.length}
          onClose={() => setDeleting(false)}
          onDeleted={() => {
            setDeleting(false);
            navigate(back);
          }}
        />
      )}
    </>
  );
}

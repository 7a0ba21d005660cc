import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { CLIENT_FIELDS, gql, messageOf, modeOfClientId, type AuditEvent, type Client } from '../../api';
import { ClientFields, type ClientDraft } from '../../components/ClientFields';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';
import { Link } from '../../components/Link';
import { SecretOnce } from '../../components/SecretOnce';
import { checkAllowlist, formatDate, parseList } from '../../format';
import { modeQuery } from '../../mode';
import { canWrite, useRole } from '../../session';
import { AuditTrail } from './AuditTrail';
import { ClientGrants } from './ClientGrants';
import { RotateDialog, type Rotated } from './RotateDialog';

type Full = Client & { auditTrail: AuditEvent[] };
const FULL = `${CLIENT_FIELDS} auditTrail(first: 50) { id at action actor clientId sourceIp detail }`;

const draftOf = (c: Client): ClientDraft => ({
  name: c.name,
  scopes: c.scopes.join(' '),
  allowedIps: c.allowedIps.join('\n'),
});

/** One client: its details, edit form, status, secret rotation and audit trail. */
export function ClientPage({ id }: { id: string }) {
  const mode = modeOfClientId(id);
  const writer = canWrite(useRole());
  const [client, setClient] = useState<Full | null | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<ClientDraft>({ name: '', scopes: '', allowedIps: '' });
  const saving = useAction();
  const [saved, setSaved] = useState<string | null>(null);
  const status = useAction();
  // One change at a time: either action disables both buttons.
  const busy = saving.busy || status.busy;
  const [rotating, setRotating] = useState(false);
  const [rotated, setRotated] = useState<Rotated | null>(null);

  const load = useCallback(async () => {
    try {
      const d = await gql<{ client: Full | null }>(
        `query Client($id: ID!) { client(id: $id) { ${FULL} } }`,
        { id },
        mode,
      );
      setClient(d.client);
      if (d.client) setDraft(draftOf(d.client));
      setLoadError(null);
    } catch (e) {
      setClient(null);
      setLoadError(messageOf(e));
    }
  }, [id, mode]);
  useEffect(() => void load(), [load]);

  if (client === undefined) return <p role="status">Loading…</p>;
  if (client === null) {
    return (
      <>
        <PageHeading>Client not found</PageHeading>
        <ErrorText error={loadError} />
        <p>
          No client <code>{id}</code> that you may see.{' '}
          <Link to={`/clients${modeQuery(mode)}`}>Back to the clients</Link>
        </p>
      </>
    );
  }

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const ips = checkAllowlist(draft.allowedIps);
    if (ips.error) return saving.setError(ips.error);
    setSaved(null);
    await saving.run(async () => {
      await gql<{ updateClient: Client }>(
        `mutation UpdateClient($input: UpdateClientInput!) { updateClient(input: $input) { ${CLIENT_FIELDS} } }`,
        { input: { id: client.id, name: draft.name, scopes: parseList(draft.scopes), allowedIps: ips.entries } },
        mode,
      );
      await load();
      setSaved('Saved.');
    });
  };
  const setEnabled = (enabled: boolean) =>
    status.run(async () => {
      const field = enabled ? 'enableClient' : 'disableClient';
      await gql(`mutation SetEnabled($id: ID!) { ${field}(id: $id) { id enabled } }`, { id: client.id }, mode);
      await load();
    });

  return (
    <>
      <p className="crumbs">
        <Link to={`/clients${modeQuery(mode)}`}>{mode === 'LIVE' ? 'Live' : 'Test'} clients</Link>
      </p>
      <PageHeading>{client.name}</PageHeading>
      <dl className="details">
        <dt>Client id</dt>
        <dd>
          <code>{client.id}</code>
        </dd>
        <dt>Mode</dt>
        <dd>{client.mode === 'LIVE' ? 'Live' : 'Test'}</dd>
        <dt>Status</dt>
        <dd>{client.enabled ? 'Enabled' : 'Disabled'}</dd>
        <dt>Scopes</dt>
        <dd>{client.scopes.length ? client.scopes.join(' ') : 'none'}</dd>
        <dt>IP allowlist</dt>
        <dd>{client.allowedIps.length ? client.allowedIps.join(', ') : 'any address'}</dd>
        <dt>Organisation</dt>
        <dd>{client.orgId ?? 'none'}</dd>
        <dt>Secret generation</dt>
        <dd>{client.secretGeneration}</dd>
        <dt>Created</dt>
        <dd>{formatDate(client.createdAt)}</dd>
        <dt>Last used</dt>
        <dd>{formatDate(client.lastUsedAt)}</dd>
      </dl>

      {rotated && <SecretOnce clientId={rotated.clientId} secret={rotated.clientSecret} />}

      {writer && (
        <>
          <section aria-labelledby="secret-h">
            <h2 id="secret-h">Secret</h2>
            <p>Rotating issues a new secret and ends the current one, at once or after a grace period.</p>
            <button type="button" className="danger" onClick={() => setRotating(true)}>
              Rotate secret
            </button>
          </section>
          <section aria-labelledby="status-h">
            <h2 id="status-h">Status</h2>
            <p>
              {client.enabled
                ? 'A disabled client gets no tokens and its tokens are refused.'
                : 'This client is disabled: it gets no tokens.'}
            </p>
            <ErrorText error={status.error} />
            <button type="button" disabled={busy} onClick={() => void setEnabled(!client.enabled)}>
              {client.enabled ? 'Disable' : 'Enable'}
            </button>
          </section>
          <section aria-labelledby="edit-h" className="narrow">
            <h2 id="edit-h">Edit</h2>
            <form onSubmit={(e) => void save(e)}>
              <ClientFields idPrefix="edit" draft={draft} onChange={setDraft} />
              <ErrorText error={saving.error} />
              <p role="status">{saved}</p>
              <p className="actions">
                <button type="submit" className="primary" disabled={busy}>
                  Save
                </button>
              </p>
            </form>
          </section>
        </>
      )}

      <ClientGrants client={client} writer={writer} />

      <AuditTrail events={client.auditTrail} />

      {rotating && (
        <RotateDialog
          client={client}
          onClose={() => setRotating(false)}
          onRotated={(r) => {
            setRotating(false);
            setRotated(r);
            void load();
          }}
        />
      )}
    </>
  );
}

import { useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { CLIENT_FIELDS, gql, type Client } from '../../api';
import { ClientFields, type ClientDraft } from '../../components/ClientFields';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';
import { Link } from '../../components/Link';
import { SecretOnce } from '../../components/SecretOnce';
import { checkAllowlist, parseList } from '../../format';
import { modeFromQuery, modeQuery } from '../../mode';
import { useLocation } from '../../router';
import { useRole } from '../../session';

interface Created {
  createClient: { client: Client; clientSecret: string };
}

const CREATE = `mutation CreateClient($input: CreateClientInput!) { createClient(input: $input) { clientSecret client { ${CLIENT_FIELDS} } } }`;

/** A new client in the mode chosen on the clients page; its secret is shown here once. */
export function NewClient() {
  const mode = modeFromQuery(useLocation().query);
  const admin = useRole() === 'ADMIN';
  const [draft, setDraft] = useState<ClientDraft>({ name: '', scopes: '', allowedIps: '' });
  const [orgId, setOrgId] = useState('');
  const { busy, error, setError, run } = useAction();
  const [created, setCreated] = useState<Created['createClient'] | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ips = checkAllowlist(draft.allowedIps);
    if (ips.error) return setError(ips.error);
    await run(async () => {
      const input: Record<string, unknown> = {
        name: draft.name,
        scopes: parseList(draft.scopes),
        allowedIps: ips.entries,
      };
      if (admin && orgId.trim()) input.orgId = orgId.trim();
      const d = await gql<Created>(CREATE, { input }, mode);
      setCreated(d.createClient);
    });
  };

  const modeName = mode === 'LIVE' ? 'live' : 'test';
  if (created) {
    return (
      <>
        <PageHeading>Client created</PageHeading>
        <p>
          The {modeName} client <strong>{created.client.name}</strong> exists now.
        </p>
        <SecretOnce clientId={created.client.id} secret={created.clientSecret} />
        <p>
          <Link to={`/clients/${encodeURIComponent(created.client.id)}`}>Open the client</Link> ·{' '}
          <Link to={`/clients${modeQuery(mode)}`}>Back to the clients</Link>
        </p>
      </>
    );
  }
  return (
    <div className="narrow">
      <PageHeading>New {modeName} client</PageHeading>
      <p>
        The client is created in {modeName} mode{mode === 'TEST' ? ' (its credentials work only under /test)' : ''}. Its
        secret is shown once, on the next page.
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <ClientFields idPrefix="new" draft={draft} onChange={setDraft} />
        {admin && (
          <p>
            <label htmlFor="new-org">Organisation</label>
            <input
              id="new-org"
              aria-describedby="new-org-help"
              value={orgId}
              onChange={(e) => setOrgId(e.target.value)}
            />
            <span className="hint" id="new-org-help">
              The organisation whose developers manage this client. Empty: none (administrators only).
            </span>
          </p>
        )}
        <ErrorText error={error} />
        <p className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Create
          </button>
          <Link to={`/clients${modeQuery(mode)}`}>Cancel</Link>
        </p>
      </form>
    </div>
  );
}

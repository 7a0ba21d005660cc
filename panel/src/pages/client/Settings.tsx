import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { CLIENT_FIELDS, gql, type Client } from '../../api';
import { ClientFields, type ClientDraft } from '../../components/ClientFields';
import { ErrorText } from '../../components/ErrorText';
import { checkAllowlist, parseList } from '../../format';
import { modeQuery } from '../../mode';
import { navigate } from '../../router';
import { DeleteDialog } from './DeleteDialog';
import { DisableDialog } from './DisableDialog';

const draftOf = (c: Client): ClientDraft => ({
  name: c.name,
  scopes: c.scopes.join(' '),
  allowedIps: c.allowedIps.join('\n'),
});

/**
 * Name, scopes and allowlist (a form for those who may change the client, the values for a
 * viewer), the organisation (set when the client is made), and disabling: confirmed in a
 * dialog that says what dies; enabling asks nothing. Deleting, for good, asks the client's name
 * or id to be typed, then goes back to the clients list, which says so.
 */
export function Settings({
  client,
  writer,
  onChanged,
}: {
  client: Client;
  writer: boolean;
  onChanged: () => Promise<void>;
}) {
  const [draft, setDraft] = useState<ClientDraft>(() => draftOf(client));
  const saving = useAction();
  const [saved, setSaved] = useState<string | null>(null);
  const status = useAction();
  const [disabling, setDisabling] = useState(false);
  const [deleting, setDeleting] = useState(false);
  // One change at a time: either action disables both buttons.
  const busy = saving.busy || status.busy;
  // Disable and Enable take each other's place: when one goes with the focus, its successor takes it.
  const statusButton = useRef<HTMLButtonElement>(null);
  const seen = useRef(client.enabled);
  useEffect(() => {
    if (seen.current === client.enabled) return;
    seen.current = client.enabled;
    if (document.activeElement === document.body || document.activeElement === null) statusButton.current?.focus();
  }, [client.enabled]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const ips = checkAllowlist(draft.allowedIps);
    if (ips.error) return saving.setError(ips.error);
    setSaved(null);
    await saving.run(async () => {
      const d = await gql<{ updateClient: Client }>(
        `mutation UpdateClient($input: UpdateClientInput!) { updateClient(input: $input) { ${CLIENT_FIELDS} } }`,
        { input: { id: client.id, name: draft.name, scopes: parseList(draft.scopes), allowedIps: ips.entries } },
        client.mode,
      );
      setDraft(draftOf(d.updateClient));
      await onChanged();
      setSaved('Saved.');
    });
  };
  const enable = () =>
    status.run(async () => {
      await gql('mutation Enable($id: ID!) { enableClient(id: $id) { id enabled } }', { id: client.id }, client.mode);
      await onChanged();
    });

  return (
    <section aria-labelledby="tab-h">
      <h2 id="tab-h">Settings</h2>
      {writer ? (
        <form onSubmit={(e) => void save(e)} className="narrow">
          <ClientFields idPrefix="edit" draft={draft} onChange={setDraft} />
          <ErrorText error={saving.error} />
          <p role="status">{saved}</p>
          <p className="actions">
            <button type="submit" className="primary" disabled={busy}>
              Save
            </button>
          </p>
        </form>
      ) : (
        <dl className="details">
          <dt>Name</dt>
          <dd>{client.name}</dd>
          <dt>Scopes</dt>
          <dd>{client.scopes.length ? client.scopes.join(' ') : 'none'}</dd>
          <dt>IP allowlist</dt>
          <dd>{client.allowedIps.length ? client.allowedIps.join(', ') : 'any address'}</dd>
        </dl>
      )}
      <h3>Organisation</h3>
      <p>
        {client.orgId ? (
          <>
            <code>{client.orgId}</code>: its developers manage this client.
          </>
        ) : (
          'None: administrators only manage this client.'
        )}{' '}
        Set when the client is made.
      </p>
      <section aria-labelledby="status-h">
        <h3 id="status-h">Status</h3>
        <p>
          {client.enabled
            ? 'Enabled: it gets tokens. A disabled client gets no tokens and its tokens are refused.'
            : 'Disabled: it gets no tokens, and the tokens it held before stay refused.'}
        </p>
        <ErrorText error={status.error} />
        {writer &&
          (client.enabled ? (
            <button
              type="button"
              className="danger"
              ref={statusButton}
              disabled={busy}
              onClick={() => setDisabling(true)}
            >
              Disable
            </button>
          ) : (
            <button type="button" ref={statusButton} disabled={busy} onClick={() => void enable()}>
              Enable
            </button>
          ))}
      </section>
      {writer && (
        <section aria-labelledby="delete-h">
          <h3 id="delete-h">Delete</h3>
          <p>Deleting the client ends every token it holds and removes it for good; its id never comes back.</p>
          <button type="button" className="danger" disabled={busy} onClick={() => setDeleting(true)}>
            Delete client
          </button>
        </section>
      )}
      {deleting && (
        <DeleteDialog
          client={client}
          onClose={() => setDeleting(false)}
          onDeleted={() =>
            navigate(`/clients${modeQuery(client.mode)}`, { notice: `Client ${client.name} (${client.id}) deleted.` })
          }
        />
      )}
      {disabling && (
        <DisableDialog
          client={client}
          onClose={() => setDisabling(false)}
          onDisabled={() => {
            setDisabling(false);
            void onChanged();
          }}
        />
      )}
    </section>
  );
}

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { CLIENT_FIELDS, gql, type Client } from '../../api';
import { ClientFields, type ClientDraft } from '../../components/ClientFields';
import { ErrorText } from '../../components/ErrorText';
import { checkAllowlist, parseList } from '../../format';
import { modeQuery } from '../../mode';
import { formatCount } from '../../usage';
import { navigate } from '../../router';
import { DeleteDialog } from './DeleteDialog';
import { DisableDialog } from './DisableDialog';

type SettingsDraft = ClientDraft & { tokensPerMinute: string; burst: string };

const draftOf = (c: Client): SettingsDraft => ({
  name: c.name,
  scopes: c.scopes.join(' '),
  allowedIps: c.allowedIps.join('\n'),
  tokensPerMinute: c.tokensPerMinute === null ? '' : String(c.tokensPerMinute),
  burst: c.burst === null ? '' : String(c.burst),
});

/** A quota field as typed: empty is null (no quota, or the default burst); else a whole number. */
function quotaNumber(text: string, name: string): { value: number | null; error: string | null } {
  const t = text.trim();
  if (t === '') return { value: null, error: null };
  if (!/^\d+$/.test(t)) return { value: null, error: `${name} must be a whole number, or empty.` };
  return { value: Number(t), error: null };
}

/**
 * Name, scopes, allowlist and token quota (a form for those who may change the client, the
 * values for a viewer), the organisation (set when the client is made), and disabling: confirmed in a
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
  const [draft, setDraft] = useState<SettingsDraft>(() => draftOf(client));
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
    const rate = quotaNumber(draft.tokensPerMinute, 'Tokens per minute');
    const burst = quotaNumber(draft.burst, 'Burst');
    if (rate.error ?? burst.error) return saving.setError(rate.error ?? burst.error);
    setSaved(null);
    await saving.run(async () => {
      const d = await gql<{ updateClient: Client }>(
        `mutation UpdateClient($input: UpdateClientInput!) { updateClient(input: $input) { ${CLIENT_FIELDS} } }`,
        {
          input: {
            id: client.id,
            name: draft.name,
            scopes: parseList(draft.scopes),
            allowedIps: ips.entries,
            // Sent every time: null clears the quota (or its burst), as the field shows empty.
            tokensPerMinute: rate.value,
            burst: burst.value,
          },
        },
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
          <ClientFields idPrefix="edit" draft={draft} onChange={(d) => setDraft({ ...draft, ...d })} />
          <fieldset>
            <legend>Token quota</legend>
            <p>
              <label htmlFor="edit-rate">Tokens per minute</label>
              <input
                id="edit-rate"
                className="short"
                inputMode="numeric"
                aria-describedby="edit-rate-help"
                value={draft.tokensPerMinute}
                onChange={(e) => setDraft({ ...draft, tokensPerMinute: e.target.value })}
              />
              <span className="hint" id="edit-rate-help">
                Empty: no quota. Over it, every door answers rate_limited (429) with Retry-After.
              </span>
            </p>
            <p>
              <label htmlFor="edit-burst">Burst</label>
              <input
                id="edit-burst"
                className="short"
                inputMode="numeric"
                aria-describedby="edit-burst-help"
                value={draft.burst}
                onChange={(e) => setDraft({ ...draft, burst: e.target.value })}
              />
              <span className="hint" id="edit-burst-help">
                Tokens it may get at once after a quiet spell. Empty: as many as tokens per minute.
              </span>
            </p>
          </fieldset>
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
          <dt>Tokens per minute</dt>
          <dd>{client.tokensPerMinute === null ? 'no quota' : formatCount(client.tokensPerMinute)}</dd>
          <dt>Burst</dt>
          <dd>
            {client.tokensPerMinute === null
              ? 'no quota'
              : client.burst === null
                ? `as many as tokens per minute (${formatCount(client.tokensPerMinute)})`
                : formatCount(client.burst)}
          </dd>
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

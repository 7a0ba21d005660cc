import { checkAllowlist } from '../format';

export interface ClientDraft {
  name: string;
  scopes: string;
  allowedIps: string;
}

/**
 * Name, scopes and IP allowlist, shared by the new-client form and the client's edit form.
 * The allowlist is checked as it is typed (a hint: the server checks again and decides).
 */
export function ClientFields({
  idPrefix,
  draft,
  onChange,
}: {
  idPrefix: string;
  draft: ClientDraft;
  onChange: (d: ClientDraft) => void;
}) {
  const ipError = checkAllowlist(draft.allowedIps).error;
  return (
    <>
      <p>
        <label htmlFor={`${idPrefix}-name`}>Name</label>
        <input
          id={`${idPrefix}-name`}
          required
          maxLength={200}
          value={draft.name}
          onChange={(e) => onChange({ ...draft, name: e.target.value })}
        />
      </p>
      <p>
        <label htmlFor={`${idPrefix}-scopes`}>Scopes</label>
        <input
          id={`${idPrefix}-scopes`}
          className="mono"
          spellCheck={false}
          aria-describedby={`${idPrefix}-scopes-help`}
          value={draft.scopes}
          onChange={(e) => onChange({ ...draft, scopes: e.target.value })}
        />
        <span className="hint" id={`${idPrefix}-scopes-help`}>
          Separated by spaces, for example <code>invoices:read invoices:write</code>.
        </span>
      </p>
      <p>
        <label htmlFor={`${idPrefix}-ips`}>IP allowlist</label>
        <textarea
          id={`${idPrefix}-ips`}
          className="mono"
          rows={3}
          spellCheck={false}
          aria-invalid={ipError ? true : undefined}
          aria-describedby={`${idPrefix}-ips-help${ipError ? ` ${idPrefix}-ips-error` : ''}`}
          value={draft.allowedIps}
          onChange={(e) => onChange({ ...draft, allowedIps: e.target.value })}
        />
        <span className="hint" id={`${idPrefix}-ips-help`}>
          One address or CIDR per line, IPv4 or IPv6 (for example <code>10.0.0.0/8</code>). Empty: any address.
        </span>
        {ipError && (
          <span className="field-error" id={`${idPrefix}-ips-error`} role="alert">
            {ipError}
          </span>
        )}
      </p>
    </>
  );
}

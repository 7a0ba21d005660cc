import { useId, useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { gql, OPERATOR_FIELDS, type Operator, type Role } from '../../api';
import { ErrorText } from '../../components/ErrorText';

export interface Invite {
  operator: Operator;
  setupUrl: string;
  expiresAt: string;
}

const ROLES: ReadonlyArray<{ role: Role; label: string }> = [
  { role: 'DEVELOPER', label: 'Developer: the clients of its organisation' },
  { role: 'VIEWER', label: 'Viewer: reads, changes nothing, never sees a secret' },
  { role: 'ADMIN', label: 'Admin: every client of both modes, operators and keys' },
];

/** `tollgate users create` without a password: an operator and its one-time setup link. */
export function InviteOperator({ onInvited }: { onInvited: (i: Invite) => void }) {
  const id = useId();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('DEVELOPER');
  const [orgId, setOrgId] = useState('');
  const { busy, error, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    return run(async () => {
      const d = await gql<{ inviteOperator: Invite }>(
        `mutation InviteOperator($input: InviteOperatorInput!) { inviteOperator(input: $input) { operator { ${OPERATOR_FIELDS} } setupUrl expiresAt } }`,
        { input: { email: email.trim(), role, orgId: orgId.trim() || null } },
      );
      setEmail('');
      setOrgId('');
      onInvited(d.inviteOperator);
    });
  };
  return (
    <section aria-labelledby={`${id}-h`} className="narrow">
      <h2 id={`${id}-h`}>Invite an operator</h2>
      <form onSubmit={(e) => void submit(e)}>
        <p>
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            id={`${id}-email`}
            type="email"
            required
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </p>
        <p>
          <label htmlFor={`${id}-role`}>Role</label>
          <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r.role} value={r.role}>
                {r.label}
              </option>
            ))}
          </select>
        </p>
        <p>
          <label htmlFor={`${id}-org`}>Organisation</label>
          <input
            id={`${id}-org`}
            value={orgId}
            autoComplete="off"
            aria-describedby={`${id}-org-hint`}
            onChange={(e) => setOrgId(e.target.value)}
          />
          <span className="hint" id={`${id}-org-hint`}>
            Required for a developer, who sees only that organisation’s clients. Empty: none.
          </span>
        </p>
        <ErrorText error={error} />
        <p className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Invite
          </button>
        </p>
      </form>
    </section>
  );
}

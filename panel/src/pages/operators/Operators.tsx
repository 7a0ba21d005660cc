import { useCallback, useEffect, useState } from 'react';
import { gql, messageOf, OPERATOR_FIELDS, type Operator } from '../../api';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';
import { formatDate } from '../../format';
import { useSession } from '../../session';
import { type Invite, InviteOperator } from './InviteOperator';
import { OperatorDialog, type OperatorChange } from './OperatorDialog';
import { SetupLink } from './SetupLink';

/**
 * Every operator (admins only; the server refuses anyone else), and inviting one: the server
 * makes the operator and a one-time setup link, shown here once, as `tollgate users create`.
 * Each other operator can be disabled or reset (`users disable|reset`) after a confirmation;
 * one's own row offers neither, as the server refuses both.
 */
export function Operators() {
  const me = useSession().session.operator;
  const admin = me.role === 'ADMIN';
  const [changing, setChanging] = useState<{ operator: Operator; change: OperatorChange } | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const [operators, setOperators] = useState<Operator[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [invite, setInvite] = useState<Invite | null>(null);
  const load = useCallback(
    () =>
      gql<{ operators: Operator[] }>(`query Operators { operators { ${OPERATOR_FIELDS} } }`)
        .then((d) => setOperators(d.operators))
        .catch((e: unknown) => setError(messageOf(e))),
    [],
  );
  useEffect(() => void load(), [load]);
  return (
    <>
      <PageHeading>Operators</PageHeading>
      <p>
        An invited operator sets their own password with a one-time link. On the server the same is{' '}
        <code>npx tollgate users create --email E --role admin|developer|viewer [--org ORG]</code>.
      </p>
      <ErrorText error={error} />
      <p role="status">{said}</p>
      {invite && <SetupLink email={invite.operator.email} url={invite.setupUrl} expiresAt={invite.expiresAt} />}
      {operators && admin && (
        <InviteOperator
          onInvited={(i) => {
            setSaid(null);
            setInvite(i);
            void load();
          }}
        />
      )}
      {operators && (
        <table className="cards">
          <caption>{operators.length} operators</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Organisation</th>
              <th scope="col">Status</th>
              <th scope="col">Two-factor</th>
              <th scope="col">Created</th>
              {admin && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {operators.map((o) => (
              <tr key={o.id}>
                <td data-label="Email">{o.email}</td>
                <td data-label="Role">{o.role.toLowerCase()}</td>
                <td data-label="Organisation">{o.orgId ?? '—'}</td>
                <td data-label="Status">{o.enabled ? 'Enabled' : 'Disabled'}</td>
                <td data-label="Two-factor">{o.totpEnabled ? 'On' : 'Off'}</td>
                <td data-label="Created">{formatDate(o.createdAt)}</td>
                {admin && (
                  <td data-label="Actions">
                    {o.id === me.id ? (
                      <span className="muted">You</span>
                    ) : (
                      <span className="row-actions">
                        {o.enabled && (
                          <button
                            type="button"
                            className="danger"
                            aria-label={`Disable ${o.email}`}
                            onClick={() => setChanging({ operator: o, change: 'disable' })}
                          >
                            Disable
                          </button>
                        )}
                        <button
                          type="button"
                          aria-label={`Reset ${o.email}`}
                          onClick={() => setChanging({ operator: o, change: 'reset' })}
                        >
                          Reset
                        </button>
                      </span>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {changing && (
        <OperatorDialog
          operator={changing.operator}
          change={changing.change}
          onClose={() => setChanging(null)}
          onDone={(reset) => {
            const { email } = changing.operator;
            setChanging(null);
            setInvite(reset);
            setSaid(reset ? `${email} was reset and signed out everywhere.` : `${email} was disabled and signed out.`);
            void load();
          }}
        />
      )}
    </>
  );
}

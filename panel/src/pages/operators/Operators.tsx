import { useCallback, useEffect, useState } from 'react';
import { gql, messageOf, OPERATOR_FIELDS, type Operator } from '../../api';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';
import { formatDate } from '../../format';
import { useRole } from '../../session';
import { type Invite, InviteOperator } from './InviteOperator';
import { SetupLink } from './SetupLink';

/**
 * Every operator (admins only; the server refuses anyone else), and inviting one: the server
 * makes the operator and a one-time setup link, shown here once, as `tollgate users create`.
 */
export function Operators() {
  const admin = useRole() === 'ADMIN';
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
      {invite && <SetupLink email={invite.operator.email} url={invite.setupUrl} expiresAt={invite.expiresAt} />}
      {operators && admin && (
        <InviteOperator
          onInvited={(i) => {
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
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

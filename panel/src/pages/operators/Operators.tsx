import { useEffect, useState } from 'react';
import { gql, messageOf, OPERATOR_FIELDS, type Operator } from '../../api';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';
import { formatDate } from '../../format';

/** Every operator (admins only; the server refuses anyone else). Created with the CLI. */
export function Operators() {
  const [operators, setOperators] = useState<Operator[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    gql<{ operators: Operator[] }>(`query Operators { operators { ${OPERATOR_FIELDS} } }`)
      .then((d) => setOperators(d.operators))
      .catch((e: unknown) => setError(messageOf(e)));
  }, []);
  return (
    <>
      <PageHeading>Operators</PageHeading>
      <p>
        Operators are created on the server with{' '}
        <code>npx tollgate users create --email E --role admin|developer|viewer [--org ORG]</code>, which prints a
        one-time setup link.
      </p>
      <ErrorText error={error} />
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

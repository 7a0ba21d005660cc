import { useEffect, useState } from 'react';
import { gql, messageOf, type SigningKey } from '../../api';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';
import { formatDate } from '../../format';

/** The signing keys of both modes (admins only). Rotated and retired with `tollgate keys`. */
export function SigningKeys() {
  const [keys, setKeys] = useState<SigningKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    gql<{ signingKeys: SigningKey[] }>('query SigningKeys { signingKeys { kid mode alg current createdAt } }')
      .then((d) => setKeys(d.signingKeys))
      .catch((e: unknown) => setError(messageOf(e)));
  }, []);
  return (
    <>
      <PageHeading>Signing keys</PageHeading>
      <p>
        Public keys are published at <a href="/.well-known/jwks.json">/.well-known/jwks.json</a> (live) and{' '}
        <a href="/test/.well-known/jwks.json">/test/.well-known/jwks.json</a> (test). Rotate with{' '}
        <code>npx tollgate keys rotate</code>.
      </p>
      <ErrorText error={error} />
      {keys && (
        <table>
          <caption>{keys.length} keys</caption>
          <thead>
            <tr>
              <th scope="col">Key id</th>
              <th scope="col">Mode</th>
              <th scope="col">Algorithm</th>
              <th scope="col">Current</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={`${k.mode}-${k.kid}`}>
                <td>
                  <code>{k.kid}</code>
                </td>
                <td>{k.mode === 'LIVE' ? 'Live' : 'Test'}</td>
                <td>{k.alg}</td>
                <td>{k.current ? 'Current' : 'Previous'}</td>
                <td>{formatDate(k.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

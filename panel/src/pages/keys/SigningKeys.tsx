import { useCallback, useEffect, useState } from 'react';
import { gql, messageOf, type Mode, type SigningKey } from '../../api';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';
import { formatDate } from '../../format';
import { useRole } from '../../session';
import { KEY_FIELDS, modeName, RetireKeyDialog, RotateKeyDialog } from './KeyDialogs';

const MODES: readonly Mode[] = ['LIVE', 'TEST'];

type Open = { rotate: Mode } | { retire: SigningKey } | null;

/**
 * The signing keys of both modes (admins only; the server refuses anyone else): rotate a mode's
 * current key, retire an old one, each after a confirmation, as `tollgate keys` does.
 */
export function SigningKeys() {
  const admin = useRole() === 'ADMIN';
  const [keys, setKeys] = useState<SigningKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Open>(null);
  const [done, setDone] = useState<string | null>(null);
  const load = useCallback(
    () =>
      gql<{ signingKeys: SigningKey[] }>(`query SigningKeys { signingKeys { ${KEY_FIELDS} } }`)
        .then((d) => setKeys(d.signingKeys))
        .catch((e: unknown) => setError(messageOf(e))),
    [],
  );
  useEffect(() => void load(), [load]);
  const current = (mode: Mode) => keys?.find((k) => k.mode === mode && k.current);
  const finish = (message: string) => {
    setOpen(null);
    setDone(message);
    void load();
  };
  return (
    <>
      <PageHeading>Signing keys</PageHeading>
      <p>
        Public keys are published at <a href="/.well-known/jwks.json">/.well-known/jwks.json</a> (live) and{' '}
        <a href="/test/.well-known/jwks.json">/test/.well-known/jwks.json</a> (test). The CLI does the same with{' '}
        <code>npx tollgate keys rotate</code> and <code>keys retire</code>.
      </p>
      <ErrorText error={error} />
      <p role="status">{done}</p>
      {keys && admin && (
        <p className="actions">
          {MODES.map((mode) => (
            <button key={mode} type="button" onClick={() => setOpen({ rotate: mode })}>
              Rotate {modeName(mode)} key
            </button>
          ))}
        </p>
      )}
      {keys && (
        <table className="cards">
          <caption>{keys.length} keys</caption>
          <thead>
            <tr>
              <th scope="col">Key id</th>
              <th scope="col">Mode</th>
              <th scope="col">Algorithm</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              {admin && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={`${k.mode}-${k.kid}`}>
                <td data-label="Key id">
                  <code>{k.kid}</code>
                </td>
                <td data-label="Mode">{k.mode === 'LIVE' ? 'Live' : 'Test'}</td>
                <td data-label="Algorithm">{k.alg}</td>
                <td data-label="Status">{k.current ? 'Current' : 'Previous'}</td>
                <td data-label="Created">{formatDate(k.createdAt)}</td>
                {admin && (
                  <td data-label="">
                    {!k.current && (
                      <button type="button" className="danger" onClick={() => setOpen({ retire: k })}>
                        Retire<span className="visually-hidden"> key {k.kid}</span>
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && 'rotate' in open && (
        <RotateKeyDialog
          mode={open.rotate}
          current={current(open.rotate)}
          onClose={() => setOpen(null)}
          onRotated={(k) => finish(`The ${modeName(k.mode)} key ${k.kid} is now current.`)}
        />
      )}
      {open && 'retire' in open && (
        <RetireKeyDialog
          signingKey={open.retire}
          onClose={() => setOpen(null)}
          onRetired={(k) => finish(`The ${modeName(k.mode)} key ${k.kid} is retired: it has left the JWKS.`)}
        />
      )}
    </>
  );
}

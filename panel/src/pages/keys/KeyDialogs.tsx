import type { FormEvent } from 'react';
import { useAction } from '../../action';
import { gql, type Mode, type SigningKey } from '../../api';
import { Dialog } from '../../components/Dialog';
import { ErrorText } from '../../components/ErrorText';
import { formatDate } from '../../format';

/** A key as the page shows it, with what retiring it would end (null for a current key). */
export const KEY_FIELDS =
  'kid mode alg current createdAt retirement { signedFrom signedUntil replacedBy commonTokensNeverExpire expiringTokensVerifiableUntil longestTokenLifetimeSeconds }';
export const modeName = (mode: Mode): string => (mode === 'LIVE' ? 'live' : 'test');

/**
 * The confirmation before a key rotation, saying what happens: a new key signs from now on;
 * the old one stays published, so nothing it signed dies until it is retired.
 */
export function RotateKeyDialog({
  mode,
  current,
  onClose,
  onRotated,
}: {
  mode: Mode;
  current: SigningKey | undefined;
  onClose: () => void;
  onRotated: (k: SigningKey) => void;
}) {
  const { busy, error, run } = useAction();
  const rotate = (e: FormEvent) => {
    e.preventDefault();
    return run(async () => {
      // The mode is the address's, as for clients: /graphql rotates live, /test/graphql test.
      const d = await gql<{ rotateSigningKey: SigningKey }>(
        `mutation RotateSigningKey { rotateSigningKey { ${KEY_FIELDS} } }`,
        {},
        mode,
      );
      onRotated(d.rotateSigningKey);
    });
  };
  const name = modeName(mode);
  return (
    <Dialog title={`Rotate the ${name} signing key?`} onClose={onClose}>
      <form onSubmit={(e) => void rotate(e)}>
        <div className="warning">
          <p>
            <strong>A new key becomes current and signs every {name} token from now on.</strong>
          </p>
          <p>
            {current ? (
              <>
                The current key <code>{current.kid}</code> stays published in the JWKS
              </>
            ) : (
              <>The current key stays published in the JWKS</>
            )}
            , so the tokens it signed keep working until they expire. Nothing dies now; retire the old key later to end
            them. Verifiers that cache the JWKS pick the new key up on their next fetch.
          </p>
        </div>
        <ErrorText error={error} />
        <p className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Rotate {name} key
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </p>
      </form>
    </Dialog>
  );
}

/** A duration in seconds as people say it: "1 hour", "15 minutes", "90 seconds". */
const spoken = (seconds: number): string => {
  for (const [unit, size] of [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size} ${unit}${seconds === size ? '' : 's'}`;
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
};

/**
 * The confirmation before a key is retired, saying what dies as `tollgate keys retire` does
 * before `--yes`: the server's `retirement` names the tokens by when they were signed.
 */
export function RetireKeyDialog({
  signingKey,
  onClose,
  onRetired,
}: {
  signingKey: SigningKey;
  onClose: () => void;
  onRetired: (k: SigningKey) => void;
}) {
  const { busy, error, run } = useAction();
  const retire = (e: FormEvent) => {
    e.preventDefault();
    return run(async () => {
      const d = await gql<{ retireSigningKey: SigningKey }>(
        `mutation RetireSigningKey($kid: ID!) { retireSigningKey(kid: $kid) { ${KEY_FIELDS} } }`,
        { kid: signingKey.kid },
        signingKey.mode,
      );
      onRetired(d.retireSigningKey);
    });
  };
  const name = modeName(signingKey.mode);
  const r = signingKey.retirement;
  const alive = r !== null && new Date(r.expiringTokensVerifiableUntil).getTime() > Date.now();
  return (
    <Dialog title={`Retire the ${name} key ${signingKey.kid}?`} onClose={onClose}>
      <form onSubmit={(e) => void retire(e)}>
        <div className="warning">
          <p>
            <strong>
              Every {name} access token this key signed stops working at once, at every door, and the key leaves the
              JWKS. This cannot be undone.
            </strong>
          </p>
          {r && (
            <ul>
              <li>
                It signed the {name} tokens issued from {formatDate(r.signedFrom)} until {formatDate(r.signedUntil)},
                when key <code>{r.replacedBy}</code> replaced it.
              </li>
              {r.commonTokensNeverExpire && (
                <li>
                  Common-door tokens never expire here: <strong>every one it signed dies, however old.</strong>
                </li>
              )}
              <li>
                Tokens with an expiry live at most {spoken(r.longestTokenLifetimeSeconds)}:{' '}
                {alive
                  ? `those still alive die; the last of them would expire at ${formatDate(r.expiringTokensVerifiableUntil)}.`
                  : `the last of them expired at ${formatDate(r.expiringTokensVerifiableUntil)}, so none is alive now.`}
              </li>
            </ul>
          )}
          <p>Refresh tokens are not signed: they stay good and mint tokens with the current key.</p>
        </div>
        <ErrorText error={error} />
        <p className="actions">
          <button type="submit" className="danger" disabled={busy}>
            Retire key
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </p>
      </form>
    </Dialog>
  );
}

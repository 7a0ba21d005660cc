import { useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { gql, type Client } from '../../api';
import { Dialog } from '../../components/Dialog';
import { ErrorText } from '../../components/ErrorText';

export interface Rotated {
  clientId: string;
  clientSecret: string;
  generation: number;
}

const GRACE: ReadonlyArray<{ seconds: number; label: string }> = [
  { seconds: 0, label: 'None: stop at once' },
  { seconds: 5 * 60, label: '5 minutes' },
  { seconds: 60 * 60, label: '1 hour' },
  { seconds: 24 * 60 * 60, label: '24 hours' },
  { seconds: 7 * 24 * 60 * 60, label: '7 days' },
];

/**
 * The confirmation before a rotation, saying exactly what dies (spec §7): every token issued
 * with the current secret (non-expiring common-door tokens included) and the secret itself, at
 * once; or, with a grace period, at its end.
 */
export function RotateDialog({
  client,
  onClose,
  onRotated,
}: {
  client: Client;
  onClose: () => void;
  onRotated: (r: Rotated) => void;
}) {
  const [grace, setGrace] = useState(0);
  const { busy, error, run } = useAction();
  const label = GRACE.find((g) => g.seconds === grace)?.label ?? `${grace} seconds`;

  // On success the page closes this dialog in the same render as `busy` clears.
  const rotate = (e: FormEvent) => {
    e.preventDefault();
    return run(async () => {
      const d = await gql<{ rotateClientSecret: Rotated }>(
        'mutation Rotate($clientId: ID, $graceSeconds: Int) { rotateClientSecret(clientId: $clientId, graceSeconds: $graceSeconds) { clientId clientSecret generation } }',
        { clientId: client.id, graceSeconds: grace > 0 ? grace : null },
        client.mode,
      );
      onRotated(d.rotateClientSecret);
    });
  };

  return (
    <Dialog title={`Rotate the secret of ${client.name}?`} onClose={onClose}>
      <form onSubmit={(e) => void rotate(e)}>
        <p>
          <label htmlFor="rotate-grace">Grace period</label>
          <select
            id="rotate-grace"
            value={grace}
            onChange={(e) => setGrace(Number(e.target.value))}
            aria-describedby="rotate-effect"
          >
            {GRACE.map((g) => (
              <option key={g.seconds} value={g.seconds}>
                {g.label}
              </option>
            ))}
          </select>
        </p>
        <div id="rotate-effect" className="warning" aria-live="polite">
          {grace === 0 ? (
            <p>
              <strong>All tokens issued with the current secret stop working at once</strong>, at every door
              (common-door tokens, which never expire, included), and the current secret is refused from now on. Callers
              must switch to the new secret before their next token request.
            </p>
          ) : (
            <p>
              <strong>
                All tokens issued with the current secret keep working until the grace period ends ({label} from now),
                then stop working
              </strong>
              , at every door (common-door tokens included). Until then the current secret also keeps working, beside
              the new one.
            </p>
          )}
          <p>Tokens issued with the new secret are not affected. The new secret is shown once, after you rotate.</p>
        </div>
        <ErrorText error={error} />
        <p className="actions">
          <button type="submit" className="danger" disabled={busy}>
            Rotate
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </p>
      </form>
    </Dialog>
  );
}

import { useState } from 'react';
import type { Client } from '../../api';
import { CopyButton } from '../../components/CopyButton';
import { GraceNote } from '../../components/GraceNote';
import { SecretOnce } from '../../components/SecretOnce';
import { RotateDialog, type Rotated } from './RotateDialog';

/**
 * The client's credentials: its id, the secret's generation, and rotation for those who may
 * change the client. A new secret is shown here once, right after the rotation.
 */
export function Credentials({ client, writer, onChanged }: { client: Client; writer: boolean; onChanged: () => void }) {
  const [rotating, setRotating] = useState(false);
  const [rotated, setRotated] = useState<Rotated | null>(null);
  return (
    <section aria-labelledby="tab-h">
      <h2 id="tab-h">Credentials</h2>
      {rotated && <SecretOnce clientId={rotated.clientId} secret={rotated.clientSecret} />}
      <GraceNote endsAt={client.graceEndsAt} />
      <dl className="details">
        <dt>Client id</dt>
        <dd className="with-copy">
          <code className="wrap">{client.id}</code>
          <CopyButton text={client.id} label="Copy id" context=" of the client" what="client id" />
        </dd>
        <dt>Client secret</dt>
        <dd>Shown once when made; Tollgate keeps only its hash.</dd>
        <dt>Secret generation</dt>
        <dd>{client.secretGeneration}</dd>
      </dl>
      {writer && (
        <section aria-labelledby="secret-h">
          <h3 id="secret-h">Rotate the secret</h3>
          <p>Rotating issues a new secret and ends the current one, at once or after a grace period.</p>
          <button type="button" className="danger" onClick={() => setRotating(true)}>
            Rotate secret
          </button>
        </section>
      )}
      {rotating && (
        <RotateDialog
          client={client}
          onClose={() => setRotating(false)}
          onRotated={(r) => {
            setRotating(false);
            setRotated(r);
            onChanged();
          }}
        />
      )}
    </section>
  );
}

import { useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { gql } from '../../api';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';
import { useSession } from '../../session';
import { Qr } from './Qr';

interface Enrollment {
  secret: string;
  otpauthUri: string;
}

/**
 * Two-factor authentication: begin (a new TOTP secret, as text and QR), confirm with a code,
 * then the recovery codes, shown once. With `required` (PANEL_REQUIRE_TOTP=1 and an admin not
 * yet enrolled) it is the only page the session may open.
 */
export function Totp({ required }: { required: boolean }) {
  const { session, refresh } = useSession();
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const { busy, error, run } = useAction();

  const begin = () =>
    run(async () => {
      const d = await gql<{ beginTotpEnrollment: Enrollment }>(
        'mutation BeginTotp { beginTotpEnrollment { secret otpauthUri } }',
      );
      setEnrollment(d.beginTotpEnrollment);
    });
  const confirm = (e: FormEvent) => {
    e.preventDefault();
    return run(async () => {
      const d = await gql<{ confirmTotpEnrollment: { recoveryCodes: string[] } }>(
        'mutation ConfirmTotp($code: String!) { confirmTotpEnrollment(code: $code) { recoveryCodes } }',
        { code: code.trim() },
      );
      setCodes(d.confirmTotpEnrollment.recoveryCodes);
      setEnrollment(null);
    });
  };

  return (
    <div className="narrow">
      <PageHeading>{required ? 'Set up two-factor authentication' : 'Account'}</PageHeading>
      {required && <p>This deployment requires administrators to use an authenticator app. Set it up to continue.</p>}
      {!required && (
        <p>
          Signed in as <strong>{session.operator.email}</strong>, role {session.operator.role.toLowerCase()}
          {session.operator.orgId ? `, organisation ${session.operator.orgId}` : ''}. Two-factor authentication is{' '}
          {session.operator.totpEnabled ? 'on' : 'off'}.
        </p>
      )}
      {codes ? (
        <section aria-labelledby="codes-h">
          <h2 id="codes-h">Recovery codes</h2>
          <p className="warning">
            <strong>These codes will not be shown again.</strong> Each one signs you in once instead of a code from your
            app. Keep them somewhere safe.
          </p>
          <ul className="codes" aria-label="Recovery codes">
            {codes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
          <button type="button" className="primary" onClick={() => void refresh().then(() => setCodes(null))}>
            Continue
          </button>
        </section>
      ) : enrollment ? (
        <section aria-labelledby="enrol-h">
          <h2 id="enrol-h">Add Tollgate to your authenticator app</h2>
          <Qr text={enrollment.otpauthUri} label="QR code of the authenticator setup URI" />
          <dl>
            <dt>Secret</dt>
            <dd>
              <code>{enrollment.secret}</code>
            </dd>
            <dt>Setup URI</dt>
            <dd>
              <code className="wrap">{enrollment.otpauthUri}</code>
            </dd>
          </dl>
          <form onSubmit={(e) => void confirm(e)}>
            <p>
              <label htmlFor="totp-code">Authentication code</label>
              <input
                id="totp-code"
                autoComplete="one-time-code"
                inputMode="numeric"
                required
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            </p>
            <ErrorText error={error} />
            <p className="actions">
              <button type="submit" className="primary" disabled={busy}>
                Confirm
              </button>
            </p>
          </form>
        </section>
      ) : (
        (required || !session.operator.totpEnabled) && (
          <>
            <ErrorText error={error} />
            <button type="button" className="primary" disabled={busy} onClick={() => void begin()}>
              Set up an authenticator app
            </button>
          </>
        )
      )}
    </div>
  );
}

import { useState, type FormEvent } from 'react';
import { useAction } from '../action';
import { gql } from '../api';
import { useSession } from '../session';
import { ErrorText } from './ErrorText';
import { Qr } from './Qr';

interface Enrollment {
  secret: string;
  otpauthUri: string;
}

/**
 * Setting up two-factor authentication: begin (a new TOTP secret, as text and QR), confirm with
 * a code, then the recovery codes, shown once. The required enrolment page and the Account page
 * both use it; `level` is the level of its headings on the page it stands in.
 */
export function TotpSetup({ required, level }: { required: boolean; level: 2 | 3 }) {
  const { session, refresh } = useSession();
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const { busy, error, run } = useAction();
  const H = level === 2 ? 'h2' : 'h3';

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

  if (codes) {
    return (
      <section aria-labelledby="codes-h">
        <H id="codes-h">Recovery codes</H>
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
    );
  }
  if (enrollment) {
    return (
      <section aria-labelledby="enrol-h">
        <H id="enrol-h">Add Tollgate to your authenticator app</H>
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
    );
  }
  if (!required && session.operator.totpEnabled) return null;
  return (
    <>
      <ErrorText error={error} />
      <button type="button" className="primary" disabled={busy} onClick={() => void begin()}>
        Set up an authenticator app
      </button>
    </>
  );
}

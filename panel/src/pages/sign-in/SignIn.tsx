import { useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { gql, SESSION_FIELDS, type PanelSession } from '../../api';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';

interface SignInPayload {
  signIn: { session: PanelSession | null; totpRequired: boolean };
}

const SIGN_IN = `mutation SignIn($input: SignInInput!) { signIn(input: $input) { totpRequired session { ${SESSION_FIELDS} } } }`;

/**
 * Email and password; when the server answers `totpRequired`, a second step asks for an
 * authentication code (TOTP or a recovery code) and sends all three again: the server keeps no
 * half-signed-in state between the two.
 */
export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (s: PanelSession) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const { busy, error, setError, run } = useAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    return run(async () => {
      const input: Record<string, string> = { email, password };
      if (needCode) input.code = code.trim();
      const { signIn } = await gql<SignInPayload>(SIGN_IN, { input });
      if (signIn.session) return onSignedIn(signIn.session);
      if (signIn.totpRequired) {
        if (needCode) setError('That code was not accepted.');
        setNeedCode(true);
      } else setError('The server did not sign you in.');
    });
  };

  return (
    <div className="narrow">
      <PageHeading>Sign in</PageHeading>
      {notice && <p role="status">{notice}</p>}
      <form onSubmit={(e) => void submit(e)} noValidate={false}>
        {!needCode ? (
          <>
            <p>
              <label htmlFor="email">Email</label>
              <input
                id="email"
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </p>
            <p>
              <label htmlFor="password">Password</label>
              <input
                id="password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </p>
          </>
        ) : (
          <>
            <p id="code-help">Enter the 6-digit code from your authenticator app, or one of your recovery codes.</p>
            <p>
              <label htmlFor="code">Authentication code</label>
              <input
                id="code"
                autoComplete="one-time-code"
                required
                // biome-ignore lint/a11y/noAutofocus: the code field appears after the password step; focus goes where the next keystroke belongs
                autoFocus
                spellCheck={false}
                aria-describedby="code-help"
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            </p>
          </>
        )}
        <ErrorText error={error} />
        <p className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Sign in
          </button>
          {needCode && (
            <button
              type="button"
              onClick={() => {
                setNeedCode(false);
                setCode('');
                setError(null);
              }}
            >
              Back
            </button>
          )}
        </p>
      </form>
    </div>
  );
}

import { useEffect, useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { gql, messageOf } from '../../api';
import { ErrorText } from '../../components/ErrorText';
import { PageHeading } from '../../components/Heading';

/**
 * `/panel/setup#token=…`, the link `tollgate users create` prints. The token sits in the
 * fragment, which no browser sends to a server or puts in a Referer; it is read once and then
 * removed from the address bar and the history entry.
 */
function takeToken(): string | null {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const token = params.get('token');
  if (token) window.history.replaceState(null, '', window.location.pathname);
  return token;
}

export function Setup({ onDone }: { onDone: (message: string) => void }) {
  const [token] = useState(takeToken);
  const [email, setEmail] = useState('');
  const [askEmail, setAskEmail] = useState(false);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, error, setError, run } = useAction();
  useEffect(() => {
    if (!token) setError('This page needs the setup link printed by `tollgate users create`, with its #token=… part.');
  }, [token, setError]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== confirm) return setError('The two passwords differ.');
    await run(async () => {
      const input: Record<string, string> = { token: token ?? '', password };
      if (askEmail) input.email = email;
      try {
        const d = await gql<{ completeSetup: { email: string } }>(
          'mutation CompleteSetup($input: CompleteSetupInput!) { completeSetup(input: $input) { id email } }',
          { input },
        );
        onDone(`Your password is set for ${d.completeSetup.email}. Sign in.`);
      } catch (err) {
        // The first admin's link also asks for an email; the server says so in its message.
        if (!askEmail && /e-?mail/i.test(messageOf(err))) setAskEmail(true);
        throw err;
      }
    });
  };

  return (
    <div className="narrow">
      <PageHeading>Set your password</PageHeading>
      <form onSubmit={(e) => void submit(e)}>
        {askEmail && (
          <p>
            <label htmlFor="setup-email">Email</label>
            <input
              id="setup-email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </p>
        )}
        <p>
          <label htmlFor="setup-password">Password</label>
          <input
            id="setup-password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            aria-describedby="setup-password-help"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <span className="hint" id="setup-password-help">
            At least 12 characters.
          </span>
        </p>
        <p>
          <label htmlFor="setup-confirm">Confirm password</label>
          <input
            id="setup-confirm"
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
        </p>
        <ErrorText error={error} />
        <p className="actions">
          <button type="submit" className="primary" disabled={busy || !token}>
            Set password
          </button>
        </p>
      </form>
    </div>
  );
}

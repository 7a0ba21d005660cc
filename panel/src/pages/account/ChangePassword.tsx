import { useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { gql } from '../../api';
import { ErrorText } from '../../components/ErrorText';

/**
 * A new password for the operator signed in, given the current one. The two new fields are
 * compared here only to catch a typo; the server checks the current password (through the
 * same lockout as sign-in) and the new one's shape, and has the last word.
 */
export function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const mismatch = confirm !== '' && next !== confirm;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    if (next !== confirm) return setError('The new password and its confirmation differ.');
    return run(async () => {
      await gql<{ changePassword: boolean }>(
        'mutation ChangePassword($input: ChangePasswordInput!) { changePassword(input: $input) }',
        { input: { currentPassword: current, newPassword: next } },
      );
      setCurrent('');
      setNext('');
      setConfirm('');
      setDone('Your password is changed. Use the new one the next time you sign in.');
    });
  };

  return (
    <section aria-labelledby="password-h">
      <h2 id="password-h">Password</h2>
      <form onSubmit={(e) => void submit(e)}>
        <p>
          <label htmlFor="current-password">Current password</label>
          <input
            id="current-password"
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </p>
        <p>
          <label htmlFor="new-password">New password</label>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            aria-describedby="new-password-hint"
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
          <span className="hint" id="new-password-hint">
            At least 12 characters, as at setup.
          </span>
        </p>
        <p>
          <label htmlFor="confirm-password">Confirm new password</label>
          <input
            id="confirm-password"
            type="password"
            autoComplete="new-password"
            required
            aria-invalid={mismatch}
            aria-describedby={mismatch ? 'confirm-password-error' : undefined}
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
          {mismatch && (
            <span className="field-error" id="confirm-password-error">
              Differs from the new password.
            </span>
          )}
        </p>
        <ErrorText error={error} />
        <p role="status">{done}</p>
        <p className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Change password
          </button>
        </p>
      </form>
    </section>
  );
}

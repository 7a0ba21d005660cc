import { useAction } from '../../action';
import { gql, OPERATOR_FIELDS, type Operator } from '../../api';
import { Dialog } from '../../components/Dialog';
import { ErrorText } from '../../components/ErrorText';
import type { Invite } from './InviteOperator';

export type OperatorChange = 'disable' | 'reset';

const DISABLE = `mutation DisableOperator($email: String!) { disableOperator(email: $email) { ${OPERATOR_FIELDS} } }`;
const RESET = `mutation ResetOperator($email: String!) { resetOperator(email: $email) { operator { ${OPERATOR_FIELDS} } setupUrl expiresAt } }`;

/**
 * The confirmation before an operator is disabled or reset (`tollgate users disable|reset`),
 * saying what happens. A reset answers a new one-time setup link, handed to `onDone` to show.
 */
export function OperatorDialog({
  operator,
  change,
  onClose,
  onDone,
}: {
  operator: Operator;
  change: OperatorChange;
  onClose: () => void;
  onDone: (reset: Invite | null) => void;
}) {
  const { busy, error, run } = useAction();
  const confirm = () =>
    run(async () => {
      if (change === 'disable') {
        await gql(DISABLE, { email: operator.email });
        onDone(null);
      } else {
        const d = await gql<{ resetOperator: Invite }>(RESET, { email: operator.email });
        onDone(d.resetOperator);
      }
    });
  const effectId = `operator-${change}-effect`;
  return (
    <Dialog title={change === 'disable' ? `Disable ${operator.email}?` : `Reset ${operator.email}?`} onClose={onClose}>
      <div className="warning" id={effectId}>
        {change === 'disable' ? (
          <p>
            <strong>They are signed out everywhere at once and kept out</strong>: every session of theirs ends and they
            can no longer sign in.
          </p>
        ) : (
          <>
            <p>
              <strong>Their password and two-step sign-in are cleared and they are signed out everywhere.</strong>
            </p>
            <p>
              You get a new one-time setup link to give them, privately: it is their only way back in, and whoever holds
              it sets their password.
            </p>
          </>
        )}
      </div>
      <ErrorText error={error} />
      <p className="actions">
        {/* Cancel first: it is what the dialog focuses when it opens, so Enter alone changes nothing. */}
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          aria-describedby={effectId}
          onClick={() => void confirm()}
        >
          {change === 'disable' ? 'Disable the operator' : 'Reset the operator'}
        </button>
      </p>
    </Dialog>
  );
}

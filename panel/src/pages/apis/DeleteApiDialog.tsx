import { useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { gql } from '../../api';
import type { Api } from '../../components/apis';
import { Dialog } from '../../components/Dialog';
import { ErrorText } from '../../components/ErrorText';

/**
 * The confirmation before deleting an API, saying what dies: every token for it, at Tollgate's
 * own endpoints, and with `force` the grants of the clients that hold one. The server refuses a
 * deletion with grants unless forced; the page asks for the box to be ticked first.
 */
export function DeleteApiDialog({
  api,
  holders,
  onClose,
  onDeleted,
}: {
  api: Api;
  holders: number;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [force, setForce] = useState(false);
  const { busy, error, setError, run } = useAction();

  const remove = (e: FormEvent) => {
    e.preventDefault();
    if (holders > 0 && !force)
      return setError('Tick “Also remove the grants” to delete an API that clients hold grants for.');
    return run(async () => {
      await gql<{ deleteApi: { id: string } }>(
        `mutation DeleteApi($identifier: String!, $force: Boolean) {
          deleteApi(identifier: $identifier, force: $force) { id }
        }`,
        { identifier: api.identifier, force: holders > 0 ? force : null },
        api.mode,
      );
      onDeleted();
    });
  };
  const clients = `${holders} client${holders === 1 ? '' : 's'}`;

  return (
    <Dialog title={`Delete the API ${api.name}?`} onClose={onClose}>
      <form onSubmit={(e) => void remove(e)}>
        <div className="warning" id="delete-api-effect">
          <p>
            <strong>
              Every token issued for <code className="wrap">{api.identifier}</code> stops working
            </strong>{' '}
            at Tollgate’s own endpoints, such as <code>/auth/verify</code> and introspection. A resource server that
            checks tokens itself against the JWKS keeps accepting them until they expire.
          </p>
          <p>
            {holders > 0
              ? `${clients} you can see ${holders === 1 ? 'holds' : 'hold'} a grant for it: their grants go with ` +
                'it, and no client can ask for it again.'
              : 'No client holds a grant for it. Clients can no longer ask for it.'}
          </p>
        </div>
        {holders > 0 && (
          <p className="check">
            <input
              id="delete-api-force"
              type="checkbox"
              checked={force}
              onChange={(e) => {
                setForce(e.target.checked);
                setError(null);
              }}
            />
            <label htmlFor="delete-api-force">Also remove the grants of {clients}</label>
          </p>
        )}
        <ErrorText error={error} />
        <p className="actions">
          <button type="submit" className="danger" disabled={busy} aria-describedby="delete-api-effect">
            Delete API
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </p>
      </form>
    </Dialog>
  );
}

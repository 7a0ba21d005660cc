import { useId, useState, type FormEvent } from 'react';
import { useAction } from '../../action';
import { gql, type Client } from '../../api';
import { Dialog } from '../../components/Dialog';
import { ErrorText } from '../../components/ErrorText';

/**
 * The confirmation before a client is deleted (`tollgate clients delete`): nothing brings it
 * back, so the operator types its name or id, as GitHub asks before a repository goes.
 */
export function DeleteDialog({
  client,
  onClose,
  onDeleted,
}: {
  client: Client;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const id = useId();
  const [typed, setTyped] = useState('');
  const { busy, error, run } = useAction();
  const matches = typed.trim() !== '' && (typed.trim() === client.name || typed.trim() === client.id);
  const remove = (e: FormEvent) => {
    e.preventDefault();
    if (!matches) return;
    return run(async () => {
      await gql('mutation DeleteClient($id: ID!) { deleteClient(id: $id) { id } }', { id: client.id }, client.mode);
      onDeleted();
    });
  };
  return (
    <Dialog title={`Delete ${client.name}?`} onClose={onClose}>
      <div className="warning" id={`${id}-effect`}>
        <p>
          <strong>Every access token and refresh token of this client stops working at once</strong>, at every door, and
          its secret with them.
        </p>
        <p>
          <strong>The client is gone for good</strong>: its id <code>{client.id}</code> never comes back. Its audit
          trail stays.
        </p>
      </div>
      <form onSubmit={(e) => void remove(e)}>
        <p>
          <label htmlFor={`${id}-confirm`}>Type the client’s name or id to confirm</label>
          <input
            id={`${id}-confirm`}
            value={typed}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={`${id}-effect`}
            onChange={(e) => setTyped(e.target.value)}
          />
        </p>
        <ErrorText error={error} />
        <p className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={busy || !matches}>
            Delete the client
          </button>
        </p>
      </form>
    </Dialog>
  );
}

import { useAction } from '../../action';
import { gql, type Client } from '../../api';
import { Dialog } from '../../components/Dialog';
import { ErrorText } from '../../components/ErrorText';

/**
 * The confirmation before a client is disabled, saying what dies (spec §7): disabling ends
 * the client's token generation, so every access and refresh token it holds is refused at once,
 * at every door, and stays refused after the client is enabled again. Enabling asks nothing.
 */
export function DisableDialog({
  client,
  onClose,
  onDisabled,
}: {
  client: Client;
  onClose: () => void;
  onDisabled: () => void;
}) {
  const { busy, error, run } = useAction();
  const disable = () =>
    run(async () => {
      await gql('mutation Disable($id: ID!) { disableClient(id: $id) { id enabled } }', { id: client.id }, client.mode);
      onDisabled();
    });
  return (
    <Dialog title={`Disable ${client.name}?`} onClose={onClose}>
      <div className="warning" id="disable-effect">
        <p>
          <strong>Every access token and refresh token of this client stops working at once</strong>, at every door
          (common-door tokens, which never expire, included), <strong>for good</strong>: enabling the client again does
          not bring them back.
        </p>
        <p>While it is disabled the client gets no new tokens; once enabled again, it asks for new ones.</p>
      </div>
      <ErrorText error={error} />
      <p className="actions">
        {/* Cancel first: it is what the dialog focuses when it opens, so Enter alone ends nothing. */}
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          aria-describedby="disable-effect"
          onClick={() => void disable()}
        >
          Disable the client
        </button>
      </p>
    </Dialog>
  );
}

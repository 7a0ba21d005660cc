import { useId, useRef, useState } from 'react';
import { CopyButton } from './CopyButton';

/**
 * A client secret as the server returned it, once: nothing keeps it after this page. The
 * warning is part of the same region so it is read with the secret.
 */
export function SecretOnce({ clientId, secret }: { clientId: string; secret: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied to the clipboard.');
    } catch {
      input.current?.select();
      setCopied('Select the secret and copy it (Ctrl+C or ⌘C): the browser refused clipboard access.');
    }
  };
  return (
    <section className="secret" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Save the secret now</h2>
      <p className="warning" id={`${id}-w`}>
        <strong>This secret will not be shown again.</strong> Tollgate stores only its hash; if it is lost, rotate the
        secret.
      </p>
      <dl>
        <dt>Client id</dt>
        <dd className="with-copy">
          <code>{clientId}</code>
          <CopyButton text={clientId} label="Copy id" context=" of the client" what="client id" />
        </dd>
      </dl>
      <label htmlFor={`${id}-s`}>Client secret</label>
      <div className="row">
        <input
          id={`${id}-s`}
          ref={input}
          className="mono"
          readOnly
          value={secret}
          size={Math.min(secret.length + 2, 72)}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={`${id}-w`}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p role="status">{copied}</p>
    </section>
  );
}

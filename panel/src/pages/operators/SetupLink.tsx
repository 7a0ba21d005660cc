import { useId, useRef, useState } from 'react';
import { formatDate } from '../../format';

/**
 * The one-time setup link of an invited operator, as the server returned it once: the page
 * keeps it nowhere. Whoever holds it sets that operator's password, so it goes to them alone.
 */
export function SetupLink({ email, url, expiresAt }: { email: string; url: string; expiresAt: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [said, setSaid] = useState<string | null>(null);
  const copy = async () => {
    setSaid(null);
    try {
      await navigator.clipboard.writeText(url);
      setSaid('Copied to the clipboard.');
    } catch {
      input.current?.select();
      setSaid('Select the link and copy it (Ctrl+C or ⌘C): the browser refused clipboard access.');
    }
  };
  return (
    <section className="secret" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Send {email} their setup link</h2>
      <p className="warning" id={`${id}-w`}>
        <strong>This link is shown once and works once</strong>, until {formatDate(expiresAt)}. Whoever opens it sets
        the password of {email}: send it to them alone. A new invitation replaces it.
      </p>
      <label htmlFor={`${id}-u`}>Setup link</label>
      <div className="row">
        <input
          id={`${id}-u`}
          ref={input}
          className="mono"
          readOnly
          value={url}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={`${id}-w`}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" onClick={() => void copy()}>
          Copy link
        </button>
      </div>
      <p role="status">{said}</p>
    </section>
  );
}

import { formatDate } from '../format';
import { cachingSentence, type CachingWarning } from '../usage';

/**
 * The server's finding that a client asks for a token per call (spec §11), in words, with the
 * fix: the usual cause of a quota hit and of needless load. Shown on the overview and the
 * Usage tab.
 */
export function CachingNote({ warning }: { warning: CachingWarning | null }) {
  if (!warning) return null;
  return (
    <div className="warning caching" role="note" aria-label="Token caching">
      <p>
        <strong>{cachingSentence(warning)}</strong> (At the {warning.door} door, in the hour from{' '}
        <time dateTime={warning.hour}>{formatDate(warning.hour)}</time>.)
      </p>
      <p>
        Reuse each token until shortly before it expires: the SDK's <code>TokenSource</code> (
        <code>packages/client</code>) does that, and so do the examples (<code>examples/README.md</code>).
      </p>
    </div>
  );
}

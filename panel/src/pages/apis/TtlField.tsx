import { TTL_MAX_SECONDS } from '../../components/apis';

/** The lifetime cap as typed: '' is no cap; otherwise whole seconds from 1 to a year. */
export function parseTtl(text: string): { seconds: number | null; error: string | null } {
  const t = text.trim();
  if (t === '') return { seconds: null, error: null };
  const n = Number(t);
  if (!/^\d+$/.test(t) || n < 1 || n > TTL_MAX_SECONDS) {
    return {
      seconds: null,
      error: `The token lifetime must be a whole number of seconds from 1 to ${TTL_MAX_SECONDS}.`,
    };
  }
  return { seconds: n, error: null };
}

/** The optional cap on every token's lifetime for an API, at every door. */
export function TtlField({
  idPrefix,
  value,
  onChange,
}: {
  idPrefix: string;
  value: string;
  onChange: (v: string) => void;
}) {
  const { error } = parseTtl(value);
  const id = `${idPrefix}-ttl`;
  return (
    <p>
      <label htmlFor={id}>Token lifetime (seconds)</label>
      <input
        id={id}
        inputMode="numeric"
        className="short"
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-help${error ? ` ${id}-error` : ''}`}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      <span className="hint" id={`${id}-help`}>
        Caps every token for this API at every door, for example <code>900</code>. Empty: each door’s own lifetime.
      </span>
      {error && (
        <span className="field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      )}
    </p>
  );
}

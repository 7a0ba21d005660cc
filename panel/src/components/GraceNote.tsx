import { formatDate } from '../format';

/** "in 59 min", "in 2 h 5 min", "in 3 d 4 h": how long from now, in at most two units. */
function fromNow(iso: string, now = Date.now()): string {
  let left = Math.max(0, Math.round((new Date(iso).getTime() - now) / 60_000));
  if (left === 0) return 'in less than a minute';
  const parts: string[] = [];
  for (const [size, unit] of [
    [1440, 'd'],
    [60, 'h'],
    [1, 'min'],
  ] as const) {
    if (left >= size && parts.length < 2) {
      parts.push(`${Math.floor(left / size)} ${unit}`);
      left %= size;
    } else if (parts.length > 0) break;
  }
  return `in ${parts.join(' ')}`;
}

/**
 * A running grace period (`Client.graceEndsAt`): when the previous secret, and the tokens
 * issued with it, stop working. Nothing when no grace is running.
 */
export function GraceNote({ endsAt, short = false }: { endsAt: string | null; short?: boolean }) {
  if (!endsAt) return null;
  const when = <time dateTime={endsAt}>{formatDate(endsAt)}</time>;
  if (short) return <span className="grace">Previous secret works until {when}</span>;
  return (
    <p className="warning grace">
      <strong>A grace period is running:</strong> the previous secret, and the tokens issued with it, stop working at{' '}
      {when} ({fromNow(endsAt)}). Until then both secrets work.
    </p>
  );
}

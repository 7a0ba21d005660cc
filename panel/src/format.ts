/** Dates as the reader's locale writes them, with the exact instant in a title attribute. */
export const formatDate = (iso: string | null | undefined): string => {
  if (!iso) return 'Never';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
};

/** Scopes as typed: separated by spaces, commas or new lines. */
export const parseList = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Whether the browser's URL parser takes it as an IPv6 literal (no zone ids). */
const isIpv6 = (s: string): boolean => {
  if (!s.includes(':') || /[^0-9a-fA-F:.]/.test(s)) return false;
  try {
    new URL(`http://[${s}]/`);
    return true;
  } catch {
    return false;
  }
};

/**
 * The allowlist as typed: one IPv4/IPv6 address or CIDR per line (or separated by commas).
 * Only a hint while typing; the server validates again and has the last word.
 */
export function checkAllowlist(text: string): { entries: string[]; error: string | null } {
  const entries = parseList(text);
  for (const entry of entries) {
    const slash = entry.indexOf('/');
    const addr = slash === -1 ? entry : entry.slice(0, slash);
    const bits = slash === -1 ? null : entry.slice(slash + 1);
    const v4 = IPV4.test(addr);
    const v6 = !v4 && isIpv6(addr);
    if (!v4 && !v6)
      return {
        entries,
        error: `"${entry}" is not an IPv4 or IPv6 address or CIDR (for example 10.0.0.0/8 or 2001:db8::/32).`,
      };
    if (bits !== null && (!/^(0|[1-9]\d{0,2})$/.test(bits) || Number(bits) > (v4 ? 32 : 128))) {
      return { entries, error: `"${entry}": the prefix length must be 0–${v4 ? 32 : 128}.` };
    }
  }
  if (entries.length > 100) return { entries, error: 'At most 100 entries.' };
  return { entries, error: null };
}

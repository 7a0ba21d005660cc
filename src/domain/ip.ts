import ipaddr from 'ipaddr.js';
import { invalidField } from './errors.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Strict address parsing: IPv4 only in four-part decimal without leading zeros (so `0177.0.0.1`,
 * `0x7f.1` and `127.1` never match anything), IPv6 without a zone, IPv4-mapped IPv6 folded to
 * IPv4 so one allowlist entry covers both forms.
 */
export function parseIp(raw: string): Address | undefined {
  if (raw.includes('%')) return undefined;
  if (raw.includes(':')) {
    if (raw.includes('.')) return parseDottedTail(raw);
    if (!ipaddr.IPv6.isValid(raw)) return undefined;
    const v6 = ipaddr.IPv6.parse(raw);
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
  }
  return ipaddr.IPv4.isValidFourPartDecimal(raw) ? ipaddr.IPv4.parse(raw) : undefined;
}

/**
 * IPv6 whose last 32 bits are written as dotted IPv4 (RFC 4291 §2.2): the tail must be as strict
 * as plain IPv4, and is read as the two hex groups it stands for, so `::ffff:10.1.2.3` folds to
 * IPv4 while `::10.1.2.3` and `64:ff9b::10.1.2.3` stay the IPv6 addresses they are.
 */
function parseDottedTail(raw: string): Address | undefined {
  const cut = raw.lastIndexOf(':');
  const tail = raw.slice(cut + 1);
  if (!ipaddr.IPv4.isValidFourPartDecimal(tail)) return undefined;
  const [a, b, c, d] = ipaddr.IPv4.parse(tail).octets as [number, number, number, number];
  const hex = `${raw.slice(0, cut + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  if (!ipaddr.IPv6.isValid(hex)) return undefined;
  const v6 = ipaddr.IPv6.parse(hex);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
}

export type Cidr = [Address, number];

export function parseCidr(raw: string): Cidr | undefined {
  const slash = raw.indexOf('/');
  const addr = parseIp(slash === -1 ? raw : raw.slice(0, slash));
  if (!addr) return undefined;
  const max = addr.kind() === 'ipv4' ? 32 : 128;
  let bits = max;
  if (slash !== -1) {
    const text = raw.slice(slash + 1);
    if (!/^(0|[1-9]\d{0,2})$/.test(text)) return undefined;
    bits = Number(text);
    // A mapped IPv6 prefix (::ffff:10.0.0.0/104) becomes its IPv4 prefix.
    if (raw.slice(0, slash).includes(':') && addr.kind() === 'ipv4') bits -= 96;
    if (bits < 0 || bits > max) return undefined;
  }
  return [addr, bits];
}

/**
 * Why an allowlist entry is refused, in words that follow the entry (`10.0.0.0/33: the prefix
 * length must be 0–32`); undefined when it is good. The one wording of these reasons.
 */
export function allowlistEntryProblem(raw: string): string | undefined {
  const entry = raw.trim();
  if (parseCidr(entry)) return undefined;
  const slash = entry.indexOf('/');
  const written = slash === -1 ? entry : entry.slice(0, slash);
  const addr = parseIp(written);
  if (!addr || slash === -1) return 'not an IPv4 or IPv6 address or CIDR (for example 10.0.0.0/8 or 2001:db8::/32)';
  // An IPv4-mapped IPv6 prefix (::ffff:10.0.0.0/104) must keep the 96 bits of its mapping.
  if (written.includes(':')) return `the prefix length must be ${addr.kind() === 'ipv4' ? '96' : '0'}–128`;
  return 'the prefix length must be 0–32';
}

/** Validates and canonicalises allowlist entries (`10.0.0.0/8`, `2001:db8::/32`, a bare address). */
export function normaliseAllowlist(entries: readonly string[], field = 'allowed_ips'): string[] {
  const out = new Set<string>();
  for (const entry of entries) {
    const cidr = parseCidr(entry.trim());
    if (!cidr) throw invalidField(field, 'holds an entry that is not an IPv4 or IPv6 address or CIDR');
    const [addr, bits] = cidr;
    const text = `${addr.toString()}/${bits}`;
    const base =
      addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(text) : ipaddr.IPv6.networkAddressFromCIDR(text);
    out.add(`${base.toString()}/${bits}`);
  }
  if (out.size > 100) throw invalidField(field, 'holds more than 100 entries');
  return [...out];
}

/** True when the address lies inside one of the CIDRs. A malformed address never matches. */
export function ipInList(ip: string, cidrs: readonly string[]): boolean {
  const addr = parseIp(ip);
  if (!addr) return false;
  for (const entry of cidrs) {
    const cidr = parseCidr(entry);
    if (cidr && cidr[0].kind() === addr.kind() && addr.match(cidr)) return true;
  }
  return false;
}

/** Node hands the socket peer over canonical already; only the IPv4-mapped prefix needs folding. */
function canonicalPeer(peer: string): string {
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(peer)) return peer;
  return parseIp(peer)?.toString() ?? peer;
}

/**
 * What a request's source is when the hop a trusted proxy reports is no address at all. It
 * fails closed: it is no address, so it never matches an allowlist, and every such request
 * shares its lockout counters, so garbage hops never buy fresh ones (spec §2 step 4).
 */
export const UNRESOLVED_SOURCE = 'unresolved';

/** A hop as proxies write it: `ip`, `ip:port`, `[v6]` or `[v6]:port`; the port is dropped. */
function parseHop(hop: string): Address | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(hop);
  if (bracketed) return parseIp(bracketed[1]!);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(hop);
  return parseIp(v4WithPort ? v4WithPort[1]! : hop);
}

/**
 * The address a request comes from: the socket peer, unless that peer is a trusted proxy; then
 * `X-Forwarded-For` is read right to left, skipping trusted hops, and the first untrusted hop is
 * the client. Ports are dropped; a hop that is still no address ends the walk as
 * {@link UNRESOLVED_SOURCE}. An empty hop is skipped over as the last trusted address.
 */
export function resolveSourceIp(peer: string, forwardedFor: string | undefined, trusted: readonly string[]): string {
  let current = canonicalPeer(peer);
  if (trusted.length === 0 || forwardedFor === undefined || !ipInList(current, trusted)) return current;
  const hops = forwardedFor.split(',').map((h) => h.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (hop === '') return current;
    const addr = parseHop(hop);
    if (!addr) return UNRESOLVED_SOURCE;
    current = addr.toString();
    if (!ipInList(current, trusted)) return current;
  }
  return current;
}

import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import {
  allowlistEntryProblem,
  ipInList,
  normaliseAllowlist,
  parseCidr,
  parseIp,
  resolveSourceIp,
  UNRESOLVED_SOURCE,
} from '../../src/domain/ip.js';

function thrown(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

describe('parseIp', () => {
  it('parses four-part decimal IPv4', () => {
    const a = parseIp('127.0.0.1');
    expect(a?.kind()).toBe('ipv4');
    expect(a?.toString()).toBe('127.0.0.1');
    expect(parseIp('0.0.0.0')?.toString()).toBe('0.0.0.0');
    expect(parseIp('255.255.255.255')?.toString()).toBe('255.255.255.255');
  });

  it.each([
    ['octal', '0177.0.0.1'],
    ['hex', '0x7f.0.0.1'],
    ['hex shortened', '0x7f.1'],
    ['shortened', '127.1'],
    ['a single number', '2130706433'],
    ['a leading zero', '127.0.0.01'],
    ['an octet over 255', '256.0.0.1'],
    ['five parts', '1.2.3.4.5'],
    ['a trailing dot', '1.2.3.4.'],
    ['surrounding space', ' 1.2.3.4'],
    ['a port', '1.2.3.4:80'],
    ['empty', ''],
    ['a host name', 'localhost'],
  ])('rejects IPv4 with %s (%s)', (_label, raw) => {
    expect(parseIp(raw)).toBeUndefined();
  });

  it('parses IPv6 and prints it in RFC 5952 form', () => {
    const a = parseIp('2001:DB8:0:0:0:0:0:1');
    expect(a?.kind()).toBe('ipv6');
    expect(a?.toString()).toBe('2001:db8::1');
    expect(parseIp('::1')?.toString()).toBe('::1');
  });

  it('rejects malformed IPv6', () => {
    expect(parseIp('2001:db8::1::2')).toBeUndefined();
    expect(parseIp('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(parseIp('[::1]')).toBeUndefined();
    expect(parseIp('2001:db8::g')).toBeUndefined();
  });

  it('rejects zone ids', () => {
    expect(parseIp('fe80::1%eth0')).toBeUndefined();
    expect(parseIp('fe80::1%1')).toBeUndefined();
    expect(parseIp('::ffff:127.0.0.1%lo')).toBeUndefined();
  });

  it('folds IPv4-mapped IPv6 to IPv4, dotted or hex', () => {
    const dotted = parseIp('::ffff:10.1.2.3');
    expect(dotted?.kind()).toBe('ipv4');
    expect(dotted?.toString()).toBe('10.1.2.3');
    expect(parseIp('::ffff:a01:203')?.toString()).toBe('10.1.2.3');
    expect(parseIp('0:0:0:0:0:FFFF:10.1.2.3')?.toString()).toBe('10.1.2.3');
  });

  it('does not fold NAT64 addresses', () => {
    expect(parseIp('64:ff9b::10.1.2.3')?.kind()).toBe('ipv6');
    expect(parseIp('64:ff9b::10.1.2.3')?.toString()).toBe('64:ff9b::a01:203');
  });

  // `::10.1.2.3` is the deprecated IPv4-compatible address ::a01:203 (RFC 4291 §2.5.5.1), not the
  // IPv4-mapped ::ffff:a01:203: both spellings of one address must parse alike.
  it('parses both spellings of an IPv4-compatible address alike, as IPv6', () => {
    expect(parseIp('::a01:203')?.kind()).toBe('ipv6');
    expect(parseIp('::10.1.2.3')?.kind()).toBe('ipv6');
    expect(parseIp('::10.1.2.3')?.toString()).toBe(parseIp('::a01:203')?.toString());
  });

  // The strict IPv4 rule must also hold for the IPv4 part of a mapped address: `::ffff:0x7f.0.0.1`
  // is not valid IPv6 (RFC 4291 §2.2 asks for dotted decimal; node:net isIP() answers 0).
  it.each([
    ['hex', '::ffff:0x7f.0.0.1'],
    ['octal', '::ffff:0177.0.0.1'],
    ['a leading zero', '::ffff:127.0.0.01'],
  ])('rejects an IPv4-mapped address whose IPv4 part has %s (%s)', (_label, raw) => {
    expect(parseIp(raw)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it('reads address and prefix length; a bare address is a host route', () => {
    expect(parseCidr('10.0.0.0/8')?.[1]).toBe(8);
    expect(parseCidr('10.0.0.1')?.[1]).toBe(32);
    expect(parseCidr('2001:db8::1')?.[1]).toBe(128);
  });

  it('turns a mapped IPv6 prefix into its IPv4 prefix', () => {
    const c = parseCidr('::ffff:10.0.0.0/104');
    expect(c?.[0].toString()).toBe('10.0.0.0');
    expect(c?.[1]).toBe(8);
    expect(parseCidr('::ffff:10.0.0.0/95')).toBeUndefined();
  });

  it.each([
    '10.0.0.0/33',
    '10.0.0.0/-1',
    '10.0.0.0/08',
    '10.0.0.0/',
    '10.0.0.0/8/8',
    '2001:db8::/129',
    '10.0.0.0/ 8',
    '0177.0.0.0/8',
  ])('rejects %s', (raw) => {
    expect(parseCidr(raw)).toBeUndefined();
  });
});

describe('normaliseAllowlist', () => {
  it('canonicalises to the network address', () => {
    expect(normaliseAllowlist(['10.1.2.3/8'])).toEqual(['10.0.0.0/8']);
    expect(normaliseAllowlist(['2001:db8:1:2::5/32'])).toEqual(['2001:db8::/32']);
  });

  it('gives a bare address /32 or /128', () => {
    expect(normaliseAllowlist(['192.0.2.7', '2001:DB8::7'])).toEqual(['192.0.2.7/32', '2001:db8::7/128']);
  });

  it('folds mapped IPv6 entries to IPv4, trims, and drops duplicates', () => {
    expect(normaliseAllowlist(['::ffff:10.9.9.9/104', ' 10.0.0.0/8 ', '::ffff:192.0.2.1'])).toEqual([
      '10.0.0.0/8',
      '192.0.2.1/32',
    ]);
  });

  it('accepts an empty list', () => {
    expect(normaliseAllowlist([])).toEqual([]);
  });

  it.each([['garbage'], ['10.0.0.0/33'], ['127.1'], ['0x7f.0.0.1'], ['fe80::1%eth0/64'], ['']])(
    'throws invalid_request on %j',
    (entry) => {
      const err = thrown(() => normaliseAllowlist(['10.0.0.0/8', entry]));
      expect(err.code).toBe('invalid_request');
      expect(err.details.field).toBe('allowed_ips');
    },
  );

  it('names the field it is given', () => {
    expect(thrown(() => normaliseAllowlist(['nope'], 'allowedIps')).details.field).toBe('allowedIps');
  });

  it('refuses more than 100 distinct entries', () => {
    const entries = (n: number) => Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    expect(normaliseAllowlist(entries(100))).toHaveLength(100);
    expect(thrown(() => normaliseAllowlist(entries(101))).code).toBe('invalid_request');
  });
});

describe('ipInList', () => {
  const list = ['10.0.0.0/8', '192.0.2.7/32', '2001:db8::/32'];

  it('matches addresses inside a CIDR and not outside', () => {
    expect(ipInList('10.200.3.4', list)).toBe(true);
    expect(ipInList('192.0.2.7', list)).toBe(true);
    expect(ipInList('192.0.2.8', list)).toBe(false);
    expect(ipInList('11.0.0.1', list)).toBe(false);
    expect(ipInList('2001:db8:ffff::1', list)).toBe(true);
    expect(ipInList('2001:db9::1', list)).toBe(false);
  });

  it('matches IPv4-mapped IPv6 against IPv4 entries', () => {
    expect(ipInList('::ffff:10.1.2.3', list)).toBe(true);
    expect(ipInList('::ffff:192.0.2.7', list)).toBe(true);
    expect(ipInList('::ffff:11.1.2.3', list)).toBe(false);
  });

  it('matches IPv4 against a mapped IPv6 entry', () => {
    expect(ipInList('10.1.2.3', ['::ffff:10.0.0.0/104'])).toBe(true);
    expect(ipInList('11.1.2.3', ['::ffff:10.0.0.0/104'])).toBe(false);
  });

  it.each(['0177.0.0.1', '0x7f.0.0.1', '127.1', '127.0.0.01', '2130706433', 'fe80::1%eth0', 'garbage', ''])(
    'never matches the malformed address %j, even against everything',
    (raw) => {
      expect(ipInList(raw, ['0.0.0.0/0', '::/0', '127.0.0.0/8', 'fe80::/10'])).toBe(false);
    },
  );

  it('does not let an IPv4 address match an IPv6 /0 or the reverse', () => {
    expect(ipInList('10.0.0.1', ['::/0'])).toBe(false);
    expect(ipInList('2001:db8::1', ['0.0.0.0/0'])).toBe(false);
  });

  it('matches nothing against an empty list', () => {
    expect(ipInList('10.0.0.1', [])).toBe(false);
  });

  it.each(['::ffff:0x7f.0.0.1', '::ffff:0177.0.0.1'])('never matches the malformed mapped address %j', (raw) => {
    expect(ipInList(raw, ['127.0.0.0/8', '177.0.0.0/8'])).toBe(false);
  });
});

describe('resolveSourceIp', () => {
  const proxies = ['10.0.0.0/8', '2001:db8:aaaa::/48'];

  it('uses the socket peer when no proxy is trusted, ignoring X-Forwarded-For', () => {
    expect(resolveSourceIp('198.51.100.4', '203.0.113.9', [])).toBe('198.51.100.4');
  });

  it('canonicalises the peer (mapped IPv6 → IPv4, IPv6 compressed)', () => {
    expect(resolveSourceIp('::ffff:198.51.100.4', undefined, [])).toBe('198.51.100.4');
    expect(resolveSourceIp('2001:DB8:0::1', undefined, [])).toBe('2001:db8::1');
  });

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(resolveSourceIp('198.51.100.4', '203.0.113.9', proxies)).toBe('198.51.100.4');
  });

  it('uses the peer when a trusted peer sends no X-Forwarded-For', () => {
    expect(resolveSourceIp('10.0.0.2', undefined, proxies)).toBe('10.0.0.2');
  });

  it('takes the hop a trusted peer reports', () => {
    expect(resolveSourceIp('10.0.0.2', '203.0.113.9', proxies)).toBe('203.0.113.9');
  });

  it('recognises a trusted peer that is IPv4-mapped', () => {
    expect(resolveSourceIp('::ffff:10.0.0.2', '203.0.113.9', proxies)).toBe('203.0.113.9');
  });

  it('reads right to left, skipping trusted hops, and ignores spoofed hops further left', () => {
    expect(resolveSourceIp('10.0.0.2', '1.1.1.1, 203.0.113.9, 10.3.3.3,10.4.4.4', proxies)).toBe('203.0.113.9');
  });

  it('skips trusted IPv6 hops', () => {
    expect(resolveSourceIp('2001:db8:aaaa::1', '2606:4700::1111, 2001:db8:aaaa::2', proxies)).toBe('2606:4700::1111');
  });

  it('canonicalises the chosen hop', () => {
    expect(resolveSourceIp('10.0.0.2', '::ffff:203.0.113.9', proxies)).toBe('203.0.113.9');
    expect(resolveSourceIp('10.0.0.2', '2606:4700:0:0::1111', proxies)).toBe('2606:4700::1111');
  });

  it('answers the leftmost hop when every hop is trusted', () => {
    expect(resolveSourceIp('10.0.0.2', '10.9.9.9, 10.3.3.3', proxies)).toBe('10.9.9.9');
  });

  it('ends the walk at a hop that is no address, failing closed: one shared source that matches no allowlist', () => {
    for (const hop of [
      '0177.0.0.1',
      'unknown',
      'garbage-1',
      'garbage-2',
      '203.0.113.9:99999999',
      '[nope]:1',
      '2001:db8::1:443x',
    ]) {
      const ip = resolveSourceIp('10.0.0.2', `203.0.113.9, ${hop}`, proxies);
      expect(ip, hop).toBe(UNRESOLVED_SOURCE);
      expect(ipInList(ip, ['127.0.0.0/8', '0.0.0.0/0', '::/0'])).toBe(false);
    }
    expect(resolveSourceIp('10.0.0.2', '203.0.113.9, unknown, 10.3.3.3', proxies)).toBe(UNRESOLVED_SOURCE);
  });

  it('drops the port proxies may write after an address', () => {
    expect(resolveSourceIp('10.0.0.2', '203.0.113.7:4711', proxies)).toBe('203.0.113.7');
    expect(resolveSourceIp('10.0.0.2', '[2001:db8::1]:443', proxies)).toBe('2001:db8::1');
    expect(resolveSourceIp('10.0.0.2', '[2001:DB8:0::1]', proxies)).toBe('2001:db8::1');
    expect(resolveSourceIp('10.0.0.2', '203.0.113.7:1, 10.3.3.3:8080', proxies)).toBe('203.0.113.7');
  });

  it('answers the last trusted address for an empty hop', () => {
    expect(resolveSourceIp('10.0.0.2', '', proxies)).toBe('10.0.0.2');
    expect(resolveSourceIp('10.0.0.2', '203.0.113.9, , 10.3.3.3', proxies)).toBe('10.3.3.3');
  });
});

describe('allowlistEntryProblem: the words for a bad entry', () => {
  it('is undefined for every entry normaliseAllowlist takes, and names the prefix range or the shape otherwise', () => {
    for (const good of ['10.0.0.0/8', '192.0.2.1', '2001:db8::/32', '::ffff:10.0.0.0/104', ' 10.1.2.3/32 ']) {
      expect(allowlistEntryProblem(good), good).toBeUndefined();
    }
    expect(allowlistEntryProblem('10.0.0.0/33')).toBe('the prefix length must be 0–32');
    expect(allowlistEntryProblem('10.0.0.0/-1')).toBe('the prefix length must be 0–32');
    expect(allowlistEntryProblem('2001:db8::/129')).toBe('the prefix length must be 0–128');
    expect(allowlistEntryProblem('::ffff:10.0.0.0/64')).toBe('the prefix length must be 96–128');
    for (const bad of ['example.com', '300.0.0.1', '10.0.0/8', '']) {
      expect(allowlistEntryProblem(bad), bad).toBe(
        'not an IPv4 or IPv6 address or CIDR (for example 10.0.0.0/8 or 2001:db8::/32)',
      );
      expect(() => normaliseAllowlist([bad])).toThrow();
    }
  });
});

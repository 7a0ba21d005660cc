import type { AuditRecord } from '../domain/audit.js';
import { viewGraceEndsAt, type ClientView } from '../domain/client.js';
import type { UsageBucket } from '../domain/usage.js';
import type { RetirementNotice } from '../usecases/manage-keys.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** `3600` → `1h`, `5400` → `1h 30m`, `90` → `1m 30s`: the two largest units of a span of seconds. */
export function spanText(seconds: number): string {
  const units: Array<[string, number]> = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let left = Math.max(0, Math.round(seconds));
  for (const [unit, size] of units) {
    if (left >= size && parts.length < 2) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    } else if (parts.length > 0) break;
  }
  return parts.length === 0 ? '0s' : parts.join(' ');
}

/**
 * When the old secret stops working, in words: `works until 2026-12-07T16:00:00.000Z (in 1h)`
 * while a grace runs; after a rotation without one (`rotated`), that it stopped at once.
 */
export function oldSecretText(c: ClientView, now: number, rotated = false): string | undefined {
  const ends = viewGraceEndsAt(c, now);
  if (ends !== null) return `works until ${new Date(ends).toISOString()} (in ${spanText((ends - now) / 1000)})`;
  return rotated ? 'stopped working now (no grace); its tokens die on their next use' : undefined;
}

/**
 * A client as `--json` prints it (spec §6's keys, and `graceEndsAt`: when the previous secret
 * stops working, null when no grace runs); the secret only where it was just made.
 */
export function clientJson(c: ClientView, now: number, clientSecret?: string): Record<string, unknown> {
  const ends = viewGraceEndsAt(c, now);
  return {
    clientId: c.id,
    name: c.name,
    mode: c.mode,
    scopes: c.scopes,
    allowedIps: c.allowedIps,
    orgId: c.orgId,
    enabled: c.enabled,
    secretGeneration: c.secretGeneration,
    createdAt: new Date(c.createdAt).toISOString(),
    graceEndsAt: ends === null ? null : new Date(ends).toISOString(),
    tokensPerMinute: c.tokensPerMinute,
    burst: c.burst,
    ...(clientSecret === undefined ? {} : { clientSecret }),
  };
}

/** A client for a person; `rotated`: just rotated, so the old secret's fate is said either way. */
export function clientText(c: ClientView, now: number, clientSecret?: string, rotated = false): string {
  const lines = [
    `${c.id}  ${c.name}`,
    `  mode:        ${c.mode}${c.enabled ? '' : '  (disabled)'}`,
    `  scopes:      ${c.scopes.join(' ') || '(none)'}`,
    `  allowed ips: ${c.allowedIps.join(' ') || '(any)'}`,
    `  org:         ${c.orgId ?? '(none)'}`,
    `  generation:  ${c.secretGeneration}`,
    `  created:     ${new Date(c.createdAt).toISOString()}`,
  ];
  if (c.tokensPerMinute !== null)
    lines.push(`  quota:       ${c.tokensPerMinute} tokens a minute, ${c.burst ?? c.tokensPerMinute} at once`);
  const old = oldSecretText(c, now, rotated);
  if (old !== undefined) lines.push(`  old secret:  ${old}`);
  if (clientSecret !== undefined) lines.push(`  secret:      ${clientSecret}`, '  (shown once: store it now)');
  return lines.join('\n');
}

/** `90`, `90s`, `15m`, `1h`, `2d` → seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${JSON.stringify(text)} (use e.g. 90s, 15m, 1h, 2d)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** A usage bucket as `clients usage --json` prints it (spec §11). */
export function usageJson(b: UsageBucket): Record<string, unknown> {
  return { start: iso(b.start), door: b.door, issued: b.issued, failures: b.failures, checks: b.checks };
}

/** A usage bucket on one line for a person. */
export function usageText(b: UsageBucket): string {
  const failures = Object.entries(b.failures).map(([code, n]) => `${code}=${n}`);
  return [
    iso(b.start),
    b.door.padEnd(12),
    `issued ${b.issued}`,
    `checks ${b.checks}`,
    `failures ${failures.join(' ') || '0'}`,
  ].join('  ');
}

/** An audit event as `audit --json` prints it. */
export function auditJson(e: AuditRecord): Record<string, unknown> {
  return {
    id: e.id,
    at: new Date(e.at).toISOString(),
    actor: e.actor,
    action: e.action,
    clientId: e.clientId,
    sourceIp: e.sourceIp,
    detail: e.detail,
  };
}

/**
 * What `keys retire` warns of, in words: the span in which the key signed and which of those
 * tokens die. Lifetimes are this environment's (the server's should be the same).
 */
export function retirementText(n: RetirementNotice, now: number): string {
  const { key } = n;
  const expiring =
    n.expiringTokensDeadAt <= now
      ? `the last of them expired at ${iso(n.expiringTokensDeadAt)}, so none is alive now`
      : `the last of them expires at ${iso(n.expiringTokensDeadAt)}`;
  const doors = n.commonTokensNeverExpire ? 'v1, v2, GraphQL and oauth2' : 'v1, v2, GraphQL, oauth2 and common-door';
  return [
    `Retiring ${key.mode} key ${key.kid} (${key.alg}) removes it from the JWKS and kills every access token it ` +
      `signed, at once`,
    '(running servers refuse them within a second). Tokens are not stored, so they are named by when they were signed:',
    `  signed with it: ${key.mode} tokens issued from ${iso(n.signedFrom)} until ${iso(n.signedUntil)}, when key ` +
      `${n.replacedBy} replaced it.`,
    n.commonTokensNeverExpire
      ? '  - common-door tokens (/api/v1/client/...) never expire (CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES is unset): ' +
        'EVERY one issued in that span dies, however old.'
      : '  - common-door tokens expire (CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES is set): they are counted below.',
    `  - ${doors} tokens live at most ${n.longestExpiringTtl} s: those still alive die; ${expiring}.`,
    '  Refresh tokens are not signed: they stay good and mint tokens with the current key.',
  ].join('\n');
}

/** The same notice, for `--json`. */
export function retirementJson(n: RetirementNotice, now: number): Record<string, unknown> {
  return {
    kid: n.key.kid,
    mode: n.key.mode,
    alg: n.key.alg,
    signedFrom: iso(n.signedFrom),
    signedUntil: iso(n.signedUntil),
    replacedBy: n.replacedBy,
    tokensThatDie: {
      commonDoorWithoutExpiry: n.commonTokensNeverExpire ? 'all issued in the span' : 'none (they expire)',
      expiring: {
        longestTtlSeconds: n.longestExpiringTtl,
        lastExpiresAt: iso(n.expiringTokensDeadAt),
        anyStillAlive: n.expiringTokensDeadAt > now,
      },
    },
  };
}

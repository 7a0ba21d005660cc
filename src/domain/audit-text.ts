import type { AuditAction, AuditRecord } from './audit.js';

/*
 * The audit trail in words (issue 29, item 8): one sentence per record, such as "Secret rotated,
 * 1 h grace, by you@example.test from 127.0.0.1". The panel and `tollgate audit` print exactly
 * this; the structured detail stays beside it. Only the named fields of a detail are read, so a
 * key a future writer adds is never echoed here by accident (records never carry a secret, hash
 * or token, and this keeps it so).
 */

type Detail = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const list = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
const quoted = (v: unknown): string | undefined => {
  const s = str(v);
  return s === undefined ? undefined : `“${s}”`;
};
const iso = (ms: number): string => new Date(ms).toISOString();
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** Seconds as people say them, in at most two units: `90` → "1 min 30 s", `3600` → "1 h". */
export function durationInWords(seconds: number): string {
  const units: Array<[number, string]> = [
    [86_400, 'd'],
    [3600, 'h'],
    [60, 'min'],
    [1, 's'],
  ];
  const parts: string[] = [];
  let left = Math.max(0, Math.round(seconds));
  for (const [size, name] of units) {
    if (left >= size && parts.length < 2) {
      parts.push(`${Math.floor(left / size)} ${name}`);
      left %= size;
    } else if (parts.length > 0) break;
  }
  return parts.length === 0 ? '0 s' : parts.join(' ');
}

const words = (v: string[] | undefined, none: string): string | undefined =>
  v === undefined ? undefined : v.length === 0 ? none : v.join(' ');

/** "added a b, removed c" between two lists; undefined when nothing moved. */
function listChange(what: string, before: string[] | undefined, after: string[] | undefined): string | undefined {
  if (before === undefined || after === undefined) return undefined;
  const added = after.filter((x) => !before.includes(x));
  const removed = before.filter((x) => !after.includes(x));
  const parts = [
    added.length > 0 ? `added ${added.join(' ')}` : undefined,
    removed.length > 0 ? `removed ${removed.join(' ')}` : undefined,
  ].filter((p) => p !== undefined);
  return parts.length === 0 ? undefined : `${what} ${parts.join(', ')}`;
}

const ttlWords = (v: unknown): string => {
  const n = num(v);
  return n === undefined ? 'none' : durationInWords(n);
};

/** An API as its audit rows describe it: identifier, name, permissions, lifetime cap and algorithm. */
function apiParts(d: Detail): Array<string | undefined> {
  const ttl = num(d.tokenTtlSeconds);
  return [
    str(d.identifier),
    quoted(d.name),
    str(d.mode) && `${str(d.mode)} mode`,
    list(d.permissions) && `permissions ${words(list(d.permissions), 'none')}`,
    ttl === undefined ? undefined : `tokens live at most ${durationInWords(ttl)}`,
    str(d.alg) && `signed with ${str(d.alg)}`,
  ];
}

/** What changed in an API, from the `before` and `after` of its `api.updated` row. */
function apiChanges(d: Detail): Array<string | undefined> {
  const before = (typeof d.before === 'object' && d.before !== null ? d.before : {}) as Detail;
  const after = (typeof d.after === 'object' && d.after !== null ? d.after : {}) as Detail;
  const parts: Array<string | undefined> = [str(d.identifier)];
  if ('name' in after) parts.push(`renamed from ${quoted(before.name) ?? 'nothing'} to ${quoted(after.name) ?? '—'}`);
  if ('permissions' in after)
    parts.push(listChange('permissions', list(before.permissions) ?? [], list(after.permissions) ?? []));
  if ('tokenTtlSeconds' in after)
    parts.push(`token lifetime cap ${ttlWords(before.tokenTtlSeconds)} → ${ttlWords(after.tokenTtlSeconds)}`);
  if (!('name' in after) && !('permissions' in after) && !('tokenTtlSeconds' in after))
    parts.push('permission descriptions changed');
  return parts;
}

/** What a `client.updated` row says changed: each field with its new value. */
function clientChanges(d: Detail): Array<string | undefined> {
  const fields = list(d.fields) ?? [];
  return fields.map((f) => {
    if (f === 'name') return `renamed to ${quoted(d.name) ?? '—'}`;
    if (f === 'scopes') return `scopes set to ${words(list(d.scopes), 'none') ?? '—'}`;
    if (f === 'allowedIps') {
      const ips = list(d.allowedIps);
      return ips === undefined || ips.length === 0 ? 'IP allowlist cleared' : `IP allowlist set to ${ips.join(' ')}`;
    }
    if (f === 'orgId') return str(d.orgId) ? `moved to organisation ${str(d.orgId)}` : 'taken out of its organisation';
    return `${f} changed`;
  });
}

function lockoutParts(r: AuditRecord): Array<string | undefined> {
  const d = r.detail;
  const until = num(d.lockedUntil);
  const from = r.sourceIp ?? 'an unknown address';
  const reason =
    str(d.operator) !== undefined
      ? `too many wrong passwords for operator ${str(d.operator)} from ${from}`
      : str(d.grant) === 'refresh_token'
        ? `too many unknown refresh tokens from ${from}`
        : d.kind === 'ip'
          ? `too many failed attempts from ${from}, across client ids`
          : `too many failed attempts for client ${r.clientId ?? '(unknown)'} from ${from}`;
  return [reason, until === undefined ? undefined : `until ${iso(until)}`];
}

interface Phrase {
  /** The action in words. */
  title: string | ((d: Detail) => string);
  /** The detail's meaningful parts, in order; undefined parts are left out. */
  parts?: (d: Detail, r: AuditRecord) => Array<string | undefined>;
  /** Whether "by <actor> from <address>" follows (a lockout names its address in its reason). */
  byline?: boolean;
}

const operatorOnly = (title: string, extra?: string): Phrase => ({
  title,
  parts: (d) => [str(d.operator), extra],
});

/** Every action, once: a new action does not compile until it has its words here. */
export const AUDIT_PHRASES = {
  'client.created': {
    title: 'Client created',
    parts: (d) => {
      const ips = list(d.allowedIps) ?? [];
      return [
        quoted(d.name),
        str(d.mode) && `${str(d.mode)} mode`,
        `scopes ${words(list(d.scopes), 'none') ?? 'none'}`,
        ips.length > 0 ? `allowed from ${ips.join(' ')}` : undefined,
        str(d.orgId) && `organisation ${str(d.orgId)}`,
        d.secretSource === 'imported' ? 'imported secret' : undefined,
      ];
    },
  },
  'client.updated': { title: 'Client updated', parts: clientChanges },
  'client.rotated': {
    title: 'Secret rotated',
    parts: (d) => {
      const grace = num(d.graceSeconds) ?? 0;
      return [grace > 0 ? `${durationInWords(grace)} grace` : 'no grace, the old secret stopped at once'];
    },
  },
  'client.disabled': { title: 'Client disabled', parts: () => ['its tokens ended'] },
  'client.enabled': { title: 'Client enabled' },
  'client.deleted': {
    title: 'Client deleted',
    parts: (d) => [quoted(d.name), str(d.mode) && `${str(d.mode)} mode`],
  },
  'client.scope_refused': {
    title: 'Reserved scope refused',
    parts: (d) => [words(list(d.scopes), '—'), quoted(d.name) && `for new client ${quoted(d.name)}`],
  },
  'api.created': { title: 'API created', parts: apiParts },
  'api.updated': { title: 'API updated', parts: apiChanges },
  'api.deleted': {
    title: 'API deleted',
    parts: (d) => {
      const gone = list(d.grantsRemoved) ?? [];
      return [...apiParts(d), gone.length > 0 ? `${plural(gone.length, 'grant')} removed with it` : undefined];
    },
  },
  'grant.set': {
    title: (d) => (d.before === null || d.before === undefined ? 'Grant given' : 'Grant changed'),
    parts: (d) => {
      const after = list(d.after);
      const before = list(d.before);
      return [
        str(d.api) && `for API ${str(d.api)}`,
        before === undefined ? `permissions ${words(after, 'none') ?? '—'}` : listChange('permissions', before, after),
      ];
    },
  },
  'grant.removed': {
    title: 'Grant removed',
    parts: (d) => [str(d.api) && `for API ${str(d.api)}`, list(d.before) && `it gave ${words(list(d.before), 'none')}`],
  },
  'key.rotated': {
    title: 'Signing key rotated',
    parts: (d) => [
      str(d.mode) && `${str(d.mode)} mode`,
      str(d.kid) && `new current key ${str(d.kid)}${str(d.alg) ? ` (${str(d.alg)})` : ''}`,
      str(d.replaced) && `replacing ${str(d.replaced)}, which still verifies`,
    ],
  },
  'key.retired': {
    title: 'Signing key retired',
    parts: (d) => [
      str(d.mode) && `${str(d.mode)} mode`,
      str(d.kid) && `key ${str(d.kid)}${str(d.alg) ? ` (${str(d.alg)})` : ''}`,
      'every token it signed ended',
    ],
  },
  lockout: { title: 'Locked out', parts: (_d, r) => lockoutParts(r), byline: false },
  'operator.created': {
    title: (d) => (d.via === 'first-admin link' ? 'First admin created' : 'Operator created'),
    parts: (d) => [
      str(d.operator),
      str(d.role) && `${str(d.role)}${str(d.orgId) ? ` of organisation ${str(d.orgId)}` : ''}`,
    ],
  },
  'operator.setup': operatorOnly('Password set through a setup link'),
  'operator.disabled': operatorOnly('Operator disabled', 'every session of theirs ended'),
  'operator.reset': operatorOnly('Operator reset', 'password and two-step sign-in cleared, every session ended'),
  'operator.totp_enrolled': operatorOnly('Two-step sign-in turned on'),
  'operator.password_changed': operatorOnly('Password changed', 'every other session ended'),
} satisfies Record<AuditAction, Phrase>;

/** Who acted, as the record names them: `panel:<email>`, `graphql:<client id>`, `cli:<user>`, `system:…`. */
export function actorInWords(actor: string): string {
  const at = actor.indexOf(':');
  const [kind, id] = at < 0 ? ['', actor] : [actor.slice(0, at), actor.slice(at + 1)];
  if (kind === 'panel') return id;
  if (kind === 'graphql') return `client ${id}`;
  if (kind === 'cli') return id === '' ? 'the CLI' : `${id} at the CLI`;
  if (kind === 'system') return 'Tollgate';
  return actor;
}

/**
 * One audit record as a sentence: the action in words, the meaningful parts of its detail, who
 * did it and from where (when the record has an address).
 */
export function auditSummary(r: AuditRecord): string {
  const phrase: Phrase = AUDIT_PHRASES[r.action] ?? { title: `${r.action}` };
  const title = typeof phrase.title === 'function' ? phrase.title(r.detail) : phrase.title;
  const parts = (phrase.parts?.(r.detail, r) ?? []).filter((p): p is string => typeof p === 'string' && p !== '');
  const head = [title, ...parts].join(', ');
  if (phrase.byline === false) return head;
  return `${head}, by ${actorInWords(r.actor)}${r.sourceIp ? ` from ${r.sourceIp}` : ''}`;
}

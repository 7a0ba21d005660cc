import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, type AuditAction, type AuditRecord } from '../../src/domain/audit.js';
import { actorInWords, auditSummary, durationInWords } from '../../src/domain/audit-text.js';
import { lockoutEvent, lockoutKeys, operatorLockoutKeys, refreshLockoutKeys } from '../../src/domain/lockout.js';

const T0 = Date.parse('2026-12-07T12:00:00.000Z');
const CLIENT = 'cl_live_0123456789abcdefghijkl';

const record = (
  action: AuditAction,
  detail: Record<string, unknown>,
  over: Partial<AuditRecord> = {},
): AuditRecord => ({
  id: 1,
  at: T0,
  actor: 'panel:you@example.test',
  action,
  clientId: CLIENT,
  sourceIp: '127.0.0.1',
  detail,
  ...over,
});

/**
 * One record per action, each with the detail its writer records (src/usecases/…, src/domain/lockout.ts),
 * plus keys no writer records that hold secret-looking values: none of them may reach a sentence.
 */
const LEAKS = { clientSecret: 'sk_live_LEAKED', secretHash: 'scrypt$LEAKED', token: 'eyJLEAKED' };
const EVERY: Record<AuditAction, Record<string, unknown>> = {
  'client.created': {
    name: 'svc',
    mode: 'live',
    scopes: ['read'],
    allowedIps: [],
    orgId: null,
    secretSource: 'generated',
  },
  'client.updated': { fields: ['name'], name: 'renamed' },
  'client.rotated': { generation: 2, graceSeconds: 0 },
  'client.disabled': {},
  'client.enabled': {},
  'client.deleted': { name: 'svc', mode: 'live', secretGeneration: 3 },
  'client.scope_refused': { scopes: ['tollgate:admin'] },
  'api.created': {
    identifier: 'https://api.example.com/',
    mode: 'live',
    name: 'Invoices',
    permissions: ['invoices:read'],
    tokenTtlSeconds: null,
    alg: null,
  },
  'api.updated': {
    identifier: 'https://api.example.com/',
    mode: 'live',
    before: { name: 'Invoices' },
    after: { name: 'Billing' },
  },
  'api.deleted': {
    identifier: 'https://api.example.com/',
    mode: 'live',
    name: 'Invoices',
    permissions: [],
    tokenTtlSeconds: null,
    alg: null,
    grantsRemoved: [],
  },
  'grant.set': { api: 'https://api.example.com/', before: null, after: ['invoices:read'] },
  'grant.removed': { api: 'https://api.example.com/', before: ['invoices:read'] },
  'key.rotated': { kid: 'k2', mode: 'live', alg: 'ES256', replaced: 'k1' },
  'key.retired': { kid: 'k1', mode: 'live', alg: 'ES256' },
  lockout: { kind: 'pair', lockedUntil: T0 + 900_000 },
  'operator.created': { operator: 'dev@example.test', role: 'developer', orgId: 'acme' },
  'operator.setup': { operator: 'dev@example.test' },
  'operator.disabled': { operator: 'dev@example.test' },
  'operator.reset': { operator: 'dev@example.test' },
  'operator.totp_enrolled': { operator: 'dev@example.test' },
  'operator.password_changed': { operator: 'dev@example.test' },
};

describe('the audit trail in words', () => {
  it('says each action in its own words, with who did it and from where, never a secret', () => {
    expect(Object.keys(EVERY).sort()).toEqual([...AUDIT_ACTIONS].sort());
    const titles = new Set<string>();
    for (const action of AUDIT_ACTIONS) {
      const s = auditSummary(record(action, { ...EVERY[action], ...LEAKS }));
      expect(s, action).not.toMatch(/LEAKED|undefined|null|\[object|[{}"]/);
      expect(s, action).not.toContain(action);
      // The first phrase is the action in words, different for every action.
      const title = s.split(',')[0]!;
      expect(titles.has(title), `${action}: "${title}" is used twice`).toBe(false);
      titles.add(title);
      if (action !== 'lockout') expect(s, action).toMatch(/, by you@example\.test from 127\.0\.0\.1$/);
    }
  });

  it('reads like the issue asks', () => {
    expect(auditSummary(record('client.rotated', { generation: 3, graceSeconds: 3600 }))).toBe(
      'Secret rotated, 1 h grace, by you@example.test from 127.0.0.1',
    );
    expect(
      auditSummary(
        record('client.rotated', { generation: 2, graceSeconds: 0 }, { actor: 'cli:alice', sourceIp: null }),
      ),
    ).toBe('Secret rotated, no grace, the old secret stopped at once, by alice at the CLI');
    expect(
      auditSummary(
        record('client.created', {
          name: 'billing',
          mode: 'test',
          scopes: ['read', 'write'],
          allowedIps: ['10.0.0.0/8'],
          orgId: 'acme',
          secretSource: 'imported',
        }),
      ),
    ).toBe(
      'Client created, “billing”, test mode, scopes read write, allowed from 10.0.0.0/8, organisation acme, ' +
        'imported secret, by you@example.test from 127.0.0.1',
    );
    expect(
      auditSummary(
        record(
          'client.updated',
          { fields: ['name', 'scopes', 'allowedIps'], name: 'new', scopes: [], allowedIps: [] },
          { actor: `graphql:${CLIENT}`, sourceIp: '198.51.100.7' },
        ),
      ),
    ).toBe(
      `Client updated, renamed to “new”, scopes set to none, IP allowlist cleared, by client ${CLIENT} from 198.51.100.7`,
    );
    expect(
      auditSummary(
        record(
          'grant.set',
          { api: 'https://api.example.com/', before: ['a', 'b'], after: ['b', 'c'] },
          { sourceIp: null },
        ),
      ),
    ).toBe('Grant changed, for API https://api.example.com/, permissions added c, removed a, by you@example.test');
    expect(
      auditSummary(
        record('api.updated', {
          identifier: 'https://api.example.com/',
          before: { permissions: ['a'], tokenTtlSeconds: null },
          after: { permissions: ['a', 'b'], tokenTtlSeconds: 5400 },
        }),
      ),
    ).toBe(
      'API updated, https://api.example.com/, permissions added b, token lifetime cap none → 1 h 30 min, ' +
        'by you@example.test from 127.0.0.1',
    );
    expect(
      auditSummary(
        record('key.rotated', { kid: 'k2', mode: 'test', alg: 'EdDSA', replaced: 'k1' }, { clientId: null }),
      ),
    ).toBe(
      'Signing key rotated, test mode, new current key k2 (EdDSA), replacing k1, which still verifies, ' +
        'by you@example.test from 127.0.0.1',
    );
    expect(
      auditSummary(
        record(
          'operator.created',
          { operator: 'root@example.test', role: 'admin', orgId: null, via: 'first-admin link' },
          { actor: 'panel:root@example.test' },
        ),
      ),
    ).toBe('First admin created, root@example.test, admin, by root@example.test from 127.0.0.1');
    expect(auditSummary(record('operator.password_changed', { operator: 'you@example.test' }))).toBe(
      'Password changed, you@example.test, every other session ended, by you@example.test from 127.0.0.1',
    );
  });

  it('gives a lockout its reason and address, from the lockout core’s own rows', () => {
    const at = (e: ReturnType<typeof lockoutEvent>): AuditRecord => ({ ...e, id: 1 });
    const until = new Date(T0 + 900_000).toISOString();
    const keys = lockoutKeys(CLIENT, '203.0.113.9');
    expect(auditSummary(at(lockoutEvent(keys.pair, 'pair', T0 + 900_000, T0)))).toBe(
      `Locked out, too many failed attempts for client ${CLIENT} from 203.0.113.9, until ${until}`,
    );
    expect(auditSummary(at(lockoutEvent(keys.ip, 'ip', T0 + 900_000, T0)))).toBe(
      `Locked out, too many failed attempts from 203.0.113.9, across client ids, until ${until}`,
    );
    const op = operatorLockoutKeys('you@example.test', '203.0.113.9');
    expect(auditSummary(at(lockoutEvent(op.pair, 'pair', T0 + 900_000, T0)))).toBe(
      `Locked out, too many wrong passwords for operator you@example.test from 203.0.113.9, until ${until}`,
    );
    const refresh = refreshLockoutKeys('203.0.113.9');
    expect(auditSummary(at(lockoutEvent(refresh.pair, 'pair', T0 + 900_000, T0)))).toBe(
      `Locked out, too many unknown refresh tokens from 203.0.113.9, until ${until}`,
    );
  });

  it('names actors as the records do, and durations as people say them', () => {
    expect(actorInWords('panel:you@example.test')).toBe('you@example.test');
    expect(actorInWords(`graphql:${CLIENT}`)).toBe(`client ${CLIENT}`);
    expect(actorInWords('cli:alice')).toBe('alice at the CLI');
    expect(actorInWords('system:tollgate')).toBe('Tollgate');
    expect(actorInWords('someone')).toBe('someone');
    expect([0, 45, 90, 3600, 5400, 86_400, 90_061, 604_800].map(durationInWords)).toEqual([
      '0 s',
      '45 s',
      '1 min 30 s',
      '1 h',
      '1 h 30 min',
      '1 d',
      '1 d 1 h',
      '7 d',
    ]);
  });

  it('still says something for a row whose action this build does not know', () => {
    const odd = record('client.created', {});
    expect(auditSummary({ ...odd, action: 'webhook.sent' as AuditAction })).toBe(
      'webhook.sent, by you@example.test from 127.0.0.1',
    );
  });
});

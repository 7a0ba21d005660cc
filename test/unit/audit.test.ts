import { describe, expect, it } from 'vitest';
import { SYSTEM, type Actor } from '../../src/domain/audit.js';
import { lockoutEvent, lockoutKeys, refreshLockoutKeys } from '../../src/domain/lockout.js';
import { DomainError } from '../../src/domain/errors.js';
import { issueToken } from '../../src/usecases/issue-token.js';
import { createClient, rotateSecret, updateClient } from '../../src/usecases/clients/manage.js';
import { refreshAccessToken } from '../../src/usecases/refresh-token.js';
import { fakeDeps, type FakeDeps } from '../support/fakes.js';

const CLI: Actor = { kind: 'cli', id: 'alice' };
const GQL: Actor = { kind: 'graphql', id: 'cl_live_admin0000000000000000', sourceIp: '198.51.100.7' };
const IP = '203.0.113.10';

/** Every secret and hash the fakes have ever held, current and previous. */
function secretsHeld(deps: FakeDeps, shown: string[]): string[] {
  const hashes = [...deps.clients.rows.values()]
    .flatMap((c) => [c.secretHash, c.previousSecretHash ?? ''])
    .filter(Boolean);
  return [...shown, ...hashes];
}

function expectNoSecretInTrail(deps: FakeDeps, shown: string[]): void {
  const trail = JSON.stringify(deps.audit.events);
  for (const s of secretsHeld(deps, shown))
    expect(trail.includes(s), `a secret or hash reached the audit trail: ${s.slice(0, 12)}…`).toBe(false);
  expect(trail).not.toMatch(/sk_(live|test)_|scrypt|\$/);
}

const wrongAttempt = (deps: FakeDeps, clientId: string, ip = IP) =>
  issueToken(deps, {
    mode: 'live',
    door: 'v1',
    clientId,
    clientSecret: 'wrong-secret-value',
    sourceIp: ip,
    ttlSeconds: 60,
  }).catch((e: unknown) => e);

describe('audit trail of client administration', () => {
  it('records a creation by Tollgate itself when no actor is given, with the settings and no secret', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, {
      name: 'billing',
      mode: 'live',
      scopes: ['invoices:read'],
      allowedIps: ['10.0.0.0/8'],
      orgId: 'org_1',
    });
    expect(deps.audit.events).toEqual([
      {
        id: 1,
        at: deps.clock.now(),
        actor: 'system:tollgate',
        action: 'client.created',
        clientId: made.client.id,
        sourceIp: null,
        detail: {
          name: 'billing',
          mode: 'live',
          scopes: ['invoices:read'],
          allowedIps: ['10.0.0.0/8'],
          orgId: 'org_1',
          secretSource: 'generated',
        },
      },
    ]);
    expectNoSecretInTrail(deps, [made.clientSecret]);
  });

  it('names the CLI operator and the GraphQL caller with its address', async () => {
    const deps = await fakeDeps();
    const a = await createClient(deps, { name: 'a', mode: 'live', secret: 'an-imported-secret-1' }, CLI);
    const b = await createClient(deps, { name: 'b', mode: 'live' }, GQL);
    const [ea, eb] = deps.audit.events;
    expect(ea).toMatchObject({
      actor: 'cli:alice',
      sourceIp: null,
      clientId: a.client.id,
      detail: { secretSource: 'imported' },
    });
    expect(eb).toMatchObject({
      actor: `graphql:${GQL.id}`,
      sourceIp: '198.51.100.7',
      clientId: b.client.id,
      detail: { secretSource: 'generated' },
    });
    expectNoSecretInTrail(deps, [a.clientSecret, b.clientSecret, 'an-imported-secret-1']);
  });

  it('records a rotation with the new generation and grace, never the old or new secret or hash', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'live' }, CLI);
    const first = await rotateSecret(deps, made.client.id, 3600, CLI);
    deps.clock.advance(1);
    const second = await rotateSecret(deps, made.client.id, undefined, GQL);
    const rotations = deps.audit.events.filter((e) => e.action === 'client.rotated');
    expect(rotations).toEqual([
      expect.objectContaining({
        actor: 'cli:alice',
        clientId: made.client.id,
        detail: { generation: 2, graceSeconds: 3600 },
      }),
      expect.objectContaining({
        actor: `graphql:${GQL.id}`,
        sourceIp: GQL.sourceIp,
        detail: { generation: 3, graceSeconds: 0 },
      }),
    ]);
    expect(rotations[1]!.at - rotations[0]!.at).toBe(1000);
    expectNoSecretInTrail(deps, [made.clientSecret, first.clientSecret, second.clientSecret]);
  });

  it('records what an update changed: field names and new values, and disable / enable as their own actions', async () => {
    const deps = await fakeDeps();
    const { client, clientSecret } = await createClient(deps, { name: 'svc', mode: 'live', scopes: ['read'] });
    await updateClient(deps, client.id, { name: 'svc2', scopes: ['read'], allowedIps: ['10.1.0.0/16'] }, CLI);
    await updateClient(deps, client.id, { enabled: false }, GQL);
    await updateClient(deps, client.id, { enabled: true }, CLI);
    await updateClient(deps, client.id, { enabled: false, orgId: 'org_9' }, CLI);
    const trail = deps.audit.events
      .slice(1)
      .map(({ actor, action, clientId, sourceIp, detail }) => ({ actor, action, clientId, sourceIp, detail }));
    expect(trail).toEqual([
      // `scopes` was given but unchanged: not reported.
      {
        actor: 'cli:alice',
        action: 'client.updated',
        clientId: client.id,
        sourceIp: null,
        detail: { fields: ['name', 'allowedIps'], name: 'svc2', allowedIps: ['10.1.0.0/16'] },
      },
      {
        actor: `graphql:${GQL.id}`,
        action: 'client.disabled',
        clientId: client.id,
        sourceIp: GQL.sourceIp,
        detail: {},
      },
      { actor: 'cli:alice', action: 'client.enabled', clientId: client.id, sourceIp: null, detail: {} },
      {
        actor: 'cli:alice',
        action: 'client.updated',
        clientId: client.id,
        sourceIp: null,
        detail: { fields: ['orgId'], orgId: 'org_9' },
      },
      { actor: 'cli:alice', action: 'client.disabled', clientId: client.id, sourceIp: null, detail: {} },
    ]);
    expectNoSecretInTrail(deps, [clientSecret]);
  });

  it('records nothing for an update that changes nothing, a refused input, or an unknown client', async () => {
    const deps = await fakeDeps();
    const { client } = await createClient(deps, { name: 'svc', mode: 'live', scopes: ['read'] });
    const before = deps.audit.events.length;
    await updateClient(deps, client.id, { name: 'svc', enabled: true }, CLI);
    await expect(updateClient(deps, client.id, { scopes: ['bad"scope'] }, CLI)).rejects.toBeInstanceOf(DomainError);
    await expect(updateClient(deps, 'cl_live_missing000000000000', { enabled: false }, CLI)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(rotateSecret(deps, 'cl_live_missing000000000000', 0, CLI)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(rotateSecret(deps, client.id, -1, CLI)).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(createClient(deps, { name: '', mode: 'live' }, CLI)).rejects.toBeInstanceOf(DomainError);
    expect(deps.audit.events).toHaveLength(before);
  });

  it('lists newest first, by client, within the limit', async () => {
    const deps = await fakeDeps();
    const a = await createClient(deps, { name: 'a', mode: 'live' }, CLI);
    deps.clock.advance(1);
    const b = await createClient(deps, { name: 'b', mode: 'live' }, CLI);
    await rotateSecret(deps, a.client.id, 0, CLI); // same millisecond as b's creation: id breaks the tie
    const all = await deps.audit.list({ limit: 10 });
    expect(all.map((e) => [e.action, e.clientId])).toEqual([
      ['client.rotated', a.client.id],
      ['client.created', b.client.id],
      ['client.created', a.client.id],
    ]);
    expect((await deps.audit.list({ clientId: a.client.id, limit: 10 })).map((e) => e.action)).toEqual([
      'client.rotated',
      'client.created',
    ]);
    expect(await deps.audit.list({ clientId: a.client.id, limit: 1 })).toHaveLength(1);
  });
});

describe('audit trail of lockouts', () => {
  it('records one lockout, by Tollgate, when the pair locks; not for the failures before or the refusals after', async () => {
    const deps = await fakeDeps();
    const { client, clientSecret } = await createClient(deps, { name: 'svc', mode: 'live' });
    for (let i = 0; i < 4; i++) await wrongAttempt(deps, client.id);
    expect(deps.audit.events.filter((e) => e.action === 'lockout')).toHaveLength(0);
    await wrongAttempt(deps, client.id);
    for (let i = 0; i < 3; i++) expect(await wrongAttempt(deps, client.id)).toMatchObject({ code: 'rate_limited' });
    const locks = deps.audit.events.filter((e) => e.action === 'lockout');
    expect(locks).toEqual([
      {
        id: 2,
        at: deps.clock.now(),
        actor: 'system:tollgate',
        action: 'lockout',
        clientId: client.id,
        sourceIp: IP,
        detail: { kind: 'pair', lockedUntil: deps.clock.now() + 900_000 },
      },
    ]);
    expectNoSecretInTrail(deps, [clientSecret, 'wrong-secret-value']);
  });

  it('records an address lock across client ids without a client id', async () => {
    const deps = await fakeDeps({ maxFailures: 5, maxFailuresPerIp: 3, windowSeconds: 900, lockSeconds: 60 });
    for (let i = 0; i < 3; i++) await wrongAttempt(deps, `cl_live_unknown${i}`, '192.0.2.44');
    expect(deps.audit.events).toEqual([
      expect.objectContaining({
        action: 'lockout',
        clientId: null,
        sourceIp: '192.0.2.44',
        detail: { kind: 'ip', lockedUntil: deps.clock.now() + 60_000 },
      }),
    ]);
  });

  it('records refresh-token guessing as a lock of the address, without a client id', async () => {
    const deps = await fakeDeps({ maxFailures: 5, maxFailuresPerIp: 2, windowSeconds: 900, lockSeconds: 60 });
    for (let i = 0; i < 2; i++) {
      await refreshAccessToken(deps, {
        mode: 'live',
        door: 'oauth2',
        refreshToken: `rt_${'A'.repeat(43)}`,
        sourceIp: '192.0.2.45',
        ttlSeconds: 60,
      }).catch(() => undefined);
    }
    const locks = deps.audit.events.filter((e) => e.action === 'lockout');
    expect(locks.map((e) => [e.clientId, e.sourceIp, e.detail])).toEqual([
      [null, '192.0.2.45', { kind: 'pair', lockedUntil: deps.clock.now() + 60_000, grant: 'refresh_token' }],
      [null, '192.0.2.45', { kind: 'ip', lockedUntil: deps.clock.now() + 60_000 }],
    ]);
  });
});

describe('lockoutEvent', () => {
  const subject = (e: ReturnType<typeof lockoutEvent>) => ({
    clientId: e.clientId,
    sourceIp: e.sourceIp,
    refresh: e.detail.grant === 'refresh_token',
  });
  it('names the client id and address of every key shape', () => {
    expect(subject(lockoutEvent(lockoutKeys('cl_live_abc', '2001:db8::1').pair, 'pair', 1, 0))).toEqual({
      clientId: 'cl_live_abc',
      sourceIp: '2001:db8::1',
      refresh: false,
    });
    // A presented client id may hold spaces; the key is structured, so it is never split apart.
    expect(subject(lockoutEvent(lockoutKeys('odd id with spaces', '10.0.0.1').pair, 'pair', 1, 0))).toEqual({
      clientId: 'odd id with spaces',
      sourceIp: '10.0.0.1',
      refresh: false,
    });
    expect(subject(lockoutEvent(lockoutKeys('x', '10.0.0.2').ip, 'ip', 1, 0))).toEqual({
      clientId: null,
      sourceIp: '10.0.0.2',
      refresh: false,
    });
    expect(subject(lockoutEvent(refreshLockoutKeys('10.0.0.3').pair, 'pair', 1, 0))).toEqual({
      clientId: null,
      sourceIp: '10.0.0.3',
      refresh: true,
    });
  });

  it('keeps SYSTEM as the actor label of Tollgate itself', () => {
    expect(`${SYSTEM.kind}:${SYSTEM.id}`).toBe('system:tollgate');
  });
});

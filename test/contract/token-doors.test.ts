import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateClient } from '../../src/usecases/clients/manage.js';
import { harness, type Harness } from '../support/harness.js';
import { DOORS } from './doors.js';

/** The secret with its last character changed (to one it is not). */
const wrongSecret = (secret: string, to = 'A'): string => secret.slice(0, -1) + (secret.endsWith(to) ? 'B' : to);

/**
 * One table of cases, run against every token door, each answering in its own envelope
 * (docs/architecture.md: one contract suite, many doors).
 */
describe.each(DOORS)('contract: $name token door', (door) => {
  let h: Harness;
  let live: { id: string; secret: string };
  let test: { id: string; secret: string };
  const f = door.fields;

  beforeAll(async () => {
    h = await harness({ LOCKOUT_MAX_FAILURES: '1000', LOCKOUT_MAX_FAILURES_PER_IP: '100000' });
    live = await h.client({ mode: 'live', scopes: ['read', 'write'], orgId: 'org_1' });
    test = await h.client({ mode: 'test', scopes: ['read'] });
  });
  afterAll(() => h.close());

  it('issues an RFC 9068 token for good credentials, all scopes when none are asked', async () => {
    const res = await door.issue(h, 'live', { clientId: live.id, clientSecret: live.secret });
    const token = door.expectToken(res, { scope: 'read write' });
    expect(decodeProtectedHeader(token)).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(decodeJwt(token)).toMatchObject({
      iss: 'http://tollgate.test',
      aud: 'http://tollgate.test',
      sub: live.id,
      client_id: live.id,
      azp: live.id,
      scope: 'read write',
      permissions: ['read', 'write'],
      gty: 'client-credentials',
      org_id: 'org_1',
      sgen: 1,
    });
  });

  it('issues a test-mode token under /test, with the test issuer', async () => {
    const res = await door.issue(h, 'test', { clientId: test.id, clientSecret: test.secret });
    const token = door.expectToken(res, { scope: 'read' });
    expect(decodeJwt(token).iss).toBe('http://tollgate.test/test');
  });

  it('narrows the scope to what was asked', async () => {
    const res = await door.issue(h, 'live', { clientId: live.id, clientSecret: live.secret, scope: 'write' });
    expect(decodeJwt(door.expectToken(res, { scope: 'write' })).permissions).toEqual(['write']);
  });

  const cases: Array<{
    name: string;
    code: Parameters<typeof door.expectError>[1];
    field?: keyof typeof f;
    run: () => ReturnType<typeof door.issue>;
  }> = [
    {
      name: 'missing client id',
      code: 'invalid_request',
      field: 'clientId',
      run: () => door.issue(h, 'live', { clientSecret: live.secret }),
    },
    {
      name: 'missing client secret',
      code: 'invalid_request',
      field: 'clientSecret',
      run: () => door.issue(h, 'live', { clientId: live.id }),
    },
    {
      name: 'empty client secret',
      code: 'invalid_request',
      field: 'clientSecret',
      run: () => door.issue(h, 'live', { clientId: live.id, clientSecret: '' }),
    },
    {
      name: 'client id too short',
      code: 'invalid_request',
      field: 'clientId',
      run: () => door.issue(h, 'live', { clientId: 'ab', clientSecret: live.secret }),
    },
    {
      name: 'client secret too long',
      code: 'invalid_request',
      field: 'clientSecret',
      run: () => door.issue(h, 'live', { clientId: live.id, clientSecret: 'x'.repeat(256) }),
    },
    {
      name: 'malformed scope',
      code: 'invalid_request',
      field: 'scope',
      run: () => door.issue(h, 'live', { clientId: live.id, clientSecret: live.secret, scope: 'read "x"' }),
    },
    {
      name: 'wrong secret',
      code: 'invalid_client',
      run: () => door.issue(h, 'live', { clientId: live.id, clientSecret: wrongSecret(live.secret) }),
    },
    {
      name: 'wrong imported-style secret',
      code: 'invalid_client',
      run: () => door.issue(h, 'live', { clientId: live.id, clientSecret: 'not-the-secret-123' }),
    },
    {
      name: 'unknown client',
      code: 'invalid_client',
      run: () => door.issue(h, 'live', { clientId: 'cl_live_doesnotexist000000', clientSecret: live.secret }),
    },
    {
      name: 'live credentials at the test address',
      code: 'invalid_client',
      run: () => door.issue(h, 'test', { clientId: live.id, clientSecret: live.secret }),
    },
    {
      name: 'test credentials at the live address',
      code: 'invalid_client',
      run: () => door.issue(h, 'live', { clientId: test.id, clientSecret: test.secret }),
    },
    {
      name: 'scope outside the client',
      code: 'invalid_scope',
      run: () => door.issue(h, 'live', { clientId: live.id, clientSecret: live.secret, scope: 'read admin' }),
    },
  ];

  it.each(cases)('$name → $code', async ({ code, field, run }) => {
    door.expectError(await run(), code, field ? { field: f[field] } : {});
  });

  it('answers an unknown client exactly as a wrong secret', async () => {
    const wrong = await door.issue(h, 'live', { clientId: live.id, clientSecret: wrongSecret(live.secret, 'C') });
    const unknown = await door.issue(h, 'live', { clientId: 'cl_live_doesnotexist000000', clientSecret: live.secret });
    expect(unknown.statusCode).toBe(wrong.statusCode);
    expect(unknown.body).toBe(wrong.body);
  });

  it('names the mode mismatch', async () => {
    const res = await door.issue(h, 'test', { clientId: live.id, clientSecret: live.secret });
    expect(res.body).toContain('live-mode client');
  });

  it('refuses a disabled client, and takes it back once enabled', async () => {
    const c = await h.client({ mode: 'live' });
    await updateClient(h.services.deps, c.id, { enabled: false });
    door.expectError(await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret }), 'invalid_client');
    await updateClient(h.services.deps, c.id, { enabled: true });
    door.expectToken(await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret }), { scope: 'read write' });
  });

  it('refuses an address outside the allowlist with access_denied, but only after the secret', async () => {
    const c = await h.client({ mode: 'live', allowedIps: ['10.0.0.0/8'] });
    door.expectError(
      await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret }, '192.168.1.1'),
      'access_denied',
    );
    door.expectError(
      await door.issue(h, 'live', { clientId: c.id, clientSecret: 'wrong-secret-here' }, '192.168.1.1'),
      'invalid_client',
    );
    door.expectToken(await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret }, '10.1.2.3'), {
      scope: 'read write',
    });
  });

  it('answers garbage with invalid_request in its own envelope, never a 5xx', async () => {
    for (const body of door.garbage({ clientId: live.id, clientSecret: live.secret })) {
      const res = await door.raw(h, 'live', body);
      try {
        door.expectError(res, 'invalid_request');
      } catch (e) {
        throw new Error(`${body.label}: ${res.statusCode} ${res.body.slice(0, 200)}\n${String(e)}`);
      }
    }
  });

  it('answers unknown paths under the door with not_found in its envelope', async () => {
    for (const url of door.unknownPaths) {
      door.expectError(await h.app.inject({ method: 'POST', url }), 'not_found');
    }
  });

  it('never echoes a presented secret in an error', async () => {
    const secret = 'sk_live_' + 'Z'.repeat(43);
    const res = await door.issue(h, 'live', { clientId: live.id, clientSecret: secret });
    expect(res.body).not.toContain(secret);
  });
});

describe.each(DOORS)('contract: $name lockout', (door) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ LOCKOUT_MAX_FAILURES: '3', LOCKOUT_SECONDS: '600' });
  });
  afterAll(() => h.close());

  it('locks the (client, address) pair after the limit, even for the right secret; other addresses go on', async () => {
    const c = await h.client({ mode: 'live' });
    for (let i = 0; i < 3; i++) {
      door.expectError(
        await door.issue(h, 'live', { clientId: c.id, clientSecret: 'wrong-secret-here' }, '127.0.0.9'),
        'invalid_client',
      );
    }
    const locked = await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret }, '127.0.0.9');
    door.expectError(locked, 'rate_limited');
    expect(Number(locked.headers['retry-after'])).toBe(600);
    door.expectToken(await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret }, '127.0.0.10'), {
      scope: 'read write',
    });
  });
});

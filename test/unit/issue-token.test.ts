import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import type { LockoutPolicy } from '../../src/domain/lockout.js';
import type { Mode } from '../../src/domain/mode.js';
import { authenticateClient } from '../../src/usecases/authenticate-client.js';
import { issueToken, type IssueTokenInput } from '../../src/usecases/issue-token.js';
import { createApi, setGrant } from '../../src/usecases/apis/manage.js';
import { createClient, updateClient, type CreateClientInput } from '../../src/usecases/clients/manage.js';
import { DEFAULT_POLICY, fakeDeps, TEST_TOKENS, type FakeDeps } from '../support/fakes.js';

const IP = '203.0.113.10';
const OTHER_IP = '198.51.100.20';
/** Of the generated shape, so wrong attempts cost one SHA-256, not a scrypt. */
const WRONG_SECRET = `sk_live_${'W'.repeat(43)}`;

interface Setup {
  deps: FakeDeps;
  id: string;
  secret: string;
}

async function setup(input: Partial<CreateClientInput> = {}, policy: LockoutPolicy = DEFAULT_POLICY): Promise<Setup> {
  const deps = await fakeDeps(policy);
  const made = await createClient(deps, { name: 'billing service', mode: 'live', scopes: ['read', 'write'], ...input });
  return { deps, id: made.client.id, secret: made.clientSecret };
}

const attempt = (s: Setup, over: Partial<IssueTokenInput> = {}): IssueTokenInput => ({
  mode: 'live',
  door: 'v1',
  clientId: s.id,
  clientSecret: s.secret,
  sourceIp: IP,
  ttlSeconds: 3600,
  ...over,
});

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected a DomainError, the call succeeded');
}

async function verify(deps: FakeDeps, token: string, mode: Mode = 'live') {
  const key = await importJWK(deps.signer.keys[mode].publicJwk, 'ES256');
  return jwtVerify(token, key, {
    issuer: TEST_TOKENS.issuer(mode),
    audience: TEST_TOKENS.audience(mode),
    typ: 'at+jwt',
    currentDate: new Date(deps.clock.now()),
  });
}

describe('issueToken: success', () => {
  it('reads the store once per token: the client and both lockout counters together, handed on to settle', async () => {
    const s = await setup();
    // Port calls made by the use case itself (the in-memory store composes its own reads inside).
    const calls: string[] = [];
    let depth = 0;
    const spy = <T extends object>(target: T, name: keyof T & string): void => {
      const original = (target[name] as (...a: unknown[]) => Promise<unknown>).bind(target);
      (target as Record<string, unknown>)[name] = async (...args: unknown[]) => {
        if (depth === 0) calls.push(name);
        depth++;
        try {
          return await original(...args);
        } finally {
          depth--;
        }
      };
    };
    let found: { lockout: unknown } | undefined;
    let seen: unknown;
    const findForCheck = s.deps.clients.findForCheck.bind(s.deps.clients);
    s.deps.clients.findForCheck = async (...args) => (found = await findForCheck(...args));
    const settle = s.deps.lockout.settle.bind(s.deps.lockout);
    s.deps.lockout.settle = (...args) => {
      seen = args[4];
      return settle(...args);
    };
    for (const name of ['findForCheck', 'findById'] as const) spy(s.deps.clients, name);
    for (const name of ['read', 'settle'] as const) spy(s.deps.lockout, name);
    spy(s.deps.tokenStore, 'bearerState');
    await issueToken(s.deps, attempt(s));
    expect(calls).toEqual(['findForCheck', 'settle']);
    // settle decides on what findForCheck read: a success on a clean pair reads and writes nothing more.
    expect(seen).toBe(found!.lockout);
  });

  it('returns a signed RFC 9068 token carrying every claim of spec §1', async () => {
    const s = await setup({ orgId: 'org_42' });
    const issued = await issueToken(s.deps, attempt(s));
    const iat = Math.floor(s.deps.clock.now() / 1000);

    expect(issued).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 3600,
      scopes: ['read', 'write'],
      clientId: s.id,
      generation: 1,
    });

    const header = decodeProtectedHeader(issued.accessToken);
    expect(header.typ).toBe('at+jwt');
    expect(header.alg).toBe('ES256');

    const { payload, protectedHeader } = await verify(s.deps, issued.accessToken);
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toEqual({
      iss: 'https://issuer.example',
      sub: s.id,
      client_id: s.id,
      aud: 'https://issuer.example',
      iat,
      exp: iat + 3600,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      scope: 'read write',
      permissions: ['read', 'write'],
      gty: 'client-credentials',
      azp: s.id,
      org_id: 'org_42',
      sgen: 1,
    });
    expect(decodeJwt(issued.accessToken)).toEqual(payload);
  });

  it('leaves out exp when ttlSeconds is null, and org_id when the client has none', async () => {
    const s = await setup();
    const issued = await issueToken(s.deps, attempt(s, { ttlSeconds: null }));
    expect(issued.expiresIn).toBeNull();
    const payload = decodeJwt(issued.accessToken);
    expect(payload).not.toHaveProperty('exp');
    expect(payload).not.toHaveProperty('org_id');
    expect(payload.iat).toBe(Math.floor(s.deps.clock.now() / 1000));
    expect((await verify(s.deps, issued.accessToken)).payload.sub).toBe(s.id);
  });

  it('gives each token its own jti', async () => {
    const s = await setup();
    const a = decodeJwt((await issueToken(s.deps, attempt(s))).accessToken);
    const b = decodeJwt((await issueToken(s.deps, attempt(s))).accessToken);
    expect(a.jti).not.toBe(b.jti);
  });

  it('grants a subset of scopes when asked', async () => {
    const s = await setup();
    const issued = await issueToken(s.deps, attempt(s, { scope: 'write' }));
    expect(issued.scopes).toEqual(['write']);
    const payload = decodeJwt(issued.accessToken);
    expect(payload.scope).toBe('write');
    expect(payload.permissions).toEqual(['write']);
  });

  it('treats an empty scope as all of the client scopes', async () => {
    const s = await setup();
    expect((await issueToken(s.deps, attempt(s, { scope: '' }))).scopes).toEqual(['read', 'write']);
  });

  it('signs a test-mode token with the test issuer and key only', async () => {
    const s = await setup({ mode: 'test' });
    const issued = await issueToken(s.deps, attempt(s, { mode: 'test' }));
    const { payload } = await verify(s.deps, issued.accessToken, 'test');
    expect(payload.iss).toBe('https://issuer.example/test');
    expect(payload.aud).toBe('https://issuer.example/test');
    await expect(verify(s.deps, issued.accessToken, 'live')).rejects.toThrow();
  });
});

describe('issueToken: credentials', () => {
  it('answers an unknown client and a wrong secret with the same error', async () => {
    const s = await setup();
    const wrong = await rejection(issueToken(s.deps, attempt(s, { clientSecret: WRONG_SECRET })));
    const unknown = await rejection(issueToken(s.deps, attempt(s, { clientId: 'cl_live_0000000000000000000000' })));
    for (const e of [wrong, unknown]) {
      expect(e.code).toBe('invalid_client');
      expect(e.details.reason).toBe('bad_credentials');
    }
    expect(unknown.message).toBe(wrong.message);
    expect(unknown.details).toEqual(wrong.details);
  });

  it('never echoes the presented secret in the error', async () => {
    const s = await setup();
    const e = await rejection(issueToken(s.deps, attempt(s, { clientSecret: WRONG_SECRET })));
    expect(e.message).not.toContain(WRONG_SECRET);
    expect(JSON.stringify(e.details)).not.toContain(WRONG_SECRET);
  });

  it('names the mode mismatch when the right credentials are used at the other mode', async () => {
    const s = await setup();
    const e = await rejection(issueToken(s.deps, attempt(s, { mode: 'test' })));
    expect(e.code).toBe('invalid_client');
    expect(e.details.reason).toBe('mode_mismatch');
    expect(e.message).toMatch(/live/);
    expect(e.message).toMatch(/test/);
  });

  it('does not reveal the mode to someone without the secret', async () => {
    const s = await setup();
    const e = await rejection(issueToken(s.deps, attempt(s, { mode: 'test', clientSecret: WRONG_SECRET })));
    expect(e.details.reason).toBe('bad_credentials');
  });

  it('refuses a disabled client with invalid_client', async () => {
    const s = await setup();
    await updateClient(s.deps, s.id, { enabled: false });
    const e = await rejection(issueToken(s.deps, attempt(s)));
    expect(e.code).toBe('invalid_client');
    expect(e.details.reason).toBe('client_disabled');
  });
});

describe('issueToken: IP allowlist', () => {
  it('lets an allowed address in, including its IPv4-mapped form', async () => {
    const s = await setup({ allowedIps: ['10.0.0.0/8'] });
    await expect(issueToken(s.deps, attempt(s, { sourceIp: '10.1.2.3' }))).resolves.toMatchObject({ clientId: s.id });
    await expect(issueToken(s.deps, attempt(s, { sourceIp: '::ffff:10.1.2.3' }))).resolves.toMatchObject({
      clientId: s.id,
    });
  });

  it('answers access_denied for the right secret from outside', async () => {
    const s = await setup({ allowedIps: ['10.0.0.0/8'] });
    const e = await rejection(issueToken(s.deps, attempt(s, { sourceIp: IP })));
    expect(e.code).toBe('access_denied');
  });

  it('answers invalid_client for a wrong secret from outside (the secret is checked first)', async () => {
    const s = await setup({ allowedIps: ['10.0.0.0/8'] });
    const e = await rejection(issueToken(s.deps, attempt(s, { sourceIp: IP, clientSecret: WRONG_SECRET })));
    expect(e.code).toBe('invalid_client');
    expect(e.details.reason).toBe('bad_credentials');
  });

  it('never lets a malformed source address through', async () => {
    const s = await setup({ allowedIps: ['127.0.0.0/8'] });
    const e = await rejection(issueToken(s.deps, attempt(s, { sourceIp: '0177.0.0.1' })));
    expect(e.code).toBe('access_denied');
  });
});

describe('issueToken: scope', () => {
  it('refuses a scope outside the client with invalid_scope', async () => {
    const s = await setup();
    const e = await rejection(issueToken(s.deps, attempt(s, { scope: 'read admin' })));
    expect(e.code).toBe('invalid_scope');
    expect(e.message).toContain('admin');
  });

  it('checks the secret before the scope', async () => {
    const s = await setup();
    const e = await rejection(issueToken(s.deps, attempt(s, { scope: 'admin', clientSecret: WRONG_SECRET })));
    expect(e.code).toBe('invalid_client');
  });

  it('answers invalid_request for a scope with invalid characters', async () => {
    const s = await setup();
    const e = await rejection(issueToken(s.deps, attempt(s, { scope: 'read "write"' })));
    expect(e.code).toBe('invalid_request');
    expect(e.details.field).toBe('scope');
  });
});

describe('issueToken: request shape', () => {
  it.each([
    ['client_id', 'too short', { clientId: 'cl_1' }],
    ['client_id', 'too long', { clientId: `cl_live_${'a'.repeat(113)}` }],
    ['client_id', 'with a control character', { clientId: 'cl_live_abc\ndef' }],
    ['client_id', 'with a space', { clientId: 'cl_live_abc def' }],
    ['client_secret', 'too short', { clientSecret: 'short' }],
    ['client_secret', 'too long', { clientSecret: 's'.repeat(256) }],
    ['client_secret', 'with a control character', { clientSecret: 'secret\u0000secret' }],
  ] as const)('answers invalid_request for %s %s, naming the field', async (field, _label, over) => {
    const s = await setup();
    const e = await rejection(issueToken(s.deps, attempt(s, over)));
    expect(e.code).toBe('invalid_request');
    expect(e.details.field).toBe(field);
  });

  it('does not count shape errors toward lockout', async () => {
    const s = await setup();
    for (let i = 0; i < 6; i++) {
      expect((await rejection(issueToken(s.deps, attempt(s, { clientSecret: 'x' })))).code).toBe('invalid_request');
    }
    await expect(issueToken(s.deps, attempt(s))).resolves.toMatchObject({ clientId: s.id });
  });
});

describe('issueToken: lockout', () => {
  async function failTimes(s: Setup, n: number, over: Partial<IssueTokenInput> = {}): Promise<void> {
    for (let i = 0; i < n; i++) {
      const e = await rejection(issueToken(s.deps, attempt(s, { clientSecret: WRONG_SECRET, ...over })));
      expect(e.code).toBe('invalid_client');
    }
  }

  it('refuses the 6th attempt after 5 wrong ones, even with the right secret', async () => {
    const s = await setup();
    await failTimes(s, 5);
    const e = await rejection(issueToken(s.deps, attempt(s)));
    expect(e.code).toBe('rate_limited');
    expect(e.details.retryAfterSeconds).toBe(900);
  });

  it('keeps answering rate_limited to wrong secrets while locked', async () => {
    const s = await setup();
    await failTimes(s, 5);
    const e = await rejection(issueToken(s.deps, attempt(s, { clientSecret: WRONG_SECRET })));
    expect(e.code).toBe('rate_limited');
  });

  it('does not lock the same client from another address', async () => {
    const s = await setup();
    await failTimes(s, 5);
    await expect(issueToken(s.deps, attempt(s, { sourceIp: OTHER_IP }))).resolves.toMatchObject({ clientId: s.id });
  });

  it('clears the pair count on success', async () => {
    const s = await setup();
    await failTimes(s, 4);
    await issueToken(s.deps, attempt(s));
    await failTimes(s, 4);
    await expect(issueToken(s.deps, attempt(s))).resolves.toMatchObject({ clientId: s.id });
    // The limit itself still holds: five in a row lock.
    await failTimes(s, 5);
    expect((await rejection(issueToken(s.deps, attempt(s)))).code).toBe('rate_limited');
  });

  it('unlocks once the lock has run out on the clock', async () => {
    const s = await setup();
    await failTimes(s, 5);
    s.deps.clock.advance(899);
    const e = await rejection(issueToken(s.deps, attempt(s)));
    expect(e.code).toBe('rate_limited');
    expect(e.details.retryAfterSeconds).toBe(1);
    s.deps.clock.advance(1);
    await expect(issueToken(s.deps, attempt(s))).resolves.toMatchObject({ clientId: s.id });
  });

  it('forgets failures older than the window', async () => {
    const s = await setup();
    await failTimes(s, 4);
    s.deps.clock.advance(900);
    await failTimes(s, 4);
    await expect(issueToken(s.deps, attempt(s))).resolves.toMatchObject({ clientId: s.id });
  });

  it('counts unknown client ids, so spraying ids from one address locks that pair', async () => {
    const s = await setup();
    const ghost = 'cl_live_ghost00000000000000000';
    await failTimes(s, 5, { clientId: ghost });
    expect((await rejection(issueToken(s.deps, attempt(s, { clientId: ghost })))).code).toBe('rate_limited');
    await expect(issueToken(s.deps, attempt(s))).resolves.toMatchObject({ clientId: s.id });
  });

  it('locks an address across client ids at maxFailuresPerIp', async () => {
    const policy: LockoutPolicy = { maxFailures: 5, maxFailuresPerIp: 3, windowSeconds: 900, lockSeconds: 900 };
    const s = await setup({}, policy);
    for (const suffix of ['a', 'b', 'c']) {
      await failTimes(s, 1, { clientId: `cl_live_spray${suffix.repeat(17)}` });
    }
    const e = await rejection(issueToken(s.deps, attempt(s)));
    expect(e.code).toBe('rate_limited');
    expect(e.details.retryAfterSeconds).toBe(900);
    await expect(issueToken(s.deps, attempt(s, { sourceIp: OTHER_IP }))).resolves.toMatchObject({ clientId: s.id });
  });

  it('checks lockout before the allowlist and the secret', async () => {
    const s = await setup({ allowedIps: ['10.0.0.0/8'] });
    await failTimes(s, 5);
    expect((await rejection(issueToken(s.deps, attempt(s)))).code).toBe('rate_limited');
  });
});

describe('authenticateClient', () => {
  it('returns the client and the generation of the presented secret', async () => {
    const s = await setup({ orgId: 'org_1' });
    const auth = await authenticateClient(s.deps, {
      mode: 'live',
      door: 'v1',
      clientId: s.id,
      clientSecret: s.secret,
      sourceIp: IP,
    });
    expect(auth.generation).toBe(1);
    expect(auth.client).toMatchObject({ id: s.id, mode: 'live', orgId: 'org_1', scopes: ['read', 'write'] });
  });

  it('rejects a wrong secret with invalid_client', async () => {
    const s = await setup();
    const e = await rejection(
      authenticateClient(s.deps, {
        mode: 'live',
        door: 'v1',
        clientId: s.id,
        clientSecret: WRONG_SECRET,
        sourceIp: IP,
      }),
    );
    expect(e.code).toBe('invalid_client');
  });
});

describe('issuing for a named API (spec §8)', () => {
  const BILLING = 'https://billing.example.com/api';

  async function withApi() {
    const s = await setup();
    await createApi(s.deps, {
      identifier: BILLING,
      name: 'Billing',
      mode: 'live',
      permissions: [{ name: 'invoices:read', description: '' }],
      tokenTtlSeconds: 60,
    });
    await setGrant(s.deps, s.id, { mode: 'live', identifier: BILLING }, ['invoices:read']);
    return s;
  }

  it('reads the grant with the client, in the credential check’s one read', async () => {
    const s = await withApi();
    const reads = { forCheck: 0, target: 0, findApi: 0 };
    const { clients, apis } = s.deps;
    const forCheck = clients.findForCheck.bind(clients);
    clients.findForCheck = (...args) => {
      reads.forCheck++;
      return forCheck(...args);
    };
    const target = apis.target.bind(apis);
    apis.target = (...args) => {
      reads.target++;
      return target(...args);
    };
    const findApi = apis.findApi.bind(apis);
    apis.findApi = (...args) => {
      reads.findApi++;
      return findApi(...args);
    };
    const token = await issueToken(s.deps, attempt(s, { target: { audience: [BILLING] } }));
    expect(decodeJwt(token.accessToken)).toMatchObject({ aud: BILLING, scope: 'invoices:read' });
    expect(token.expiresIn).toBe(60);
    expect(reads).toEqual({ forCheck: 1, target: 0, findApi: 0 });
  });

  it('judges the audience only once the credentials hold: a wrong secret is invalid_client, and counts', async () => {
    const s = await withApi();
    const counters = () => JSON.stringify([...s.deps.lockout.rows]);
    const wrong = await rejection(
      issueToken(s.deps, attempt(s, { clientSecret: WRONG_SECRET, target: { audience: ['https://nowhere.example'] } })),
    );
    expect(wrong.code).toBe('invalid_client');
    const afterWrong = counters();
    expect(afterWrong).not.toBe('[]');
    const unknown = await rejection(
      issueToken(s.deps, attempt(s, { target: { audience: ['https://nowhere.example'] } })),
    );
    expect(unknown.code).toBe('invalid_target');
    // The right secret settles the check as a success: the audience refused is no failed guess.
    expect(counters()).not.toContain('"failures":2');
  });
});

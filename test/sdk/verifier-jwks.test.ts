import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createVerifier, TollgateError, VerifyError, type Verifier } from '@tollgate/client';

/**
 * The jwks mode's rules one by one (RFC 9068 §4, RFC 8414 §3.3, RFC 8725), against an issuer of
 * our own in this process that signs whatever the case needs: a Tollgate server never issues a
 * token with a wrong `typ` or `alg`. Only Date is faked, so the cooldown and age of the key set
 * can be stepped through.
 */

interface Key {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

const makeKey = async (kid: string): Promise<Key> => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
};

describe('createVerifier, jwks mode, rule by rule', () => {
  let server: Server;
  let issuer: string;
  let published: Key[];
  let current: Key;
  let discoveryIssuer: string | undefined;
  const hits: string[] = [];

  beforeAll(async () => {
    current = await makeKey('k1');
    published = [current];
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      const send = (body: unknown) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/.well-known/oauth-authorization-server')
        return send({ issuer: discoveryIssuer ?? issuer, jwks_uri: `${issuer}/jwks.json` });
      if (req.url === '/jwks.json') return send({ keys: published.map((k) => k.jwk) });
      res.writeHead(404).end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
  });
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2030, 0, 1) });
    hits.length = 0;
    discoveryIssuer = undefined;
    published = [current];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const now = () => Math.floor(Date.now() / 1000);
  interface Mint {
    typ?: string;
    key?: Key;
    claims?: Record<string, unknown>;
    omit?: string[];
  }
  const mint = async ({ typ = 'at+jwt', key = current, claims = {}, omit = [] }: Mint = {}): Promise<string> => {
    const payload: Record<string, unknown> = {
      iss: issuer,
      aud: issuer,
      sub: 'cl_live_x',
      client_id: 'cl_live_x',
      scope: 'read',
      iat: now(),
      exp: now() + 900,
      jti: 'j1',
      ...claims,
    };
    for (const k of omit) delete payload[k];
    return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ, kid: key.kid }).sign(key.privateKey);
  };
  // Tollgate's default API: its audience is the issuer unless TOKEN_AUDIENCE is set.
  const verifier = (more: Partial<Parameters<typeof createVerifier>[0]> = {}): Verifier =>
    createVerifier({ issuer, audience: issuer, ...more });
  const refused = async (p: Promise<unknown>): Promise<VerifyError> => {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(VerifyError);
    expect((e as VerifyError).code).toBe('invalid_token');
    return e as VerifyError;
  };

  it('accepts a well-formed RFC 9068 token and returns its claims', async () => {
    expect(await verifier().verify(await mint(), { scope: 'read' })).toMatchObject({
      client_id: 'cl_live_x',
      scope: 'read',
      jti: 'j1',
    });
  });

  it.each(['JWT', 'jwt', 'at+JWT-x'])('refuses typ %s (RFC 9068 §2.1 wants at+jwt)', async (typ) => {
    await refused(verifier().verify(await mint({ typ })));
  });

  it('accepts typ application/at+jwt (RFC 9068 §2.1 allows the full media type)', async () => {
    expect((await verifier().verify(await mint({ typ: 'application/at+jwt' }))).client_id).toBe('cl_live_x');
  });

  it('refuses an unsigned token and one signed with an algorithm not on the list', async () => {
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: 'k1' })).toString('base64url')}.${(await mint()).split('.')[1]}.`;
    await refused(verifier().verify(unsigned));
    const hs = await new SignJWT({ iss: issuer, aud: issuer, sub: 'x', client_id: 'x', exp: now() + 60 })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' })
      .sign(new TextEncoder().encode('a-shared-secret-of-enough-length!!'));
    await refused(verifier().verify(hs));
    await refused(verifier({ algorithms: ['RS256'] }).verify(await mint()));
  });

  it('refuses another issuer, another audience, and a token naming no client', async () => {
    await refused(verifier().verify(await mint({ claims: { iss: 'https://elsewhere.example' } })));
    await refused(verifier().verify(await mint({ claims: { aud: 'https://other-api.example' } })));
    const forOther = verifier({ audience: 'https://other-api.example' });
    const inList = await mint({ claims: { aud: ['https://other-api.example'] } });
    expect((await forOther.verify(inList)).sub).toBe('cl_live_x');
    await refused(verifier().verify(await mint({ omit: ['client_id'] })));
  });

  it('guards one API: a token for another API of the same issuer, or for the default one, is refused', async () => {
    const billing = verifier({ audience: 'https://billing.example/api' });
    const forBilling = await mint({ claims: { aud: 'https://billing.example/api' } });
    expect(billing.audience).toBe('https://billing.example/api');
    expect((await billing.verify(forBilling)).aud).toBe('https://billing.example/api');
    expect(
      (await refused(billing.verify(await mint({ claims: { aud: 'https://reports.example/api' } })))).message,
    ).toMatch(/aud/);
    await refused(billing.verify(await mint()));
    await refused(billing.verify(await mint({ omit: ['aud'] })));
    await refused(verifier().verify(forBilling));
  });

  it('checks exp and nbf with the tolerance, 5 s by default', async () => {
    const t = await mint({ claims: { exp: now() + 10 } });
    const v = verifier();
    vi.setSystemTime(Date.now() + 14_000);
    expect((await v.verify(t)).client_id).toBe('cl_live_x');
    vi.setSystemTime(Date.now() + 2_000);
    expect((await refused(v.verify(t))).message).toMatch(/expired/);
    expect((await verifier({ clockToleranceSeconds: 60 }).verify(t)).client_id).toBe('cl_live_x');
    await refused(v.verify(await mint({ claims: { nbf: now() + 60 } })));
  });

  it('refuses a token without exp unless acceptNonExpiring is set', async () => {
    const t = await mint({ omit: ['exp'] });
    expect((await refused(verifier().verify(t))).message).toMatch(/does not expire/);
    expect((await verifier({ acceptNonExpiring: true }).verify(t)).client_id).toBe('cl_live_x');
  });

  it('uses no metadata that names another issuer (RFC 8414 §3.3)', async () => {
    discoveryIssuer = 'https://impostor.example';
    const e = await verifier()
      .verify(await mint())
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TollgateError);
    expect(e).toMatchObject({ code: 'invalid_response' });
  });

  it('fetches discovery and keys once, and again for an unknown kid only after the cooldown', async () => {
    const v = verifier({ jwksCooldownSeconds: 30 });
    for (let i = 0; i < 3; i++) await v.verify(await mint());
    expect(hits).toEqual(['/.well-known/oauth-authorization-server', '/jwks.json']);
    const next = await makeKey('k2');
    published = [next, current];
    const byNext = await mint({ key: next });
    vi.setSystemTime(Date.now() + 29_000);
    await refused(v.verify(byNext));
    await refused(v.verify(byNext));
    expect(hits).toHaveLength(2);
    vi.setSystemTime(Date.now() + 1_000);
    expect((await v.verify(byNext)).client_id).toBe('cl_live_x');
    expect(hits).toEqual(['/.well-known/oauth-authorization-server', '/jwks.json', '/jwks.json']);
  });

  it('fetches the keys again once they are older than jwksMaxAgeSeconds, so a removed key stops working', async () => {
    const v = verifier({ jwksMaxAgeSeconds: 60 });
    const t = await mint();
    await v.verify(t);
    const next = await makeKey('k3');
    published = [next];
    vi.setSystemTime(Date.now() + 59_000);
    expect((await v.verify(t)).client_id).toBe('cl_live_x');
    vi.setSystemTime(Date.now() + 1_000);
    await refused(v.verify(await mint({ claims: { exp: now() + 900 } })));
    expect(hits.filter((h) => h === '/jwks.json')).toHaveLength(2);
  });

  it('keeps using the keys it has when a refetch for age fails', async () => {
    const v = verifier({ jwksMaxAgeSeconds: 60 });
    const t = await mint();
    await v.verify(t);
    const port = new URL(issuer).port;
    await new Promise((ok) => server.close(ok));
    try {
      vi.setSystemTime(Date.now() + 61_000);
      expect((await v.verify(await mint())).client_id).toBe('cl_live_x');
    } finally {
      await new Promise<void>((ok) => server.listen(Number(port), '127.0.0.1', ok));
    }
  });
});

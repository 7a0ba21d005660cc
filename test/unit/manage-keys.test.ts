import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import type { AccessTokenClaims } from '../../src/domain/token.js';
import { KeyRing } from '../../src/infra/keys/keyring.js';
import { JwtVerifier } from '../../src/infra/keys/verifier.js';
import { issueToken } from '../../src/usecases/issue-token.js';
import { createClient, deleteClient } from '../../src/usecases/clients/manage.js';
import {
  retireSigningKey,
  retirementNotice,
  rotateSigningKey,
  type TokenLifetimes,
} from '../../src/usecases/manage-keys.js';
import { validateAccessToken } from '../../src/usecases/verify-bearer.js';
import { fakeDeps, FixedClock, TEST_TOKENS } from '../support/fakes.js';
import { MemoryStore } from '../support/memory-store.js';

const T0 = Date.UTC(2026, 0, 1);
const OPERATOR = { kind: 'cli', id: 'alice' } as const;
const LIFETIMES: TokenLifetimes = { v1: 3600, v2: 1800, graphql: 600, oauth2Access: 900, common: null };
const MASTER = Buffer.alloc(32, 9);

/** Two processes on one store: a server's key ring and a CLI's, each with its own memory. */
async function twoRings() {
  const store = new MemoryStore();
  const clock = new FixedClock(T0);
  const server = new KeyRing(store.keys, MASTER, 'ES256', clock);
  await server.init();
  const cli = new KeyRing(store.keys, MASTER, 'ES256', clock);
  await cli.init();
  return { store, clock, server, cli, verifier: new JwtVerifier(server, TEST_TOKENS, clock) };
}

const claims = (clock: FixedClock, jti: string): AccessTokenClaims => ({
  iss: TEST_TOKENS.issuer('live'),
  aud: TEST_TOKENS.audience('live'),
  sub: 'cl_live_x',
  client_id: 'cl_live_x',
  iat: Math.floor(clock.now() / 1000),
  jti,
  scope: '',
  permissions: [],
  gty: 'client-credentials',
  azp: 'cl_live_x',
  sgen: 1,
});

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

describe('rotateSigningKey', () => {
  it('audits key.rotated with the kid, mode, algorithm and the kid replaced, never the private half', async () => {
    const { store, clock, cli } = await twoRings();
    const before = await store.keys.currentKid('live', 'ES256');
    clock.advance(5);
    const made = await rotateSigningKey({ keys: cli, clock }, 'live', OPERATOR);
    expect(await store.keys.currentKid('live', 'ES256')).toBe(made.kid);
    expect(await store.audit.list({ limit: 10 })).toEqual([
      {
        id: 1,
        at: T0 + 5000,
        actor: 'cli:alice',
        action: 'key.rotated',
        clientId: null,
        sourceIp: null,
        detail: { kid: made.kid, mode: 'live', alg: 'ES256', replaced: before },
      },
    ]);
    expect(JSON.stringify(store.audit.events)).not.toContain('sealed');
    expect(JSON.stringify(store.audit.events)).not.toContain(store.keys.rows[0]!.privateJwkEnc.slice(0, 20));
  });
});

describe('retiring a key', () => {
  it('refuses the current key with a message that says what to do, changing nothing', async () => {
    const { store, clock, cli } = await twoRings();
    const current = (await store.keys.currentKid('live', 'ES256'))!;
    for (const p of [
      retirementNotice({ keys: cli, clock }, current, LIFETIMES),
      retireSigningKey({ keys: cli, clock }, current, OPERATOR),
    ]) {
      const e = await rejection(p);
      expect(e.code).toBe('invalid_request');
      expect(e.message).toContain(`key ${current} is the current live key`);
      expect(e.message).toContain('tollgate keys rotate --mode live');
    }
    expect(await rejection(retireSigningKey({ keys: cli, clock }, 'no-such-kid', OPERATOR))).toMatchObject({
      code: 'not_found',
      message: 'No such signing key',
    });
    expect(await store.keys.list()).toHaveLength(2);
    expect(await store.audit.list({ limit: 10 })).toEqual([]);
  });

  it('names the span the key signed in and how long its tokens live', async () => {
    const { store, clock, cli } = await twoRings();
    const old = (await store.keys.currentKid('live', 'ES256'))!;
    clock.advance(3600);
    const fresh = await rotateSigningKey({ keys: cli, clock }, 'live', OPERATOR);
    clock.advance(60);
    const notice = await retirementNotice({ keys: cli, clock }, old, LIFETIMES);
    expect(notice).toMatchObject({
      key: { kid: old, mode: 'live', current: false },
      signedFrom: T0,
      signedUntil: T0 + 3600_000,
      replacedBy: fresh.kid,
      longestExpiringTtl: 3600,
      expiringTokensDeadAt: T0 + 7200_000,
      commonTokensNeverExpire: true,
    });
    const expiringCommon = await retirementNotice({ keys: cli, clock }, old, { ...LIFETIMES, common: 86_400 });
    expect(expiringCommon).toMatchObject({ longestExpiringTtl: 86_400, commonTokensNeverExpire: false });
  });

  it('removes the key, audited as key.retired, and a running server stops verifying its tokens within a second', async () => {
    const { store, clock, server, cli, verifier } = await twoRings();
    const old = (await store.keys.currentKid('live', 'ES256'))!;
    const token = await server.sign('live', claims(clock, 'jti-old'));
    await expect(verifier.verify(token, 'live')).resolves.toMatchObject({ jti: 'jti-old' });
    await rotateSigningKey({ keys: cli, clock }, 'live', OPERATOR);
    clock.advance(2);
    // Still published, still good.
    await expect(verifier.verify(token, 'live')).resolves.toBeDefined();
    const retired = await retireSigningKey({ keys: cli, clock }, old, OPERATOR);
    expect(retired).toMatchObject({ kid: old, mode: 'live', current: false });
    expect((await server.publicKeys('live')).map((k) => k.kid)).not.toContain(old);
    expect((await store.audit.list({ limit: 1 }))[0]).toMatchObject({
      action: 'key.retired',
      actor: 'cli:alice',
      clientId: null,
      detail: { kid: old, mode: 'live', alg: 'ES256' },
    });
    // A second later the server's ring has read its keys again, and the kid is gone.
    clock.advance(1);
    await expect(verifier.verify(token, 'live')).rejects.toThrow('signed by an unknown key');
    expect(await server.verificationKey(old)).toBeUndefined();
  });

  it('keeps a removed kid at most a second in a ring that had just read its keys', async () => {
    const { store, clock, server, cli, verifier } = await twoRings();
    const old = (await store.keys.currentKid('live', 'ES256'))!;
    const token = await server.sign('live', claims(clock, 'jti-cached'));
    await rotateSigningKey({ keys: cli, clock }, 'live', OPERATOR);
    clock.advance(1);
    await expect(verifier.verify(token, 'live')).resolves.toBeDefined(); // the server reloads here
    await retireSigningKey({ keys: cli, clock }, old, OPERATOR);
    clock.ms += 500;
    await expect(verifier.verify(token, 'live')).resolves.toBeDefined(); // within the second: cached
    clock.ms += 500;
    await expect(verifier.verify(token, 'live')).rejects.toThrow('signed by an unknown key');
    // The current key was never dropped, and signs and verifies as before.
    const fresh = await server.sign('live', claims(clock, 'jti-new'));
    await expect(verifier.verify(fresh, 'live')).resolves.toMatchObject({ jti: 'jti-new' });
    expect(store.keys.rows.map((k) => k.kid)).not.toContain(old);
  });

  it('drops the kid from the ring that removed it at once', async () => {
    const { store, clock, cli } = await twoRings();
    const old = (await store.keys.currentKid('live', 'ES256'))!;
    const token = await cli.sign('live', claims(clock, 'jti-self'));
    await rotateSigningKey({ keys: cli, clock }, 'live', OPERATOR);
    await retireSigningKey({ keys: cli, clock }, old, OPERATOR);
    await expect(new JwtVerifier(cli, TEST_TOKENS, clock).verify(token, 'live')).rejects.toThrow(
      'signed by an unknown key',
    );
  });
});

describe('deleteClient', () => {
  it('deletes the client named by its exact id, audited, and its tokens are refused at once', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'doomed', mode: 'live' }, OPERATOR);
    const issued = await issueToken(deps, {
      mode: 'live',
      door: 'v1',
      clientId: made.client.id,
      clientSecret: made.clientSecret,
      sourceIp: '203.0.113.1',
      ttlSeconds: 3600,
    });
    await expect(validateAccessToken(deps, issued.accessToken, 'live')).resolves.toBeDefined();
    expect(await rejection(deleteClient(deps, made.client.id.slice(0, -1), OPERATOR))).toMatchObject({
      code: 'not_found',
    });
    const gone = await deleteClient(deps, made.client.id, OPERATOR);
    expect(gone).toMatchObject({ id: made.client.id, name: 'doomed' });
    expect(await deps.clients.findById(made.client.id)).toBeUndefined();
    expect((await deps.audit.list({ clientId: made.client.id, limit: 1 }))[0]).toMatchObject({
      action: 'client.deleted',
      actor: 'cli:alice',
      detail: { name: 'doomed', mode: 'live', secretGeneration: 1 },
    });
    expect(await rejection(validateAccessToken(deps, issued.accessToken, 'live'))).toMatchObject({
      code: 'invalid_token',
    });
    expect(await rejection(deleteClient(deps, made.client.id, OPERATOR))).toMatchObject({ code: 'not_found' });
  });
});

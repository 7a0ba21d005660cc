import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { hashGeneratedSecret } from '../../src/domain/secrets.js';
import { issueToken } from '../../src/usecases/issue-token.js';
import {
  createClient,
  getClient,
  MAX_GRACE_SECONDS,
  rotateSecret,
  updateClient,
} from '../../src/usecases/clients/manage.js';
import { fakeDeps, type FakeDeps } from '../support/fakes.js';

const IP = '203.0.113.10';
const T0 = Date.UTC(2026, 0, 1);

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected a DomainError, the call succeeded');
}

const issue = (deps: FakeDeps, clientId: string, clientSecret: string, mode: 'live' | 'test' = 'live') =>
  issueToken(deps, { mode, door: 'v1', clientId, clientSecret, sourceIp: IP, ttlSeconds: 3600 });

describe('createClient', () => {
  it.each([
    ['live', /^cl_live_[0-9A-Za-z]{22}$/, /^sk_live_[A-Za-z0-9_-]{43}$/],
    ['test', /^cl_test_[0-9A-Za-z]{22}$/, /^sk_test_[A-Za-z0-9_-]{43}$/],
  ] as const)('gives a %s client an id and secret carrying the mode prefix', async (mode, idShape, secretShape) => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode });
    expect(made.client.id).toMatch(idShape);
    expect(made.clientSecret).toMatch(secretShape);
    expect(made.client.mode).toBe(mode);
  });

  it('generates a 256-bit secret, base64url, 43 characters after the prefix', async () => {
    const deps = await fakeDeps();
    const { clientSecret } = await createClient(deps, { name: 'svc', mode: 'live' });
    const body = clientSecret.slice('sk_live_'.length);
    expect(body).toHaveLength(43);
    expect(Buffer.from(body, 'base64url')).toHaveLength(32);
    expect(Buffer.from(body, 'base64url').toString('base64url')).toBe(body);
  });

  it('gives distinct clients distinct ids and secrets', async () => {
    const deps = await fakeDeps();
    const a = await createClient(deps, { name: 'a', mode: 'live' });
    const b = await createClient(deps, { name: 'b', mode: 'live' });
    expect(a.client.id).not.toBe(b.client.id);
    expect(a.clientSecret).not.toBe(b.clientSecret);
  });

  it('stores only a SHA-256 hash of a generated secret, never the secret', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'live' });
    const row = deps.clients.rows.get(made.client.id);
    expect(row).toBeDefined();
    expect(row!.secretHash).toBe(hashGeneratedSecret(made.clientSecret));
    expect(row!.previousSecretHash).toBeNull();
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(made.clientSecret);
    expect(stored).not.toContain(made.clientSecret.slice('sk_live_'.length));
  });

  it('returns a view without any hash, and records the defaults and the clock', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, {
      name: '  svc  ',
      mode: 'live',
      scopes: ['b', 'a', 'b'],
      allowedIps: ['10.1.2.3/8'],
      orgId: 'org_1',
    });
    expect(made.client).not.toHaveProperty('secretHash');
    expect(made.client).not.toHaveProperty('previousSecretHash');
    expect(made.client).not.toHaveProperty('graceUntil');
    expect(made.client).toMatchObject({
      name: 'svc',
      scopes: ['b', 'a'],
      allowedIps: ['10.0.0.0/8'],
      orgId: 'org_1',
      enabled: true,
      secretGeneration: 1,
      createdAt: T0,
      updatedAt: T0,
    });
  });

  it('makes a client that can get a token with its secret', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'test', scopes: ['read'] });
    await expect(issue(deps, made.client.id, made.clientSecret, 'test')).resolves.toMatchObject({ scopes: ['read'] });
  });

  it.each([
    ['an empty name', { name: '   ' }, 'name'],
    ['a name with a control character', { name: 'a\u0007b' }, 'name'],
    ['a bad scope', { scopes: ['ok', 'no"pe'] }, 'scopes'],
    ['a bad allowlist entry', { allowedIps: ['10.0.0.0/33'] }, 'allowed_ips'],
    ['a bad org id', { orgId: 'org 1' }, 'org_id'],
  ])('refuses %s with invalid_request and stores nothing', async (_label, over, field) => {
    const deps = await fakeDeps();
    const e = await rejection(createClient(deps, { name: 'svc', mode: 'live', ...over }));
    expect(e.code).toBe('invalid_request');
    expect(e.details.field).toBe(field);
    expect(await deps.clients.count()).toBe(0);
  });
});

describe('createClient with an imported secret', () => {
  it('stores it as scrypt, never in clear, and accepts it at the token endpoint', async () => {
    const deps = await fakeDeps();
    const secret = 'imported-Secret-123';
    const made = await createClient(deps, { name: 'svc', mode: 'live', secret });
    expect(made.clientSecret).toBe(secret);
    const row = deps.clients.rows.get(made.client.id)!;
    expect(row.secretHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(row)).not.toContain(secret);
    await expect(issue(deps, made.client.id, secret)).resolves.toMatchObject({ generation: 1 });
  });

  it('accepts spaces, as RFC 6749 Appendix A VSCHAR does, and the secret works', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'live', secret: ' has a space in it ' });
    expect(made.clientSecret).toBe(' has a space in it ');
    await expect(issue(deps, made.client.id, ' has a space in it ')).resolves.toMatchObject({
      clientId: made.client.id,
    });
    await expect(issue(deps, made.client.id, 'has a space in it')).rejects.toMatchObject({ code: 'invalid_client' });
  });

  it('accepts the bounds of 10 and 255 characters', async () => {
    const deps = await fakeDeps();
    await expect(createClient(deps, { name: 'a', mode: 'live', secret: 'x'.repeat(10) })).resolves.toBeDefined();
    await expect(createClient(deps, { name: 'b', mode: 'live', secret: 'y'.repeat(255) })).resolves.toBeDefined();
    expect(await deps.clients.count()).toBe(2);
  });

  it.each([
    ['9 characters', 'x'.repeat(9)],
    ['256 characters', 'x'.repeat(256)],
    ['a control character', 'secret\u0001secret'],
    ['non-ASCII', 'sécret-sécret'],
    ['the shape of a generated live secret', `sk_live_${'a'.repeat(43)}`],
    ['the shape of a generated test secret', `sk_test_${'Z'.repeat(43)}`],
  ])('refuses one with %s', async (_label, secret) => {
    const deps = await fakeDeps();
    const e = await rejection(createClient(deps, { name: 'svc', mode: 'live', secret }));
    expect(e.code).toBe('invalid_request');
    expect(e.details.field).toBe('secret');
    expect(e.message).not.toContain(secret);
    expect(await deps.clients.count()).toBe(0);
  });
});

describe('rotateSecret', () => {
  it('bumps the generation and returns a new secret of the client mode', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'test' });
    deps.clock.advance(60);
    const rotated = await rotateSecret(deps, made.client.id);
    expect(rotated.generation).toBe(2);
    expect(rotated.client.secretGeneration).toBe(2);
    expect(rotated.client.updatedAt).toBe(T0 + 60_000);
    expect(rotated.clientSecret).toMatch(/^sk_test_[A-Za-z0-9_-]{43}$/);
    expect(rotated.clientSecret).not.toBe(made.clientSecret);
    expect(deps.clients.rows.get(made.client.id)!.secretHash).toBe(hashGeneratedSecret(rotated.clientSecret));
  });

  it('without grace, the old secret stops working at once and the new one works', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'live' });
    const rotated = await rotateSecret(deps, made.client.id);
    const e = await rejection(issue(deps, made.client.id, made.clientSecret));
    expect(e.code).toBe('invalid_client');
    const issued = await issue(deps, made.client.id, rotated.clientSecret);
    expect(issued.generation).toBe(2);
    expect(decodeJwt(issued.accessToken).sgen).toBe(2);
    expect(deps.clients.rows.get(made.client.id)!.previousSecretHash).toBeNull();
  });

  it('with grace, the old secret works until graceUntil, with the previous sgen, then stops', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'live' });
    const rotated = await rotateSecret(deps, made.client.id, 3600);

    const old = await issue(deps, made.client.id, made.clientSecret);
    expect(old.generation).toBe(1);
    expect(decodeJwt(old.accessToken).sgen).toBe(1);
    const fresh = await issue(deps, made.client.id, rotated.clientSecret);
    expect(fresh.generation).toBe(2);
    expect(decodeJwt(fresh.accessToken).sgen).toBe(2);

    deps.clock.advance(3599);
    expect((await issue(deps, made.client.id, made.clientSecret)).generation).toBe(1);

    deps.clock.advance(1);
    const e = await rejection(issue(deps, made.client.id, made.clientSecret));
    expect(e.code).toBe('invalid_client');
    expect(e.details.reason).toBe('bad_credentials');
    expect((await issue(deps, made.client.id, rotated.clientSecret)).generation).toBe(2);
  });

  it('keeps an imported old secret during a grace too', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'live', secret: 'imported-Secret-123' });
    await rotateSecret(deps, made.client.id, 60);
    expect((await issue(deps, made.client.id, 'imported-Secret-123')).generation).toBe(1);
  });

  it('a second rotation ends the first grace for the oldest secret', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'live' });
    const second = await rotateSecret(deps, made.client.id, 3600);
    const third = await rotateSecret(deps, made.client.id, 3600);
    expect(third.generation).toBe(3);
    expect((await rejection(issue(deps, made.client.id, made.clientSecret))).code).toBe('invalid_client');
    expect((await issue(deps, made.client.id, second.clientSecret)).generation).toBe(2);
    expect((await issue(deps, made.client.id, third.clientSecret)).generation).toBe(3);
  });

  it.each([-1, 1.5, MAX_GRACE_SECONDS + 1, Number.NaN])('refuses a grace of %s seconds', async (grace) => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'live' });
    const e = await rejection(rotateSecret(deps, made.client.id, grace));
    expect(e.code).toBe('invalid_request');
    expect(e.details.field).toBe('grace');
    expect(deps.clients.rows.get(made.client.id)!.secretGeneration).toBe(1);
  });

  it('answers not_found for an unknown client', async () => {
    const deps = await fakeDeps();
    expect((await rejection(rotateSecret(deps, 'cl_live_missing'))).code).toBe('not_found');
  });
});

describe('updateClient', () => {
  it('patches only the given fields, canonicalising them, and moves updatedAt', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'live', scopes: ['read'], orgId: 'org_1' });
    deps.clock.advance(30);
    const updated = await updateClient(deps, made.client.id, {
      name: ' renamed ',
      scopes: ['read', 'write', 'read'],
      allowedIps: ['192.0.2.9', '2001:db8::1/32'],
    });
    expect(updated).toMatchObject({
      id: made.client.id,
      name: 'renamed',
      scopes: ['read', 'write'],
      allowedIps: ['192.0.2.9/32', '2001:db8::/32'],
      orgId: 'org_1',
      enabled: true,
      secretGeneration: 1,
      createdAt: T0,
      updatedAt: T0 + 30_000,
    });
    expect(updated).not.toHaveProperty('secretHash');
    expect(await getClient(deps, made.client.id)).toEqual(updated);
  });

  it('disables and re-enables a client, and clears its org id', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'live', orgId: 'org_1' });
    expect((await updateClient(deps, made.client.id, { enabled: false })).enabled).toBe(false);
    expect((await rejection(issue(deps, made.client.id, made.clientSecret))).details.reason).toBe('client_disabled');
    const back = await updateClient(deps, made.client.id, { enabled: true, orgId: null });
    expect(back.enabled).toBe(true);
    expect(back.orgId).toBeNull();
    await expect(issue(deps, made.client.id, made.clientSecret)).resolves.toMatchObject({ clientId: made.client.id });
  });

  it('disables and enables idempotently: a second disable bumps no generation and records nothing', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'live' });
    const id = made.client.id;
    const first = await updateClient(deps, id, { enabled: false });
    const again = await updateClient(deps, id, { enabled: false });
    expect([first.secretGeneration, again.secretGeneration, again.enabled]).toEqual([2, 2, false]);
    const enabled = await updateClient(deps, id, { enabled: true });
    const twice = await updateClient(deps, id, { enabled: true });
    expect([enabled.secretGeneration, twice.secretGeneration, twice.enabled]).toEqual([2, 2, true]);
    const actions = (await deps.audit.list({ clientId: id, limit: 10 })).map((e) => e.action);
    expect(actions).toEqual(['client.enabled', 'client.disabled', 'client.created']);
  });

  it('refuses invalid input with invalid_request and leaves the client alone', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'live' });
    const e = await rejection(updateClient(deps, made.client.id, { name: 'ok', allowedIps: ['not-an-ip'] }));
    expect(e.code).toBe('invalid_request');
    expect(e.details.field).toBe('allowed_ips');
    expect((await getClient(deps, made.client.id)).name).toBe('svc');
  });

  it('answers not_found for an unknown client', async () => {
    const deps = await fakeDeps();
    expect((await rejection(updateClient(deps, 'cl_live_missing', { name: 'x' }))).code).toBe('not_found');
  });
});

describe('getClient', () => {
  it('returns the view of a known client', async () => {
    const deps = await fakeDeps();
    const made = await createClient(deps, { name: 'svc', mode: 'live' });
    expect(await getClient(deps, made.client.id)).toEqual(made.client);
  });

  it('answers not_found for an unknown client', async () => {
    const deps = await fakeDeps();
    const e = await rejection(getClient(deps, 'cl_live_missing'));
    expect(e.code).toBe('not_found');
  });
});

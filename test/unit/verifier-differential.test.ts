import { createHmac, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import {
  decodeProtectedHeader,
  errors,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import type { Mode } from '../../src/domain/mode.js';
import { compactSigner, compactVerifier } from '../../src/infra/keys/jws.js';
import { JwtVerifier, LEEWAY_SECONDS, type KeySource, type VerificationKey } from '../../src/infra/keys/verifier.js';
import { FixedClock, TEST_TOKENS } from '../support/fakes.js';

type Alg = 'ES256' | 'RS256' | 'EdDSA';
type Json = Record<string, unknown>;

/** A fixed instant with a fraction of a second, so that both sides must round it the same way. */
const NOW_MS = Date.UTC(2026, 0, 1, 12) + 700;
const NOW = Math.floor(NOW_MS / 1000);
const ISS = TEST_TOKENS.issuer('live');
const AUD = TEST_TOKENS.audience('live');
const REQUIRED = ['iss', 'sub', 'aud', 'iat', 'jti', 'client_id', 'scope', 'sgen'];
const EXPIRED = 'The access token has expired';

const keyPair = (alg: Alg) =>
  alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ed25519');

const part = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Any header and payload text, genuinely signed: for what SignJWT will not write (1e400, a BOM). */
const signRaw = (alg: Alg, key: KeyObject, header: Json, payload: string): string => {
  const input = `${part(header)}.${part(payload)}`;
  const options = alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
  return `${input}.${sign(alg === 'EdDSA' ? null : 'sha256', Buffer.from(input), options).toString('base64url')}`;
};

/**
 * The verifier before node:crypto, line for line (decodeProtectedHeader, then jwtVerify with the
 * options it used, then its own type checks), answering as it answered. It is the reference the
 * new JwtVerifier is held to.
 */
async function joseVerdict(
  token: string,
  keys: Map<string, { mode: Mode; alg: string; key: CryptoKey }>,
): Promise<{ verdict: string; joseExpired: boolean }> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { verdict: 'The access token is malformed', joseExpired: false };
  }
  if (['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'x5t#S256', 'crit'].some((h) => h in header))
    return { verdict: 'The access token header names its own key', joseExpired: false };
  if (typeof header.kid !== 'string') return { verdict: 'The access token names no key', joseExpired: false };
  const key = keys.get(header.kid);
  if (key?.mode !== 'live') return { verdict: 'The access token is signed by an unknown key', joseExpired: false };
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key.key, {
      algorithms: [key.alg],
      typ: 'at+jwt',
      issuer: ISS,
      audience: AUD,
      clockTolerance: LEEWAY_SECONDS,
      currentDate: new Date(NOW_MS),
      requiredClaims: REQUIRED,
    }));
  } catch (e) {
    const joseExpired = e instanceof errors.JWTExpired;
    return { verdict: joseExpired ? EXPIRED : 'The access token is invalid', joseExpired };
  }
  const { client_id, jti, scope, sgen, sub } = payload as Json;
  if (
    typeof client_id !== 'string' ||
    typeof jti !== 'string' ||
    typeof scope !== 'string' ||
    !Number.isInteger(sgen) ||
    sub !== client_id
  ) {
    return { verdict: 'The access token is invalid', joseExpired: false };
  }
  return { verdict: 'accepted', joseExpired: false };
}

async function newVerdict(verifier: JwtVerifier, token: string): Promise<string> {
  try {
    await verifier.verify(token, 'live');
    return 'accepted';
  } catch (e) {
    if (e instanceof DomainError && e.code === 'invalid_token') return e.message;
    throw e; // anything but invalid_token is a failure of the test
  }
}

for (const alg of ['ES256', 'RS256', 'EdDSA'] as const) {
  describe(`JwtVerifier against jose's jwtVerify, ${alg}`, () => {
    const live = keyPair(alg);
    const test = keyPair(alg);
    const foreign = keyPair(alg);
    const claims: Json = {
      iss: ISS,
      sub: 'c1',
      aud: AUD,
      iat: NOW - 60,
      exp: NOW + 3600,
      jti: 'j1',
      client_id: 'c1',
      scope: 'read',
      sgen: 1,
      permissions: ['read'],
    };
    const header: Json = { alg, typ: 'at+jwt', kid: 'live-1' };
    let verifier: JwtVerifier;
    const joseKeys = new Map<string, { mode: Mode; alg: string; key: CryptoKey }>();

    beforeAll(async () => {
      const ours = new Map<string, VerificationKey>([
        [
          'live-1',
          {
            mode: 'live',
            verifier: compactVerifier(
              createPublicKey({ key: live.publicKey.export({ format: 'jwk' }), format: 'jwk' }),
              alg,
            ),
          },
        ],
        ['test-1', { mode: 'test', verifier: compactVerifier(test.publicKey, alg) }],
      ]);
      const source: KeySource = { verificationKey: async (kid) => ours.get(kid) };
      verifier = new JwtVerifier(source, TEST_TOKENS, new FixedClock(NOW_MS));
      for (const [kid, k, mode] of [
        ['live-1', live, 'live'],
        ['test-1', test, 'test'],
      ] as const) {
        joseKeys.set(kid, {
          mode,
          alg,
          key: (await importJWK(k.publicKey.export({ format: 'jwk' }) as JWK, alg)) as CryptoKey,
        });
      }
    });

    /** Claims and header as given, `undefined` deleting one; signed by jose, with our key unless told. */
    const mint = (c: Json = {}, h: Json = {}, key: KeyObject = live.privateKey): Promise<string> => {
      const body = Object.fromEntries(Object.entries({ ...claims, ...c }).filter(([, v]) => v !== undefined));
      const head = Object.fromEntries(Object.entries({ ...header, ...h }).filter(([, v]) => v !== undefined));
      return new SignJWT(body).setProtectedHeader(head as { alg: string }).sign(key);
    };

    /** name → token: the corpus, a few dozen tokens that differ from a valid one in one or two respects. */
    const corpus = async (): Promise<[string, string][]> => {
      const valid = await mint();
      const [h, p, s] = valid.split('.') as [string, string, string];
      const flipped = Buffer.from(s, 'base64url');
      flipped[5]! ^= 0x80;
      const entries: [string, string | Promise<string>][] = [
        ['valid', valid],
        [
          'valid, signed by compactSigner',
          compactSigner(live.privateKey.export({ format: 'jwk' }) as JWK, { alg, typ: 'at+jwt', kid: 'live-1' }).sign(
            claims,
          ),
        ],
        ['valid without exp (never expires)', mint({ exp: undefined })],
        ['valid without exp, iat ten years ago', mint({ exp: undefined, iat: NOW - 10 * 365 * 86400 })],
        ['valid with extra claims and header members', mint({ org_id: 'o', gty: 'client-credentials' }, { cty: 'x' })],
        ['expired an hour ago', mint({ exp: NOW - 3600 })],
        ['exp = now - leeway - 1', mint({ exp: NOW - LEEWAY_SECONDS - 1 })],
        ['exp = now - leeway (expired: exp <= now - tolerance)', mint({ exp: NOW - LEEWAY_SECONDS })],
        ['exp = now - leeway + 1', mint({ exp: NOW - LEEWAY_SECONDS + 1 })],
        ['exp = now - leeway + 0.5', mint({ exp: NOW - LEEWAY_SECONDS + 0.5 })],
        ['exp = now - leeway - 0.5', mint({ exp: NOW - LEEWAY_SECONDS - 0.5 })],
        ['exp = now', mint({ exp: NOW })],
        ['exp as a string', mint({ exp: String(NOW + 3600) })],
        ['exp null', mint({ exp: null })],
        ['expired, client_id a number (expiry is checked first)', mint({ exp: NOW - 3600, client_id: 7 })],
        ['expired, sub not client_id', mint({ exp: NOW - 3600, sub: 'other' })],
        ['expired, jti missing (presence is checked first)', mint({ exp: NOW - 3600, jti: undefined })],
        ['expired, wrong issuer', mint({ exp: NOW - 3600, iss: 'https://evil.example' })],
        ['expired, typ JWT', mint({ exp: NOW - 3600 }, { typ: 'JWT' })],
        ['expired, nbf in the future', mint({ exp: NOW - 3600, nbf: NOW + 3600 })],
        ['expired, iat a string', mint({ exp: NOW - 3600, iat: 'yesterday' })],
        ['nbf now', mint({ nbf: NOW })],
        ['nbf = now + leeway', mint({ nbf: NOW + LEEWAY_SECONDS })],
        ['nbf = now + leeway + 1', mint({ nbf: NOW + LEEWAY_SECONDS + 1 })],
        ['nbf an hour ahead', mint({ nbf: NOW + 3600 })],
        ['nbf as a string', mint({ nbf: String(NOW) })],
        ['iat in the future (not checked, as before)', mint({ iat: NOW + 3600 })],
        ['iat as a string', mint({ iat: String(NOW) })],
        ['iat null', mint({ iat: null })],
        ...REQUIRED.map((c): [string, Promise<string>] => [`missing ${c}`, mint({ [c]: undefined })]),
        ['sgen null (present, but no integer)', mint({ sgen: null })],
        ['wrong issuer', mint({ iss: 'https://evil.example' })],
        ['issuer of the other mode', mint({ iss: TEST_TOKENS.issuer('test') })],
        ['wrong audience', mint({ aud: 'https://evil.example' })],
        ['aud array containing ours', mint({ aud: ['https://other.example', AUD] })],
        ['aud array of ours only', mint({ aud: [AUD] })],
        ['aud array not containing ours', mint({ aud: ['https://other.example'] })],
        ['aud array of mixed types containing ours', mint({ aud: [1, null, AUD] })],
        ['aud empty array', mint({ aud: [] })],
        ['aud object', mint({ aud: { [AUD]: true } })],
        ['typ at+jwt', mint({}, { typ: 'at+jwt' })],
        ['typ AT+JWT', mint({}, { typ: 'AT+JWT' })],
        ['typ application/at+jwt', mint({}, { typ: 'application/at+jwt' })],
        ['typ Application/AT+JWT', mint({}, { typ: 'Application/AT+JWT' })],
        ['typ JWT', mint({}, { typ: 'JWT' })],
        ['typ application/jwt', mint({}, { typ: 'application/jwt' })],
        ['typ vnd/at+jwt', mint({}, { typ: 'vnd/at+jwt' })],
        ['typ "at+jwt " (space)', mint({}, { typ: 'at+jwt ' })],
        ['typ a number', mint({}, { typ: 1 })],
        ['typ missing', mint({}, { typ: undefined })],
        ['sub differs from client_id', mint({ sub: 'c2' })],
        ['client_id a number', mint({ client_id: 1, sub: 1 })],
        ['jti a number', mint({ jti: 1 })],
        ['scope an array', mint({ scope: ['read'] })],
        ['sgen fractional', mint({ sgen: 1.5 })],
        ['sgen a string', mint({ sgen: '1' })],
        ['tampered payload', `${h}.${part({ ...claims, scope: 'read admin' })}.${s}`],
        ['flipped signature bit', `${h}.${p}.${flipped.toString('base64url')}`],
        ['signed by a foreign key under our kid', mint({}, {}, foreign.privateKey)],
        ['signed by the test key, claiming live', mint({}, { kid: 'test-1' }, test.privateKey)],
        ['unknown kid', mint({}, { kid: 'nope' })],
        ['no kid', mint({}, { kid: undefined })],
        ['kid a number', mint({}, { kid: 1 })],
        ['jku header, signed by our key', mint({}, { jku: 'https://evil.example/jwks' })],
        [
          'crit header, signed by our key',
          signRaw(alg, live.privateKey, { ...header, crit: ['exp'], exp: 1 }, JSON.stringify(claims)),
        ],
        [
          'HS256 keyed with our public key',
          (() => {
            const input = `${part({ ...header, alg: 'HS256' })}.${p}`;
            return `${input}.${createHmac('sha256', live.publicKey.export({ type: 'spki', format: 'pem' }))
              .update(input)
              .digest('base64url')}`;
          })(),
        ],
        ['alg none', `${part({ ...header, alg: 'none' })}.${p}.`],
        ['two parts', `${h}.${p}`],
        ['four parts', `${valid}.${s}`],
        ['header not JSON', `${part('{')}.${p}.${s}`],
        ['payload an array, signed', signRaw(alg, live.privateKey, header, JSON.stringify([claims]))],
      ];
      return Promise.all(entries.map(async ([name, t]): Promise<[string, string]> => [name, await t]));
    };

    it('accepts exactly what jose accepted, and calls expired exactly what jose called expired', async () => {
      const results: { name: string; old: string; now: string }[] = [];
      for (const [name, token] of await corpus()) {
        const old = await joseVerdict(token, joseKeys);
        const now = await newVerdict(verifier, token);
        results.push({ name, old: old.verdict, now });
        expect(now === EXPIRED, `${name}: expired iff jose threw JWTExpired`).toBe(old.joseExpired);
      }
      // All at once, so that one run shows every difference.
      expect(results.filter((r) => r.old !== r.now)).toEqual([]);
      // The corpus is not vacuous: it holds both answers of every kind.
      const count = (v: string) => results.filter((r) => r.now === v).length;
      expect(results.length).toBeGreaterThan(60);
      expect(count('accepted')).toBeGreaterThanOrEqual(15);
      expect(count(EXPIRED)).toBeGreaterThanOrEqual(6);
      expect(count('The access token is invalid')).toBeGreaterThanOrEqual(25);
      for (const name of [
        'valid without exp (never expires)',
        'exp = now - leeway + 1',
        'typ AT+JWT',
        'typ application/at+jwt',
        'aud array containing ours',
        'nbf = now + leeway',
      ]) {
        expect(results.find((r) => r.name === name)?.now, name).toBe('accepted');
      }
      for (const name of [
        'exp = now - leeway (expired: exp <= now - tolerance)',
        'expired, client_id a number (expiry is checked first)',
      ]) {
        expect(results.find((r) => r.name === name)?.now, name).toBe(EXPIRED);
      }
    });

    /** Where the new verifier is deliberately stricter than jose was: jose accepted these, we do not. */
    it('is stricter than jose on non-finite dates, padding, non-canonical base64url and a BOM', async () => {
      const valid = await mint();
      const [h, p, s] = valid.split('.') as [string, string, string];
      const pad = '='.repeat((4 - (s.length % 4)) % 4);
      const lastBitsTwin = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_']
        .map((c) => s.slice(0, -1) + c)
        .find((t) => t !== s && Buffer.from(t, 'base64url').equals(Buffer.from(s, 'base64url')))!;
      const body = JSON.stringify({ ...claims, exp: '__EXP__' });
      const stricter: [string, string][] = [
        ['exp 1e400 (Infinity)', signRaw(alg, live.privateKey, header, body.replace('"__EXP__"', '1e400'))],
        ['payload led by a BOM', signRaw(alg, live.privateKey, header, `\uFEFF${JSON.stringify(claims)}`)],
        ['signature with = padding', `${h}.${p}.${s}${pad}`],
        ['signature with other trailing bits', `${h}.${p}.${lastBitsTwin}`],
      ];
      expect(pad).not.toBe('');
      for (const [name, token] of stricter) {
        expect((await joseVerdict(token, joseKeys)).verdict, `${name}: jose`).toBe('accepted');
        expect(await newVerdict(verifier, token), name).not.toBe('accepted');
      }
    });

    it('refuses a 5-part (JWE-shaped) token as malformed, where jose got as far as "invalid"', async () => {
      const token = `${await mint()}.x.y`;
      expect((await joseVerdict(token, joseKeys)).verdict).toBe('The access token is invalid');
      expect(await newVerdict(verifier, token)).toBe('The access token is malformed');
    });
  });
}

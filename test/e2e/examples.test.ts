import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../support/process.js';
import { decodeJwt } from 'jose';
import { createClient, startIssuer, tollgate, type IssuerServer, type MadeClient } from '../support/sdk.js';

/**
 * The clients users already have, unchanged, against the real server: the runnable examples in
 * examples/ (Python with requests-oauthlib and Authlib, Go with x/oauth2's clientcredentials,
 * and curl), with and without an audience (a named API, `tollgate apis create`). Their tools are
 * Debian packages that `scripts/test-deps.sh` installs; a missing one fails this
 * suite, it never skips it.
 */

/** Debian's python: its dist-packages hold python3-requests-oauthlib and python3-authlib. */
const PYTHON = '/usr/bin/python3';
/** Where golang-golang-x-oauth2-dev puts the library's source (GOPATH mode, offline). */
const GOPATH = '/usr/share/gocode';
const INSTALL =
  'apt-get update && apt-get install -y python3-requests python3-requests-oauthlib python3-authlib golang-go golang-golang-x-oauth2-dev curl   (scripts/test-deps.sh does this)';

function requireTools(): void {
  const missing: string[] = [];
  const py = spawnSync(PYTHON, ['-c', 'import requests, requests_oauthlib, authlib'], { encoding: 'utf8' });
  if (py.status !== 0)
    missing.push(
      `${PYTHON} with requests, requests_oauthlib and authlib (${(py.stderr || String(py.error)).trim().split('\n').pop()})`,
    );
  if (spawnSync('go', ['version'], { encoding: 'utf8' }).status !== 0) missing.push('go (golang-go)');
  if (!existsSync(join(GOPATH, 'src/golang.org/x/oauth2/clientcredentials')))
    missing.push(`${GOPATH}/src/golang.org/x/oauth2 (golang-golang-x-oauth2-dev)`);
  if (spawnSync('curl', ['--version']).status !== 0) missing.push('curl');
  if (missing.length > 0) throw new Error(`The examples need: ${missing.join('; ')}. Install: ${INSTALL}`);
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (the server answers it meanwhile). */
function run(cmd: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', fail);
    child.once('close', (status) => {
      clearTimeout(timer);
      ok({ status, stdout, stderr });
    });
  });
}

/** The JSON object per line the Python and Go examples print. */
const steps = (r: Run): Array<Record<string, unknown>> =>
  r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const step = (r: Run, name: string): Record<string, unknown> | undefined => steps(r).find((s) => s.step === name);

/** The API the audience runs ask for, and the client's grant there. */
const BILLING = 'https://billing.example/api';
const GRANTED = 'invoices:read';
/** The `aud` and `scope` a JWT access token carries (read, not verified: the server issued it). */
const audScope = (token: unknown) => {
  const { aud, scope } = decodeJwt(String(token));
  return { aud, scope };
};

/** The "<step>: <body>" lines the curl example prints. */
const curlSteps = (r: Run): Record<string, string> =>
  Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => l.includes(': '))
      .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
  );

describe('examples/ against the real server', () => {
  let srv: IssuerServer;
  let goBinary: string;
  let live: MadeClient;
  let test: MadeClient;
  /** Imported secrets: one holding `+` and a lone `%`, one holding `%7A` (which form-decoding would change). */
  let plus: MadeClient;
  let hex: MadeClient;

  const envFor = (c: MadeClient, mode: 'live' | 'test' = 'live', extra: Record<string, string> = {}) => ({
    TOLLGATE_URL: mode === 'test' ? `${srv.url}/test` : srv.url,
    TOLLGATE_CLIENT_ID: c.id,
    TOLLGATE_CLIENT_SECRET: c.secret,
    ...extra,
  });

  beforeAll(async () => {
    requireTools();
    const gocache = join(tmpdir(), 'tollgate-examples-gocache');
    mkdirSync(gocache, { recursive: true });
    goBinary = join(tempDir(), 'tollgate-go');
    const [build, server] = await Promise.all([
      // GOPATH mode: the library comes from Debian's package, nothing is fetched.
      run('go', ['build', '-o', goBinary, './examples/go'], {
        GO111MODULE: 'off',
        GOPATH,
        GOCACHE: gocache,
        GOFLAGS: '',
        GOTOOLCHAIN: 'local',
      }),
      // 2 s tokens on the oauth2 and v1 doors, so the examples' renewals run.
      startIssuer({ OAUTH2_ACCESS_TTL_SECONDS: '2', V1_TOKEN_TTL_SECONDS: '2' }),
    ]);
    srv = server;
    expect(build.status, build.stderr).toBe(0);
    live = await createClient(srv.env, '--scope', 'read write');
    test = await createClient(srv.env, '--mode', 'test', '--scope', 'read write');
    plus = await createClient(srv.env, '--secret', 'imported+secret%zz:x');
    hex = await createClient(srv.env, '--secret', 'imported%7Asecret');
    const permissions = ['--permissions', 'invoices:read invoices:write'];
    await tollgate(srv.env, 'apis', 'create', '--identifier', BILLING, '--name', 'Billing', ...permissions);
    await tollgate(srv.env, 'grants', 'set', live.id, BILLING, '--permissions', GRANTED);
  }, 60_000);
  const withAudience = (c: MadeClient = live) => envFor(c, 'live', { TOLLGATE_AUDIENCE: BILLING });
  afterAll(async () => {
    await srv?.stop();
  });

  describe('curl', () => {
    const DOORS = ['oauth2-basic', 'oauth2-body', 'v1', 'v2', 'common'];
    const curl = (door: string, env: Record<string, string>) => run('bash', ['examples/curl/tollgate.sh', door], env);

    it.each(DOORS)('%s: a token the protected endpoints accept, live and test', async (door) => {
      for (const [c, mode] of [
        [live, 'live'],
        [test, 'test'],
      ] as const) {
        const r = await curl(door, envFor(c, mode, { TOLLGATE_SCOPE: 'read' }));
        expect(r.status, r.stderr + r.stdout).toBe(0);
        const out = curlSteps(r);
        expect(JSON.parse(out.me!)).toMatchObject({ code: 0, data: { id: c.id, mode } });
        expect(out.verify).toBe(`200 ${c.id}`);
        if (door.startsWith('oauth2')) {
          expect(JSON.parse(out.token!)).toMatchObject({
            token_type: 'Bearer',
            scope: 'read',
            refresh_token: expect.stringMatching(/^rt_/),
          });
          expect(JSON.parse(out.refresh!)).not.toHaveProperty('refresh_token');
        }
      }
    });

    it.each(DOORS)('%s with TOLLGATE_AUDIENCE: a token for that API', async (door) => {
      const r = await curl(door, withAudience());
      expect(r.status, r.stderr + r.stdout).toBe(0);
      const out = curlSteps(r);
      const body = JSON.parse(out.token!) as Record<string, unknown> & { data?: Record<string, unknown> };
      const token = body.access_token ?? body.accessToken ?? body.data?.access_token;
      expect(audScope(token)).toEqual({ aud: BILLING, scope: GRANTED });
      // The check a proxy in front of that API makes; /api/v1/client/me is the default API's.
      expect(out.verify).toBe(`200 ${live.id}`);
      expect(out.me).toBeUndefined();
      if (door.startsWith('oauth2')) {
        expect(audScope(JSON.parse(out.refresh!).access_token)).toEqual({ aud: BILLING, scope: GRANTED });
      }
    });

    it('curl -u sends the secret raw: accepted, whether or not form-decoding would change it (spec §3)', async () => {
      for (const c of [plus, hex]) {
        const raw = await curl('oauth2-basic', envFor(c));
        expect(raw.status, raw.stderr + raw.stdout).toBe(0);
        expect(curlSteps(raw).verify).toBe(`200 ${c.id}`);
        const body = await curl('oauth2-body', envFor(c));
        expect(body.status, body.stderr + body.stdout).toBe(0);
      }
    });
  });

  describe('Python: requests-oauthlib', () => {
    const py = (args: string[], env: Record<string, string>) =>
      run(PYTHON, ['examples/python/requests_oauthlib_client.py', ...args], env);

    it('oauth2 with HTTP Basic and with the body: a token, and a refresh through /refresh once it expires', async () => {
      // Both at once: each waits out its 2 s token.
      const runs = await Promise.all(
        ['basic', 'body'].map((auth) => py(['--auth', auth, '--wait-for-expiry'], envFor(live))),
      );
      for (const [i, r] of runs.entries()) {
        expect(r.status, r.stderr).toBe(0);
        expect(step(r, 'token')).toMatchObject({
          auth: ['basic', 'body'][i],
          token_type: 'Bearer',
          expires_in: 2,
          has_refresh_token: true,
        });
        expect(step(r, 'me')).toEqual({ step: 'me', status: 200, client_id: live.id });
        expect(step(r, 'after-expiry')).toEqual({
          step: 'after-expiry',
          status: 200,
          refreshed: 1,
          new_access_token: true,
          refresh_token_kept: true,
          aud: srv.url,
        });
      }
    });

    it('with TOLLGATE_AUDIENCE: resource on the exchange and the refresh, the tokens for that API', async () => {
      const runs = await Promise.all(
        ['basic', 'body'].map((auth) => py(['--auth', auth, '--wait-for-expiry'], withAudience())),
      );
      for (const r of runs) {
        expect(r.status, r.stderr).toBe(0);
        // oauthlib hands the scope back as a list.
        expect(step(r, 'token')).toMatchObject({ aud: BILLING, scope: [GRANTED], has_refresh_token: true });
        expect(audScope(step(r, 'token')?.access_token)).toEqual({ aud: BILLING, scope: GRANTED });
        expect(step(r, 'verify')).toEqual({ step: 'verify', status: 200, client_id: live.id });
        const renewed = { status: 200, refreshed: 1, new_access_token: true, aud: BILLING };
        expect(step(r, 'after-expiry')).toMatchObject(renewed);
      }
      const notGranted = await py([], withAudience(plus));
      expect(notGranted.status).toBe(1);
      expect(step(notGranted, 'token')).toEqual({ step: 'token', error: 'invalid_target', status: 400 });
    });

    it('works in test mode, with scope, and with an imported secret sent raw in HTTP Basic', async () => {
      const [inTest, imported] = await Promise.all([
        py([], envFor(test, 'test', { TOLLGATE_SCOPE: 'read' })),
        py(['--auth', 'basic'], envFor(plus)),
      ]);
      expect(step(inTest, 'me'), inTest.stderr).toMatchObject({ status: 200, client_id: test.id });
      expect(step(imported, 'me'), imported.stderr).toMatchObject({ status: 200, client_id: plus.id });
    });

    it('reports the door error code', async () => {
      const r = await py([], envFor({ id: live.id, secret: 'not-the-secret' }));
      expect(r.status).toBe(1);
      expect(step(r, 'token')).toEqual({ step: 'token', error: 'invalid_client', status: 401 });
    });
  });

  describe('Python: Authlib', () => {
    const py = (args: string[], env: Record<string, string>) =>
      run(PYTHON, ['examples/python/authlib_client.py', ...args], env);

    it('oauth2 with HTTP Basic and with the body: a token, and grant_type=refresh_token once it expires; v1 through a compliance hook', async () => {
      // All at once: each waits out its 2 s token.
      const [basic, body, v1] = await Promise.all([
        py(['--auth', 'basic', '--wait-for-expiry'], envFor(live)),
        py(['--auth', 'body', '--wait-for-expiry'], envFor(live)),
        py(['--door', 'v1', '--auth', 'body', '--wait-for-expiry'], envFor(live)),
      ]);
      for (const [auth, r] of [
        ['basic', basic!],
        ['body', body!],
      ] as const) {
        expect(r.status, r.stderr).toBe(0);
        expect(step(r, 'token')).toMatchObject({
          door: 'oauth2',
          auth,
          token_type: 'Bearer',
          expires_in: 2,
          has_refresh_token: true,
        });
        expect(step(r, 'me')).toEqual({ step: 'me', status: 200, client_id: live.id });
        expect(step(r, 'after-expiry')).toEqual({
          step: 'after-expiry',
          status: 200,
          renewed_by: ['refresh_token'],
          new_access_token: true,
          refresh_token_kept: true,
          aud: srv.url,
        });
      }
      // v1 has no refresh token: Authlib makes a new client_credentials exchange.
      expect(v1!.status, v1!.stderr).toBe(0);
      expect(step(v1!, 'token')).toMatchObject({
        door: 'v1',
        token_type: 'Bearer',
        expires_in: 2,
        has_refresh_token: false,
      });
      expect(step(v1!, 'me')).toEqual({ step: 'me', status: 200, client_id: live.id });
      expect(step(v1!, 'after-expiry')).toMatchObject({
        status: 200,
        renewed_by: ['client_credentials'],
        new_access_token: true,
      });
    });

    it('with TOLLGATE_AUDIENCE: resource on oauth2, audience on v1, renewals included', async () => {
      const [oauth2, v1] = await Promise.all([
        py(['--auth', 'basic', '--wait-for-expiry'], withAudience()),
        py(['--door', 'v1', '--auth', 'body', '--wait-for-expiry'], withAudience()),
      ]);
      for (const [r, renewedBy] of [
        [oauth2!, 'refresh_token'],
        [v1!, 'client_credentials'],
      ] as const) {
        expect(r.status, r.stderr).toBe(0);
        expect(step(r, 'token')).toMatchObject({ aud: BILLING });
        expect(audScope(step(r, 'token')?.access_token)).toEqual({ aud: BILLING, scope: GRANTED });
        expect(step(r, 'verify')).toEqual({ step: 'verify', status: 200, client_id: live.id });
        // Authlib's own renewal asks for the same API.
        const renewed = { status: 200, renewed_by: [renewedBy], new_access_token: true, aud: BILLING };
        expect(step(r, 'after-expiry')).toMatchObject(renewed);
      }
    });

    it('works in test mode and with an imported secret sent raw in HTTP Basic; reports door errors', async () => {
      const [inTest, imported, wrong, v1Wrong] = await Promise.all([
        py([], envFor(test, 'test')),
        py(['--auth', 'basic'], envFor(plus)),
        py([], envFor(live, 'live', { TOLLGATE_SCOPE: 'admin' })),
        py(['--door', 'v1', '--auth', 'body'], envFor({ id: live.id, secret: 'not-the-secret' })),
      ]);
      expect(step(inTest, 'me'), inTest.stderr).toMatchObject({ status: 200, client_id: test.id });
      expect(step(imported, 'me'), imported.stderr).toMatchObject({ status: 200, client_id: plus.id });
      expect(step(wrong, 'token')).toEqual({ step: 'token', error: 'invalid_scope' });
      expect(step(v1Wrong, 'token')).toEqual({ step: 'token', error: 'invalid_client' });
    });
  });

  describe('Go: golang.org/x/oauth2/clientcredentials', () => {
    const go = (args: string[], env: Record<string, string>) => run(goBinary, args, env);

    it.each(['header', 'params'])(
      'oauth2 with AuthStyleIn%s: a token reused for every call, live and test',
      async (auth) => {
        for (const [c, mode] of [
          [live, 'live'],
          [test, 'test'],
        ] as const) {
          const r = await go(['-auth', auth, '-calls', '3'], envFor(c, mode, { TOLLGATE_SCOPE: 'read' }));
          expect(r.status, r.stdout + r.stderr).toBe(0);
          const aud = mode === 'test' ? `${srv.url}/test` : srv.url;
          expect(step(r, 'token')).toMatchObject({ token_type: 'Bearer', has_refresh_token: true, scope: 'read', aud });
          expect(steps(r).filter((s) => s.step === 'me')).toEqual(
            Array(3).fill({ step: 'me', status: 200, client_id: c.id }),
          );
        }
      },
    );

    it('with TOLLGATE_AUDIENCE or -audience: resource in EndpointParams, every renewal for that API', async () => {
      const byEnv = await go(['-calls', '3'], withAudience());
      const byFlag = await go(['-calls', '3', '-auth', 'params', '-audience', BILLING], envFor(live));
      for (const r of [byEnv, byFlag]) {
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(step(r, 'token')).toMatchObject({ token_type: 'Bearer', aud: BILLING, scope: GRANTED });
        // 2 s tokens are inside x/oauth2's 10 s expiry delta: each call takes a new one, for that API.
        const verified = { step: 'verify', status: 200, client_id: live.id };
        expect(steps(r).filter((s) => s.step === 'verify')).toEqual(Array(3).fill(verified));
      }
      const notGranted = await go([], withAudience(plus));
      expect(notGranted.status).toBe(1);
      expect(String(step(notGranted, 'token')?.error)).toMatch(/400 Bad Request[\s\S]*"error":"invalid_target"/);
    });

    it('form-encodes the Basic credentials, so every imported secret works in the header', async () => {
      for (const c of [plus, hex]) {
        const r = await go(['-auth', 'header'], envFor(c));
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(step(r, 'me')).toMatchObject({ status: 200, client_id: c.id });
      }
    });

    it('reports a wrong secret with the door answer', async () => {
      const r = await go([], envFor({ id: live.id, secret: 'not-the-secret' }));
      expect(r.status).toBe(1);
      expect(String(step(r, 'token')?.error)).toMatch(/401 Unauthorized[\s\S]*"error":"invalid_client"/);
    });
  });
});

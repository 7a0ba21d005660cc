import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cli, startServer, tempDir, type RunningServer } from '../support/process.js';

/**
 * The forward-auth endpoint proven behind a real nginx: `auth_request` to `/auth/verify` guards a
 * sample upstream. nginx is a hard requirement of this suite (`scripts/test-deps.sh` installs it); it fails,
 * never skips, when nginx is missing.
 */

const NGINX_MISSING =
  'nginx is not installed, and this end-to-end test needs it (with ngx_http_auth_request_module). ' +
  'Install the Debian package: apt-get update && apt-get install -y nginx   (scripts/test-deps.sh does this)';

function findNginx(): string {
  const dirs = [
    ...(process.env.PATH ?? '').split(':'),
    '/usr/sbin',
    '/usr/local/sbin',
    '/sbin',
    '/usr/local/nginx/sbin',
  ];
  const bin = dirs
    .filter(Boolean)
    .map((d) => join(d, 'nginx'))
    .find((p) => existsSync(p));
  if (!bin) throw new Error(NGINX_MISSING);
  const v = spawnSync(bin, ['-V'], { encoding: 'utf8' });
  if (!`${v.stdout}${v.stderr}`.includes('http_auth_request_module')) {
    throw new Error(`${bin} was built without ngx_http_auth_request_module; install the Debian nginx package`);
  }
  return bin;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createNetServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/** Waits until something accepts connections on the port, or the process dies. */
async function waitForListen(port: number, proc: ChildProcess, why: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`nginx exited (${proc.exitCode ?? proc.signalCode}):\n${why()}`);
    const up = await new Promise<boolean>((ok) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        ok(true);
      });
      sock.once('error', () => ok(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}:\n${why()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The documented setup (README "Behind nginx"), with every path inside the temp dir. */
/** The API the README's per-API `location` guards. */
const BILLING = 'https://billing.example.com/api';

function nginxConf(dir: string, listen: number, tollgate: string, upstream: number): string {
  const verify = (name: string, path: string) => `
    location = /${name} {
      internal;
      proxy_pass ${tollgate}${path};
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }`;
  const guarded = (prefix: string, auth: string) => `
    location ${prefix} {
      auth_request /${auth};
      auth_request_set $tollgate_client $upstream_http_x_client_id;
      auth_request_set $tollgate_scope $upstream_http_x_scope;
      auth_request_set $tollgate_mode $upstream_http_x_mode;
      proxy_set_header X-Client-Id $tollgate_client;
      proxy_set_header X-Scope $tollgate_scope;
      proxy_set_header X-Mode $tollgate_mode;
      proxy_pass http://127.0.0.1:${upstream};
    }`;
  return `
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${listen};
    ${guarded('/', '_tollgate')}
    ${guarded('/admin/', '_tollgate_admin')}
    ${guarded('/sandbox/', '_tollgate_test')}
    ${guarded('/billing/', '_tollgate_billing')}
    ${verify('_tollgate', '/auth/verify')}
    ${verify('_tollgate_admin', '/auth/verify?scope=admin')}
    ${verify('_tollgate_test', '/test/auth/verify')}
    ${verify('_tollgate_billing', `/auth/verify?audience=${encodeURIComponent(BILLING)}&scope=invoices:read`)}
  }
}
`;
}

describe('end to end: nginx auth_request in front of an upstream', () => {
  let dir: string;
  let server: RunningServer | undefined;
  let nginx: ChildProcess | undefined;
  let nginxErr = '';
  let upstream: Server | undefined;
  let base: string;
  let env: Record<string, string>;
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];

  const json = async (args: string[]): Promise<Record<string, unknown>> => {
    const r = await cli([...args, '--json'], env);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const issue = async (
    id: string,
    secret: string,
    mode: 'live' | 'test' = 'live',
    audience?: string,
  ): Promise<string> => {
    const res = await fetch(`${server!.url}${mode === 'test' ? '/test' : ''}/api/v1/client/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: id, client_secret: secret, ...(audience === undefined ? {} : { audience }) }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: { access_token: string } }).data.access_token;
  };
  const call = (path: string, token?: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(init.headers as Record<string, string>),
      },
    });
  /** Refused by nginx, with Tollgate's challenge passed through, and the upstream never reached. */
  const expectRefused = async (
    path: string,
    token: string | undefined,
    status: number,
    challenge: RegExp | undefined,
  ) => {
    const before = seen.length;
    const res = await call(path, token);
    expect(res.status).toBe(status);
    if (challenge) expect(res.headers.get('www-authenticate')).toMatch(challenge);
    await res.arrayBuffer();
    expect(seen.length).toBe(before);
  };

  let client: { id: string; secret: string };

  // A set-up failure (nginx missing, above all) fails every test with its message: none is skipped.
  let setupFailure: unknown;
  beforeAll(async () => {
    try {
      await setUp();
    } catch (e) {
      setupFailure = e;
    }
  });
  beforeEach(async () => {
    if (setupFailure !== undefined) throw setupFailure;
  });

  async function setUp(): Promise<void> {
    const bin = findNginx();
    dir = tempDir();
    env = { DATABASE_PATH: join(dir, 'tollgate.db') };
    server = await startServer(env);

    upstream = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      // Read the whole body before answering: answering first makes nginx see a reset while it
      // still sends a large body, and the test a 502 that is no fault of Tollgate's.
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            upstream: true,
            path: req.url,
            clientId: req.headers['x-client-id'],
            scope: req.headers['x-scope'],
            mode: req.headers['x-mode'],
            bodyBytes: bytes,
          }),
        );
      });
    });
    await new Promise<void>((ok) => upstream!.listen(0, '127.0.0.1', ok));
    const upstreamPort = (upstream.address() as { port: number }).port;

    const ngDir = join(dir, 'nginx');
    mkdirSync(ngDir);
    const port = await freePort();
    writeFileSync(join(ngDir, 'nginx.conf'), nginxConf(ngDir, port, server.url, upstreamPort));
    nginx = spawn(
      bin,
      ['-e', join(ngDir, 'error.log'), '-p', ngDir, '-c', join(ngDir, 'nginx.conf'), '-g', 'daemon off;'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    nginx.stderr!.on('data', (d: Buffer) => (nginxErr += d.toString()));
    const why = () => {
      const log = join(ngDir, 'error.log');
      return `${nginxErr}\n${existsSync(log) ? readFileSync(log, 'utf8') : ''}`;
    };
    await waitForListen(port, nginx, why);
    base = `http://127.0.0.1:${port}`;

    const made = await json(['clients', 'create', '--name', 'behind-nginx', '--scope', 'read write']);
    client = { id: made.clientId as string, secret: made.clientSecret as string };
  }

  afterAll(async () => {
    if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
      await new Promise((ok) => {
        nginx!.once('exit', ok);
        nginx!.kill('SIGTERM');
      });
    }
    await server?.stop();
    await new Promise((ok) => (upstream ? upstream.close(ok) : ok(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lets a good token through, telling the upstream who called', async () => {
    const token = await issue(client.id, client.secret);
    const res = await call('/api/orders?page=2', token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      upstream: true,
      path: '/api/orders?page=2',
      clientId: client.id,
      scope: 'read write',
      mode: 'live',
      bodyBytes: 0,
    });
  });

  it('lets a POST with a body through: the auth subrequest carries no body', async () => {
    const token = await issue(client.id, client.secret);
    const res = await call('/api/orders', token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ big: 'x'.repeat(200_000) }),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { clientId: string; bodyBytes: number };
    expect(answer.clientId).toBe(client.id);
    expect(answer.bodyBytes).toBe(JSON.stringify({ big: 'x'.repeat(200_000) }).length);
    expect(seen.at(-1)?.method).toBe('POST');
  });

  it('overwrites identity headers a caller sends itself', async () => {
    const token = await issue(client.id, client.secret);
    const res = await call('/api/whoami', token, {
      headers: { 'x-client-id': 'cl_live_someone_else', 'x-scope': 'admin' },
    });
    expect(await res.json()).toMatchObject({ clientId: client.id, scope: 'read write' });
  });

  it('refuses a missing token with 401 and the bare Bearer challenge', async () => {
    await expectRefused('/api/orders', undefined, 401, /^Bearer realm="tollgate"$/);
  });

  it('refuses forged tokens with 401 invalid_token', async () => {
    const token = await issue(client.id, client.secret);
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const invalid = /^Bearer realm="tollgate", error="invalid_token", error_description="[^"]+"$/;
    // An edited payload under the genuine signature.
    await expectRefused('/api/orders', `${h}.${enc({ ...claims, scope: 'read write admin' })}.${s}`, 401, invalid);
    // alg none.
    await expectRefused(
      '/api/orders',
      `${enc({ alg: 'none', typ: 'at+jwt', kid: decodeProtectedHeader(token).kid })}.${p}.`,
      401,
      invalid,
    );
    // Signed by a key of the attacker's under our kid.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const input = `${h}.${p}`;
    const sig = cryptoSign('sha256', Buffer.from(input), {
      key: createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })),
      dsaEncoding: 'ieee-p1363',
    });
    await expectRefused('/api/orders', `${input}.${sig.toString('base64url')}`, 401, invalid);
    await expectRefused('/api/orders', 'not-a-jwt', 401, invalid);
  });

  it('guards one API per location: its audience and permission, nothing else (README, APIs and permissions)', async () => {
    await json([
      'apis',
      'create',
      '--identifier',
      BILLING,
      '--name',
      'Billing',
      '--permissions',
      'invoices:read invoices:write',
    ]);
    const made = await json(['clients', 'create', '--name', 'billing-worker']);
    const [id, secret] = [made.clientId as string, made.clientSecret as string];
    await json(['grants', 'set', id, BILLING, '--permissions', 'invoices:read invoices:write']);
    const billing = await issue(id, secret, 'live', BILLING);
    const res = await call('/billing/invoices', billing);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ clientId: id, scope: 'invoices:read invoices:write' });
    // The default API's token, and the billing token where the default API is guarded, are refused.
    await expectRefused('/billing/invoices', await issue(client.id, client.secret), 401, /error="invalid_token"/);
    await expectRefused('/api/orders', billing, 401, /error="invalid_token"/);
    await json(['grants', 'set', id, BILLING, '--permissions', 'invoices:write']);
    await expectRefused('/billing/invoices', await issue(id, secret, 'live', BILLING), 403, undefined);
  });

  it('keeps the modes apart: a test token passes only where nginx asks the test mode', async () => {
    const made = await json(['clients', 'create', '--name', 'sandbox', '--mode', 'test', '--scope', 'read']);
    const token = await issue(made.clientId as string, made.clientSecret as string, 'test');
    await expectRefused('/api/orders', token, 401, /error="invalid_token"/);
    const res = await call('/sandbox/orders', token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ clientId: made.clientId, mode: 'test' });
    const live = await issue(client.id, client.secret);
    await expectRefused('/sandbox/orders', live, 401, /error="invalid_token"/);
  });

  it('answers 403 where nginx asks for a scope the token lacks', async () => {
    const token = await issue(client.id, client.secret);
    await expectRefused('/admin/users', token, 403, undefined);
    const admin = await json(['clients', 'create', '--name', 'admin', '--scope', 'read admin']);
    const res = await call('/admin/users', await issue(admin.clientId as string, admin.clientSecret as string));
    expect(res.status).toBe(200);
  });

  it('refuses a token rotated away by the CLI on its next request; during a grace it still passes', async () => {
    const made = await json(['clients', 'create', '--name', 'rotating', '--scope', 'read']);
    const id = made.clientId as string;
    const first = await issue(id, made.clientSecret as string);
    expect((await call('/api/orders', first)).status).toBe(200);

    const graced = await json(['clients', 'rotate-secret', id, '--grace', '1h']);
    expect(graced.secretGeneration).toBe(2);
    expect((await call('/api/orders', first)).status).toBe(200);
    const second = await issue(id, graced.clientSecret as string);

    const rotated = await json(['clients', 'rotate-secret', id]);
    expect(rotated.secretGeneration).toBe(3);
    await expectRefused(
      '/api/orders',
      first,
      401,
      /error="invalid_token", error_description="The access token was issued before the client secret was rotated or the client was disabled"/,
    );
    await expectRefused('/api/orders', second, 401, /error="invalid_token"/);
    const third = await issue(id, rotated.clientSecret as string);
    expect((await call('/api/orders', third)).status).toBe(200);
  });

  it('refuses a disabled client’s token at once, and for good: enabling the client lets only new tokens through', async () => {
    const token = await issue(client.id, client.secret);
    await json(['clients', 'disable', client.id]);
    await expectRefused('/api/orders', token, 401, /error="invalid_token"/);
    await json(['clients', 'enable', client.id]);
    await expectRefused('/api/orders', token, 401, /error="invalid_token"/);
    expect((await call('/api/orders', await issue(client.id, client.secret))).status).toBe(200);
  });

  it('never logs a token or a secret (checked as a boolean, so a failure prints neither)', async () => {
    // The first-start banner is the one place a secret is printed on purpose; log lines are JSON.
    const log = server!
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(log.length).toBeGreaterThan(0);
    const leaks = (text: string) => /eyJ[\w-]{10,}|sk_(live|test)_[\w-]{10,}/.test(text);
    expect(leaks(log.join('\n'))).toBe(false);
    expect(leaks(readFileSync(join(dir, 'nginx', 'access.log'), 'utf8'))).toBe(false);
  });
});

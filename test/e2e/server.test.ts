import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startServer, type RunningServer, storeEnv } from '../support/process.js';

/** The real server process, called over a socket, changed under its feet by the real CLI. */
describe('end to end: server process and CLI', () => {
  let server: RunningServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    env = await storeEnv();
    server = await startServer(env);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const v1 = (id: string, secret: string, mode: 'live' | 'test' = 'live') =>
    fetch(`${server.url}${mode === 'test' ? '/test' : ''}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: id, client_secret: secret }),
    });
  const v2 = (id: string, secret: string) =>
    fetch(`${server.url}/v2/credentials/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: id, clientSecret: secret }),
    });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  // biome-ignore lint/suspicious/noExplicitAny: each test reads the answer of its own endpoint
  const body = async (res: Response): Promise<any> => res.json();
  const json = async (args: string[]) => {
    const r = await cli([...args, '--json'], env);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  it('prints a test client on first start whose credentials work at once', async () => {
    const id = /client_id:\s+(\S+)/.exec(server.stdout())?.[1];
    const secret = /client_secret:\s+(\S+)/.exec(server.stdout())?.[1];
    expect(id).toMatch(/^cl_test_/);
    expect(secret).toMatch(/^sk_test_/);
    const res = await v1(id!, secret!, 'test');
    expect(res.status).toBe(200);
    expect((await body(res)).data.token_type).toBe('Bearer');
  });

  it('sees clients created, rotated, disabled and enabled by the CLI on the very next request', async () => {
    const made = await json(['clients', 'create', '--name', 'e2e', '--scope', 'read write']);
    expect(made).toMatchObject({
      name: 'e2e',
      mode: 'live',
      scopes: ['read', 'write'],
      enabled: true,
      secretGeneration: 1,
    });
    const id = made.clientId as string;
    const first = made.clientSecret as string;
    expect((await v2(id, first)).status).toBe(200);

    const rotated = await json(['clients', 'rotate-secret', id]);
    expect(rotated.secretGeneration).toBe(2);
    expect((await v2(id, first)).status).toBe(401);
    const second = rotated.clientSecret as string;
    const after = await v2(id, second);
    expect(after.status).toBe(200);
    expect(decodeJwt((await body(after)).accessToken).sgen).toBe(2);

    await json(['clients', 'disable', id]);
    expect((await v1(id, second)).status).toBe(401);
    await json(['clients', 'enable', id]);
    expect((await v1(id, second)).status).toBe(200);
  });

  it('signs with a key rotated by the CLI within a second, and the CLI lists both', async () => {
    const made = await json(['clients', 'create', '--name', 'keys']);
    const token = async () =>
      (await body(await v2(made.clientId as string, made.clientSecret as string))).accessToken as string;
    const before = decodeProtectedHeader(await token()).kid;
    const rotated = await cli(['keys', 'rotate', '--mode', 'live', '--json'], env);
    expect(rotated.status, rotated.stderr).toBe(0);
    const [fresh] = JSON.parse(rotated.stdout) as Array<{ kid: string }>;
    // The server asks for a newer current key at most once a second (the old one stays valid).
    let kid = decodeProtectedHeader(await token()).kid;
    for (let i = 0; i < 30 && kid !== fresh!.kid; i++) {
      await new Promise((r) => setTimeout(r, 100));
      kid = decodeProtectedHeader(await token()).kid;
    }
    expect(kid).toBe(fresh!.kid);
    expect(fresh!.kid).not.toBe(before);
    const listed = JSON.parse((await cli(['keys', 'list', '--json'], env)).stdout) as Array<{
      kid: string;
      current: boolean;
    }>;
    expect(listed.map((k) => k.kid)).toEqual(expect.arrayContaining([before, fresh!.kid]));
  });

  it('answers the CLI user with JSON lists and clear errors', async () => {
    const all = await cli(['clients', 'list', '--json'], env);
    expect(all.status).toBe(0);
    const list = JSON.parse(all.stdout) as Array<Record<string, unknown>>;
    expect(list.length).toBeGreaterThanOrEqual(3);
    expect(list.every((c) => !('clientSecret' in c))).toBe(true);
    const missing = await cli(['clients', 'show', 'cl_live_nope000000', '--json'], env);
    expect(missing.status).toBe(1);
    expect(JSON.parse(missing.stderr)).toEqual({ error: 'not_found', message: 'No such client: cl_live_nope000000' });
  });

  it('never logs a secret or a token', async () => {
    const log = server
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(log.length).toBeGreaterThan(0);
    expect(log.join('\n')).not.toMatch(/sk_(live|test)_|eyJ/);
  });
});

describe('end to end: configuration errors stop start-up', () => {
  it.each(['0', '-5', '1.5', 'abc'])('CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES=%s names the variable', async (value) => {
    await expect(startServer({ ...(await storeEnv()), CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES: value })).rejects.toThrow(
      /CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES/,
    );
  });
});

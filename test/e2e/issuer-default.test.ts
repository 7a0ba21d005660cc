import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createVerifier, TokenCache, TokenSource } from '@tollgate/client';
import { startServer, tempDir, type RunningServer } from '../support/process.js';
import { freePort } from '../support/sdk.js';

/**
 * Issue 29, trap 1: with no ISSUER, the server names the address it listens on, so the README's
 * `createVerifier({ issuer: 'http://127.0.0.1:3000/test' })` verifies what it issues.
 */
describe('the default issuer, through a real server started without ISSUER', () => {
  const servers: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('is http://127.0.0.1:$PORT: the SDK verifies a test-mode token against it, and the log names both', async () => {
    const port = await freePort();
    const srv = await startServer({ DATABASE_PATH: join(tempDir(), 'tollgate.db'), PORT: String(port) });
    servers.push(srv);
    const issuer = `http://127.0.0.1:${port}/test`;
    // The first start made a test client and printed its credentials once.
    const id = /client_id: +(\S+)/.exec(srv.stdout())![1]!;
    const secret = /client_secret: +(\S+)/.exec(srv.stdout())![1]!;
    const token = await new TokenSource({
      tokenUrl: `${srv.url}/test/api/v1/oauth2/token`,
      clientId: id,
      clientSecret: secret,
      dialect: 'oauth2',
      cache: new TokenCache(),
    }).getToken();
    const verified = await createVerifier({ issuer, audience: issuer, mode: 'jwks' }).verify(token);
    expect(verified.client_id).toBe(id);
    const log = srv.stdout();
    expect(log).toContain(`issuers in use: http://127.0.0.1:${port} (live), ${issuer} (test mode)`);
    expect(log).not.toContain('set ISSUER');
  }, 60_000);

  it('warns at start-up, saying to set ISSUER, when HOST is not loopback and ISSUER is unset', async () => {
    const srv = await startServer({ DATABASE_PATH: join(tempDir(), 'tollgate.db'), HOST: '0.0.0.0' });
    servers.push(srv);
    const warning = srv
      .stdout()
      .split('\n')
      .find((l) => l.includes('HOST=0.0.0.0'));
    expect(warning).toBeDefined();
    expect(JSON.parse(warning!)).toMatchObject({ level: 40 });
    expect(warning).toContain('set ISSUER to the URL callers use');
  }, 60_000);
});

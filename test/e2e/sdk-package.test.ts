import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/process.js';
import { createClient, startIssuer, type IssuerServer } from '../support/sdk.js';

/**
 * @tollgate/client as a user gets it: the package the root build produced, imported by name from
 * the project root in a plain Node process (no test runner, no source aliases), with jose as its
 * only dependency.
 */

const PACKAGE = join(ROOT, 'packages/client');

describe('@tollgate/client, the built package', () => {
  let srv: IssuerServer;

  beforeAll(async () => {
    srv = await startIssuer();
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('is an ESM workspace package with types, its own README and no runtime dependency but jose', () => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ name: '@tollgate/client', type: 'module' });
    expect(Object.keys(pkg.dependencies as object)).toEqual(['jose']);
    expect(pkg.peerDependencies).toBeUndefined();
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      workspaces: string[];
      scripts: { build: string };
    };
    expect(root.workspaces).toContain('packages/*');
    expect(root.scripts.build).toContain('packages/client');
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'README.md'])
      expect(existsSync(join(PACKAGE, file)), file).toBe(true);
    // The workspace link npm install makes, which is what "import from the project root" uses.
    expect(existsSync(join(ROOT, 'node_modules/@tollgate/client/package.json'))).toBe(true);
  });

  it('imports by name from the project root and works against the server', async () => {
    const c = await createClient(srv.env, '--scope', 'read');
    const script = `
      import { TokenSource, createVerifier, TollgateError } from '@tollgate/client';
      const source = new TokenSource({ tokenUrl: process.env.ISSUER + '/api/v1/oauth2/token', clientId: process.env.CID, clientSecret: process.env.CSECRET, dialect: 'oauth2' });
      const verifier = createVerifier({ issuer: process.env.ISSUER, audience: process.env.ISSUER });
      const claims = await verifier.verify(await source.getToken(), { scope: 'read' });
      const me = await (await source.fetch(process.env.ISSUER + '/api/v1/client/me')).json();
      const bad = await new TokenSource({ tokenUrl: process.env.ISSUER + '/v1/auth/token', clientId: process.env.CID, clientSecret: 'wrong-secret-value', dialect: 'v1' }).getToken().catch((e) => e);
      console.log(JSON.stringify({ client: claims.client_id, me: me.data.id, error: bad instanceof TollgateError ? bad.code : String(bad) }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ISSUER: srv.url, CID: c.id, CSECRET: c.secret },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ client: c.id, me: c.id, error: 'invalid_client' });
  });
});

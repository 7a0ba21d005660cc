import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildYoga, type Yoga } from '../../src/http/graphql/yoga.js';
import { harness, type Harness } from '../support/harness.js';
import { ISSUE } from './support.js';

/** The yoga instance on its own, through `yoga.fetch`: the mode and address come from the server context. */
describe('yoga.fetch', () => {
  let h: Harness;
  let yoga: Yoga;
  beforeAll(async () => {
    h = await harness();
    yoga = buildYoga({ deps: h.services.deps, config: h.config }, h.app.log);
  });
  afterAll(() => h.close());

  const issue = async (
    mode: 'live' | 'test',
    input: Record<string, unknown>,
    responseHeaders: Record<string, string> = {},
  ) => {
    const res = await yoga.fetch(
      'http://localhost/graphql',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: ISSUE, variables: { input } }),
      },
      { mode, sourceIp: '192.0.2.1', mountPath: '/graphql', responseHeaders, metrics: h.app.metrics },
    );
    return (await res.json()) as { data: { issueToken: Record<string, unknown> } };
  };

  it('runs each operation in the mode the server context names', async () => {
    const t = await h.client({ mode: 'test' });
    const input = { clientId: t.id, clientSecret: t.secret };
    expect((await issue('test', input)).data.issueToken.__typename).toBe('TokenGrant');
    expect((await issue('live', input)).data.issueToken.__typename).toBe('InvalidClientError');
  });

  it('judges the allowlist on the source address the server context names', async () => {
    const c = await h.client({ allowedIps: ['192.0.2.0/24'] });
    expect((await issue('live', { clientId: c.id, clientSecret: c.secret })).data.issueToken.__typename).toBe(
      'TokenGrant',
    );
    const far = await h.client({ allowedIps: ['198.51.100.0/24'] });
    expect((await issue('live', { clientId: far.id, clientSecret: far.secret })).data.issueToken.__typename).toBe(
      'AccessDeniedError',
    );
  });
});

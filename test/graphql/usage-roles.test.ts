import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mode } from '../../src/domain/mode.js';
import { hourOf } from '../../src/domain/usage.js';
import type { Harness } from '../support/harness.js';
import {
  MODES,
  matrixHarness,
  outcome,
  principalCallers,
  type Caller,
  type Org,
  type PrincipalSpec,
} from './matrix-support.js';

/*
 * The role matrix of usage and quotas (spec §11), through the real GraphQL endpoint: who may read
 * a client's usage and its caching warning, and who may set its quota, for every organisation of
 * the client and address, checked against this table (written apart from src/domain/access.ts)
 * and against what the store holds afterwards.
 */

type Action = 'usage' | 'quota';

const PRINCIPALS: PrincipalSpec[] = [
  { name: 'admin', kind: 'operator', role: 'admin', orgId: null },
  { name: 'developer of acme', kind: 'operator', role: 'developer', orgId: 'acme' },
  { name: 'viewer of acme', kind: 'operator', role: 'viewer', orgId: 'acme' },
  { name: 'Bearer admin without organisation', kind: 'client', scopes: ['tollgate:admin'], orgId: null },
  { name: 'Bearer admin of acme', kind: 'client', scopes: ['tollgate:admin'], orgId: 'acme' },
  { name: 'Bearer without tollgate:admin', kind: 'client', scopes: ['read'], orgId: null },
];
const ORGS: Org[] = ['acme', 'globex', null];

const sees = (p: PrincipalSpec, org: Org): boolean =>
  p.kind === 'operator' ? p.role === 'admin' || p.orgId === org : p.orgId === null || p.orgId === org;

function expected(p: PrincipalSpec, action: Action, org: Org, address: Mode, target: Mode): string {
  if (p.kind === 'client' && !p.scopes!.includes('tollgate:admin')) return 'FORBIDDEN';
  const visible = address === target && sees(p, org);
  if (action === 'usage') return visible ? 'shown' : 'hidden';
  if (p.role === 'viewer') return 'FORBIDDEN';
  return visible ? 'done' : 'NOT_FOUND';
}

const USAGE = `query($id: ID!, $from: DateTime!, $to: DateTime!) {
  client(id: $id) { usage(from: $from, to: $to) { door issued failures { code count } } cachingWarning { issued } }
}`;
const QUOTA = `mutation($input: UpdateClientInput!) { updateClient(input: $input) { tokensPerMinute burst } }`;

describe('the role matrix of usage and quotas, through the real GraphQL endpoint', () => {
  let h: Harness;
  let callers: Map<string, Caller>;

  beforeAll(async () => {
    h = await matrixHarness();
    ({ callers } = await principalCallers(h, PRINCIPALS));
  });
  afterAll(() => h.close());

  async function run(p: PrincipalSpec, action: Action, org: Org, address: Mode, target: Mode): Promise<string> {
    const call = callers.get(p.name)!;
    const c = await h.client({ mode: target, orgId: org });
    const hour = hourOf(Date.now());
    await h.store.usage.add([
      { clientId: c.id, hour, door: 'oauth2', kind: 'issued', count: 4000 },
      { clientId: c.id, hour, door: 'oauth2', kind: 'invalid_client', count: 2 },
    ]);
    if (action === 'usage') {
      const from = new Date(hour - 3_600_000).toISOString();
      const to = new Date(hour + 3_600_000).toISOString();
      const r = outcome(await call(address, USAGE, { id: c.id, from, to }));
      if (r.code !== 'ok') return r.code;
      const seen = r.data!.client as { usage: unknown; cachingWarning: unknown } | null;
      if (seen === null) return 'hidden';
      expect(seen).toEqual({
        usage: [{ door: 'oauth2', issued: 4000, failures: [{ code: 'invalid_client', count: 2 }] }],
        cachingWarning: { issued: 4000 },
      });
      return 'shown';
    }
    const r = outcome(await call(address, QUOTA, { input: { id: c.id, tokensPerMinute: 120, burst: 10 } }));
    const stored = await h.store.clients.findById(c.id);
    const changed = stored?.tokensPerMinute === 120 && stored.burst === 10;
    expect(changed, `${p.name}: answer ${r.code} but changed: ${changed}`).toBe(r.code === 'ok');
    if (r.code === 'ok') expect(r.data!.updateClient).toEqual({ tokensPerMinute: 120, burst: 10 });
    return r.code === 'ok' ? 'done' : r.code;
  }

  for (const p of PRINCIPALS) {
    for (const action of ['usage', 'quota'] as const) {
      it(`${p.name}: ${action}, each organisation, address and mode`, async () => {
        const got: string[] = [];
        const want: string[] = [];
        for (const org of ORGS)
          for (const address of MODES)
            for (const target of MODES) {
              const label = `${org ?? 'no org'} (${target}) at the ${address} address`;
              got.push(`${label}: ${await run(p, action, org, address, target)}`);
              want.push(`${label}: ${expected(p, action, org, address, target)}`);
            }
        expect(got).toEqual(want);
      });
    }
  }

  it('refuses bad spans and bad quotas in the GraphQL envelope', async () => {
    const call = callers.get('admin')!;
    const c = await h.client({ mode: 'live' });
    const now = Date.now();
    const backwards = outcome(
      await call('live', USAGE, { id: c.id, from: new Date(now).toISOString(), to: new Date(now - 1).toISOString() }),
    );
    expect(backwards.code).toBe('BAD_USER_INPUT');
    const long = outcome(
      await call('live', USAGE, {
        id: c.id,
        from: new Date(now - 93 * 86_400_000).toISOString(),
        to: new Date(now).toISOString(),
      }),
    );
    expect(long.code).toBe('BAD_USER_INPUT');
    for (const input of [{ tokensPerMinute: 0 }, { tokensPerMinute: 2_000_000 }, { burst: 5 }]) {
      const r = outcome(await call('live', QUOTA, { input: { id: c.id, ...input } }));
      expect(r.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
    }
    expect((await h.store.clients.findById(c.id))?.tokensPerMinute).toBeNull();
  });
});

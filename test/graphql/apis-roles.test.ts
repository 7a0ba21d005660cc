import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mode } from '../../src/domain/mode.js';
import { createApi } from '../../src/usecases/apis/manage.js';
import type { Harness } from '../support/harness.js';
import {
  MODES,
  outcome,
  principalCallers,
  type Caller,
  type Org,
  type PrincipalSpec,
  matrixHarness,
} from './matrix-support.js';

/*
 * The role matrix of APIs and grants (spec §8), through the real GraphQL endpoint: every
 * principal × action × organisation of the client × address × mode of the API, successes and
 * refusals alike, checked against this table (written apart from src/domain/access.ts) and
 * against what the store holds afterwards.
 */

type Action = 'list' | 'read' | 'create' | 'update' | 'delete' | 'setGrant' | 'removeGrant' | 'grants';

const PRINCIPALS: PrincipalSpec[] = [
  { name: 'admin', kind: 'operator', role: 'admin', orgId: null },
  { name: 'developer of acme', kind: 'operator', role: 'developer', orgId: 'acme' },
  { name: 'viewer of acme', kind: 'operator', role: 'viewer', orgId: 'acme' },
  { name: 'Bearer admin without organisation', kind: 'client', scopes: ['tollgate:admin'], orgId: null },
  { name: 'Bearer admin of acme', kind: 'client', scopes: ['tollgate:admin'], orgId: 'acme' },
  { name: 'Bearer without tollgate:admin', kind: 'client', scopes: ['read'], orgId: null },
];
const ACTIONS: Action[] = ['list', 'read', 'create', 'update', 'delete', 'setGrant', 'removeGrant', 'grants'];
const ORGS: Org[] = ['acme', 'globex', null];

interface Cell {
  action: Action;
  /** The organisation of the client a grant is for (APIs belong to no organisation). */
  org: Org;
  address: Mode;
  /** The mode of the API (and of the client) acted on. */
  target: Mode;
}

const sees = (p: PrincipalSpec, org: Org): boolean =>
  p.kind === 'operator' ? p.role === 'admin' || p.orgId === org : p.orgId === null || p.orgId === org;
const deploymentAdmin = (p: PrincipalSpec): boolean =>
  p.kind === 'operator' ? p.role === 'admin' : p.scopes!.includes('tollgate:admin') && p.orgId === null;

function expected(p: PrincipalSpec, c: Cell): string {
  if (p.kind === 'client' && !p.scopes!.includes('tollgate:admin')) return 'FORBIDDEN';
  const sameMode = c.address === c.target;
  if (c.action === 'list' || c.action === 'read') return sameMode ? 'shown' : 'hidden';
  if (c.action === 'create') return deploymentAdmin(p) ? 'done' : 'FORBIDDEN';
  if (c.action === 'update' || c.action === 'delete') {
    if (!deploymentAdmin(p)) return 'FORBIDDEN';
    return sameMode ? 'done' : 'NOT_FOUND';
  }
  if (c.action === 'grants') return sameMode && sees(p, c.org) ? 'shown' : 'hidden';
  // setGrant, removeGrant: a change to the client.
  if (p.role === 'viewer') return 'FORBIDDEN';
  return sameMode && sees(p, c.org) ? 'done' : 'NOT_FOUND';
}

const cells = (action: Action): Cell[] =>
  (action === 'create' || action === 'list' || action === 'read' ? [null] : ORGS).flatMap((org) =>
    MODES.flatMap((address) =>
      (action === 'create' ? [address] : MODES).map((target) => ({ action, org: org as Org, address, target })),
    ),
  );

const LIST = '{ apis { identifier } }';
const READ = 'query($identifier: String!) { api(identifier: $identifier) { identifier } }';
const CREATE = 'mutation($input: CreateApiInput!) { createApi(input: $input) { identifier mode } }';
const UPDATE = 'mutation($input: UpdateApiInput!) { updateApi(input: $input) { name } }';
const DELETE = 'mutation($identifier: String!) { deleteApi(identifier: $identifier, force: true) { identifier } }';
const SET =
  'mutation($clientId: ID!, $identifier: String!) { setGrant(clientId: $clientId, identifier: $identifier, permissions: ["a"]) { permissions } }';
const REMOVE =
  'mutation($clientId: ID!, $identifier: String!) { removeGrant(clientId: $clientId, identifier: $identifier) { clientId } }';
const GRANTS = 'query($id: ID!) { client(id: $id) { grants { api { identifier } permissions } } }';

describe('the role matrix of APIs and grants, through the real GraphQL endpoint', () => {
  let h: Harness;
  let callers: Map<string, Caller>;
  let n = 0;

  beforeAll(async () => {
    h = await matrixHarness();
    ({ callers } = await principalCallers(h, PRINCIPALS));
  });
  afterAll(() => h.close());

  /** A fresh API of `mode` with permission `a`, and a client of `org` in that mode holding a grant of it. */
  async function fixture(mode: Mode, org: Org) {
    const identifier = `https://api-${++n}.example.com/`;
    await createApi(h.services.deps, {
      identifier,
      name: 'in the matrix',
      mode,
      permissions: [
        { name: 'a', description: '' },
        { name: 'b', description: '' },
      ],
    });
    const client = await h.client({ mode, orgId: org });
    const ref = { mode, identifier };
    await h.store.apis.setGrant(
      {
        clientId: client.id,
        apiId: (await h.store.apis.findApi(ref))!.id,
        permissions: ['b'],
        createdAt: 0,
        updatedAt: 0,
      },
      () => [],
    );
    return { identifier, client, ref };
  }

  async function run(p: PrincipalSpec, c: Cell): Promise<string> {
    const call = callers.get(p.name)!;
    if (c.action === 'create') {
      const identifier = `https://made-${++n}.example.com/`;
      const r = outcome(
        await call(c.address, CREATE, { input: { identifier, name: 'made', permissions: [{ name: 'a' }] } }),
      );
      const stored = await h.store.apis.findApi({ mode: c.address, identifier });
      expect(
        stored !== undefined,
        `${p.name} ${JSON.stringify(c)}: answer ${r.code}, stored ${stored !== undefined}`,
      ).toBe(r.code === 'ok');
      return r.code === 'ok' ? 'done' : r.code;
    }
    const f = await fixture(c.target, c.org);
    if (c.action === 'list') {
      const r = outcome(await call(c.address, LIST, {}));
      if (r.code !== 'ok') return r.code;
      return (r.data!.apis as Array<{ identifier: string }>).some((a) => a.identifier === f.identifier)
        ? 'shown'
        : 'hidden';
    }
    if (c.action === 'read') {
      const r = outcome(await call(c.address, READ, { identifier: f.identifier }));
      if (r.code !== 'ok') return r.code;
      return r.data!.api === null ? 'hidden' : 'shown';
    }
    if (c.action === 'grants') {
      const r = outcome(await call(c.address, GRANTS, { id: f.client.id }));
      if (r.code !== 'ok') return r.code;
      const seen = r.data!.client as { grants: Array<{ api: { identifier: string } }> } | null;
      return seen?.grants.some((g) => g.api.identifier === f.identifier) ? 'shown' : 'hidden';
    }
    const [query, variables] =
      c.action === 'update'
        ? [UPDATE, { input: { identifier: f.identifier, name: 'renamed' } }]
        : c.action === 'delete'
          ? [DELETE, { identifier: f.identifier }]
          : c.action === 'setGrant'
            ? [SET, { clientId: f.client.id, identifier: f.identifier }]
            : [REMOVE, { clientId: f.client.id, identifier: f.identifier }];
    const r = outcome(await call(c.address, query, variables));
    const api = await h.store.apis.findApi(f.ref);
    const grant = await h.store.apis.target(f.client.id, f.ref);
    const changed =
      c.action === 'update'
        ? api?.name === 'renamed'
        : c.action === 'delete'
          ? api === undefined
          : c.action === 'setGrant'
            ? grant?.grant.permissions[0] === 'a'
            : grant === undefined;
    expect(changed, `${p.name} ${JSON.stringify(c)}: answer ${r.code} but changed: ${changed}`).toBe(r.code === 'ok');
    return r.code === 'ok' ? 'done' : r.code;
  }

  for (const p of PRINCIPALS) {
    describe(p.name, () => {
      for (const action of ACTIONS) {
        it(`${action}: each organisation, address and mode`, async () => {
          const got: string[] = [];
          const want: string[] = [];
          for (const c of cells(action)) {
            const label = `${c.org ?? 'no org'} (${c.target}) at the ${c.address} address`;
            got.push(`${label}: ${await run(p, c)}`);
            want.push(`${label}: ${expected(p, c)}`);
          }
          expect(got).toEqual(want);
        });
      }
    });
  }
});

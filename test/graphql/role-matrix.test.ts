import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mode } from '../../src/domain/mode.js';
import { basicAuth } from '../contract/drivers/oauth2.js';
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
import { tokenFor } from './support.js';

/*
 * The role matrix (issue 26), through the real GraphQL endpoint (and the oauth2 introspection
 * endpoint for `introspect`): every principal × action × organisation of the target × address ×
 * mode of the target, each cell checked against the outcome this table expects, successes and
 * refusals alike. The expectations are written out here, apart from src/domain/access.ts, so a
 * change of a rule there fails a cell here.
 */

type Action = 'create' | 'update' | 'rotate' | 'disable' | 'list' | 'read' | 'introspect';

const PRINCIPALS: PrincipalSpec[] = [
  { name: 'admin', kind: 'operator', role: 'admin', orgId: null },
  { name: 'developer of acme', kind: 'operator', role: 'developer', orgId: 'acme' },
  { name: 'viewer of acme', kind: 'operator', role: 'viewer', orgId: 'acme' },
  { name: 'Bearer admin without organisation', kind: 'client', scopes: ['tollgate:admin'], orgId: null },
  { name: 'Bearer admin of acme', kind: 'client', scopes: ['tollgate:admin'], orgId: 'acme' },
  { name: 'Bearer introspect without organisation', kind: 'client', scopes: ['tollgate:introspect'], orgId: null },
  { name: 'Bearer introspect of acme', kind: 'client', scopes: ['tollgate:introspect'], orgId: 'acme' },
];
const ACTIONS: Action[] = ['create', 'update', 'rotate', 'disable', 'list', 'read', 'introspect'];
const ORGS: Org[] = ['acme', 'globex', null];

interface Cell {
  action: Action;
  /** The target client's organisation (for create: the orgId asked for). */
  org: Org;
  address: Mode;
  /** The target client's mode (create makes one in the address's mode). */
  target: Mode;
}

/** Whom a principal administers: every client, or one organisation's. */
const sees = (p: PrincipalSpec, org: Org): boolean => {
  if (p.kind === 'operator') return p.role === 'admin' || p.orgId === org;
  return p.orgId === null || p.orgId === org;
};
const isAdminToken = (p: PrincipalSpec): boolean => p.kind === 'client' && p.scopes!.includes('tollgate:admin');

/** What the contract says each cell answers. */
function expected(p: PrincipalSpec, c: Cell): string {
  const sameMode = c.address === c.target;
  if (c.action === 'introspect') {
    if (p.kind === 'operator') return 'invalid_client';
    if (!sameMode) return 'inactive';
    return p.scopes!.includes('tollgate:introspect') && sees(p, c.org) ? 'active' : 'inactive';
  }
  if (p.kind === 'client' && !isAdminToken(p)) return 'FORBIDDEN';
  if (c.action === 'create') {
    if (p.role === 'viewer') return 'FORBIDDEN';
    const deploymentWide = p.kind === 'operator' ? p.role === 'admin' : p.orgId === null;
    if (deploymentWide) return `created:${c.org}`;
    return c.org === null || c.org === p.orgId ? `created:${p.orgId}` : 'FORBIDDEN';
  }
  const visible = sameMode && sees(p, c.org);
  if (c.action === 'list' || c.action === 'read') return visible ? 'shown' : 'hidden';
  if (p.role === 'viewer') return 'FORBIDDEN';
  return visible ? 'done' : 'NOT_FOUND';
}

const cells = (action: Action): Cell[] =>
  ORGS.flatMap((org) =>
    MODES.flatMap((address) =>
      (action === 'create' ? [address] : MODES).map((target) => ({ action, org, address, target })),
    ),
  );

const LIST = 'query($search: String) { clients(first: 100, search: $search) { edges { node { id } } } }';
const READ = 'query($id: ID!) { client(id: $id) { id graceEndsAt } }';
const CREATE = 'mutation($input: CreateClientInput!) { createClient(input: $input) { client { id orgId mode } } }';
const UPDATE = 'mutation($input: UpdateClientInput!) { updateClient(input: $input) { id name } }';
const ROTATE = 'mutation($id: ID!) { rotateClientSecret(clientId: $id) { clientId generation } }';
const DISABLE = 'mutation($id: ID!) { disableClient(id: $id) { id enabled } }';

describe('the role matrix, through the real GraphQL endpoint', () => {
  let h: Harness;
  /** Per principal: how to call GraphQL at an address; its clients' credentials by `name/mode`. */
  let callers: Map<string, Caller>;
  let creds: Map<string, { id: string; secret: string }>;

  beforeAll(async () => {
    h = await matrixHarness();
    ({ callers, creds } = await principalCallers(h, PRINCIPALS));
  });
  afterAll(() => h.close());

  /** A fresh client to act on, so no cell depends on another. */
  const target = (org: Org, mode: Mode) => h.client({ name: `target of ${org ?? 'no org'}`, mode, orgId: org });

  async function run(p: PrincipalSpec, c: Cell): Promise<string> {
    const call = callers.get(p.name)!;
    if (c.action === 'create') {
      const r = outcome(
        await call(c.address, CREATE, {
          input: { name: 'made in the matrix', ...(c.org === null ? {} : { orgId: c.org }) },
        }),
      );
      if (r.code !== 'ok') return r.code;
      const made = (r.data!.createClient as { client: { orgId: string | null; mode: string } }).client;
      expect(made.mode).toBe(c.address.toUpperCase());
      return `created:${made.orgId}`;
    }
    const t = await target(c.org, c.target);
    if (c.action === 'introspect') {
      const token = await tokenFor(h, t);
      const me = creds.get(`${p.name}/${c.address}`);
      const res = await h.app.inject({
        method: 'POST',
        url: `${c.address === 'test' ? '/test' : ''}/api/v1/oauth2/introspect`,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(me ? { authorization: basicAuth(me.id, me.secret) } : {}),
        },
        payload: new URLSearchParams({ token }).toString(),
      });
      if (res.statusCode !== 200) return res.json().error;
      return res.json().active ? 'active' : 'inactive';
    }
    if (c.action === 'list') {
      const r = outcome(await call(c.address, LIST, { search: t.id }));
      if (r.code !== 'ok') return r.code;
      const ids = (r.data!.clients as { edges: Array<{ node: { id: string } }> }).edges.map((e) => e.node.id);
      return ids.includes(t.id) ? 'shown' : 'hidden';
    }
    if (c.action === 'read') {
      const r = outcome(await call(c.address, READ, { id: t.id }));
      if (r.code !== 'ok') return r.code;
      return (r.data!.client as { id: string } | null)?.id === t.id ? 'shown' : 'hidden';
    }
    const [query, variables] =
      c.action === 'update'
        ? [UPDATE, { input: { id: t.id, name: 'renamed in the matrix' } }]
        : c.action === 'rotate'
          ? [ROTATE, { id: t.id }]
          : [DISABLE, { id: t.id }];
    const r = outcome(await call(c.address, query, variables));
    // What the store holds afterwards agrees with the answer: a refusal changed nothing.
    const after = (await h.store.clients.findById(t.id))!;
    const changed = after.name === 'renamed in the matrix' || after.secretGeneration !== 1 || !after.enabled;
    expect(changed, `${p.name} ${JSON.stringify(c)}: answer ${r.code} but the row changed: ${changed}`).toBe(
      r.code === 'ok',
    );
    return r.code === 'ok' ? 'done' : r.code;
  }

  for (const p of PRINCIPALS) {
    describe(p.name, () => {
      for (const action of ACTIONS) {
        it(`${action}: each organisation, address and mode of the target`, async () => {
          const got: string[] = [];
          const want: string[] = [];
          for (const c of cells(action)) {
            const label = `${c.org ?? 'no org'} target (${c.target}) at the ${c.address} address`;
            got.push(`${label}: ${await run(p, c)}`);
            want.push(`${label}: ${expected(p, c)}`);
          }
          expect(got).toEqual(want);
        });
      }
    });
  }
});

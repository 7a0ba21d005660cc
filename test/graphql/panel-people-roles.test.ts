import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mode } from '../../src/domain/mode.js';
import type { Harness } from '../support/harness.js';
import {
  MODES,
  outcome,
  principalCallers,
  type Caller,
  type Org,
  type PrincipalSpec,
  matrixHarness,
  recordedActor,
} from './matrix-support.js';
import { makeOperator, panel, PASSWORD, signedIn } from './panel-support.js';
import { gql, tokenFor } from './support.js';

/*
 * The rest of what the CLI does for people, in GraphQL for the panel (issue 29, item 11):
 * `users disable`, `users reset` and `clients delete`, each for every principal × address (× the
 * deleted client's organisation and mode), successes and refusals alike, checked against this
 * table (written apart from src/domain/access.ts) and against what the store and the audit hold.
 */

type Action = 'disableOperator' | 'resetOperator' | 'deleteClient';

const PRINCIPALS: PrincipalSpec[] = [
  { name: 'admin', kind: 'operator', role: 'admin', orgId: null },
  { name: 'developer of acme', kind: 'operator', role: 'developer', orgId: 'acme' },
  { name: 'developer of globex', kind: 'operator', role: 'developer', orgId: 'globex' },
  { name: 'viewer of acme', kind: 'operator', role: 'viewer', orgId: 'acme' },
  { name: 'Bearer admin without organisation', kind: 'client', scopes: ['tollgate:admin'], orgId: null },
  { name: 'Bearer admin of acme', kind: 'client', scopes: ['tollgate:admin'], orgId: 'acme' },
  { name: 'Bearer without tollgate:admin', kind: 'client', scopes: ['read'], orgId: null },
];
const NO_SESSION = 'no session';
const ACTIONS: Action[] = ['disableOperator', 'resetOperator', 'deleteClient'];
const ORGS: Org[] = ['acme', 'globex', null];

interface Cell {
  action: Action;
  address: Mode;
  /** The deleted client's mode and organisation (the address's mode, and none, for the operator actions). */
  target: Mode;
  org: Org;
}

const spec = (name: string): PrincipalSpec | undefined => PRINCIPALS.find((p) => p.name === name);

function expected(name: string, c: Cell): string {
  const p = spec(name);
  if (p === undefined) return 'UNAUTHENTICATED';
  if (c.action !== 'deleteClient') return p.kind === 'operator' && p.role === 'admin' ? 'done' : 'FORBIDDEN';
  if (p.kind === 'client' && !p.scopes!.includes('tollgate:admin')) return 'FORBIDDEN';
  if (p.role === 'viewer') return 'FORBIDDEN';
  const sees = p.kind === 'operator' ? p.role === 'admin' || p.orgId === c.org : p.orgId === null || p.orgId === c.org;
  return c.address === c.target && sees ? 'done' : 'NOT_FOUND';
}

const cells = (action: Action): Cell[] =>
  action === 'deleteClient'
    ? ORGS.flatMap((org) => MODES.flatMap((address) => MODES.map((target) => ({ action, address, target, org }))))
    : MODES.map((address) => ({ action, address, target: address, org: null }));

const DISABLE = 'mutation($email: String!) { disableOperator(email: $email) { email role orgId enabled } }';
const RESET =
  'mutation($email: String!) { resetOperator(email: $email) { setupUrl expiresAt ' +
  'operator { email enabled totpEnabled } } }';
const DELETE = 'mutation($id: ID!) { deleteClient(id: $id) { id name mode orgId } }';
const ME = '{ me { operator { email } } }';
const SETUP = 'mutation($input: CompleteSetupInput!) { completeSetup(input: $input) { email } }';

describe('the role matrix of disabling and resetting operators and deleting clients, through GraphQL', () => {
  let h: Harness;
  let callers: Map<string, Caller>;
  let n = 0;

  beforeAll(async () => {
    h = await matrixHarness();
    ({ callers } = await principalCallers(h, PRINCIPALS));
    callers.set(NO_SESSION, (address, q, v) => panel(h, q, v, { mode: address }));
  });
  afterAll(() => h.close());

  const lastAudit = async () => (await h.services.deps.audit.list({ limit: 1 }))[0];
  const auditCount = async () => (await h.services.deps.audit.list({ limit: 1000 })).length;
  const whoAmI = async (cookie: string) => (await panel(h, ME, {}, { cookie })).json().data.me;

  const actorOf = (name: string): string => recordedActor(spec(name)!);

  async function run(name: string, c: Cell): Promise<string> {
    const call = callers.get(name)!;
    const label = `${name} ${JSON.stringify(c)}`;
    if (c.action === 'deleteClient') {
      const made = await h.client({ name: `doomed ${++n}`, mode: c.target, orgId: c.org });
      const rows = await auditCount();
      const r = outcome(await call(c.address, DELETE, { id: made.id }));
      const stored = await h.store.clients.findById(made.id);
      expect(stored === undefined, `${label}: answer ${r.code}, deleted ${stored === undefined}`).toBe(r.code === 'ok');
      if (r.code !== 'ok') {
        expect(await auditCount(), label).toBe(rows);
        return r.code;
      }
      expect(r.data!.deleteClient).toEqual({
        id: made.id,
        name: `doomed ${n}`,
        mode: c.target.toUpperCase(),
        orgId: c.org,
      });
      const row = (await lastAudit())!;
      expect([row.action, row.clientId, row.detail.name]).toEqual(['client.deleted', made.id, `doomed ${n}`]);
      expect(row.actor.startsWith(actorOf(name))).toBe(true);
      return 'done';
    }
    // An operator of their own, signed in, so the matrix's sessions live on.
    const email = `target-${++n}@example.test`;
    await makeOperator(h, email, 'developer', 'acme');
    const cookie = await signedIn(h, email);
    const before = (await h.store.operators.findByEmail(email))!;
    const rows = await auditCount();
    const r = outcome(await call(c.address, c.action === 'disableOperator' ? DISABLE : RESET, { email }));
    const after = (await h.store.operators.findByEmail(email))!;
    if (r.code !== 'ok') {
      expect(after, label).toEqual(before);
      expect(await whoAmI(cookie), `${label}: the session lives on`).toEqual({ operator: { email } });
      expect(await auditCount(), label).toBe(rows);
      return r.code;
    }
    // Either way every session of theirs has ended.
    expect(await whoAmI(cookie), label).toBeNull();
    const row = (await lastAudit())!;
    if (c.action === 'disableOperator') {
      expect(r.data!.disableOperator).toEqual({ email, role: 'DEVELOPER', orgId: 'acme', enabled: false });
      expect(after.enabled).toBe(false);
      expect([row.action, row.actor, row.detail]).toEqual(['operator.disabled', actorOf(name), { operator: email }]);
      return 'done';
    }
    const reset = r.data!.resetOperator as { setupUrl: string; operator: unknown };
    expect(reset.operator).toEqual({ email, enabled: true, totpEnabled: false });
    expect(reset.setupUrl).toMatch(/^http:\/\/tollgate\.test\/panel\/setup#token=[A-Za-z0-9_-]{43}$/);
    expect([after.passwordHash, after.totpEnabled, after.recoveryCodeHashes]).toEqual([null, false, []]);
    expect([row.action, row.actor, row.detail]).toEqual(['operator.reset', actorOf(name), { operator: email }]);
    return 'done';
  }

  for (const name of [...PRINCIPALS.map((p) => p.name), NO_SESSION]) {
    describe(name, () => {
      for (const action of ACTIONS) {
        it(`${action}: each address${action === 'deleteClient' ? ', organisation and mode of the client' : ''}`, async () => {
          const got: string[] = [];
          const want: string[] = [];
          for (const c of cells(action)) {
            const where = `${c.org ?? 'no'}-org ${c.target} target at the ${c.address} address`;
            got.push(`${where}: ${await run(name, c)}`);
            want.push(`${where}: ${expected(name, c)}`);
          }
          expect(got).toEqual(want);
        });
      }
    });
  }

  it('refuses an admin disabling or resetting themself, as bad input, and changes nothing', async () => {
    const email = 'lone-admin@example.test';
    await makeOperator(h, email, 'admin');
    const cookie = await signedIn(h, email);
    const before = (await h.store.operators.findByEmail(email))!;
    for (const query of [DISABLE, RESET]) {
      // However they spell it.
      const res = await panel(h, query, { email: ' Lone-Admin@Example.TEST ' }, { cookie });
      const err = res.json().errors[0];
      expect(err.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
      expect(err.message).toContain('your own');
    }
    expect(await h.store.operators.findByEmail(email)).toEqual(before);
    expect(await whoAmI(cookie)).toEqual({ operator: { email } });
  });

  it('answers an unknown operator or client as not found, and a bad email as bad input', async () => {
    const admin = callers.get('admin')!;
    for (const query of [DISABLE, RESET]) {
      expect(outcome(await admin('live', query, { email: 'nobody@example.test' })).code).toBe('NOT_FOUND');
      const bad = (await admin('live', query, { email: 'not an email' })).json().errors[0];
      expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    }
    expect(outcome(await admin('live', DELETE, { id: 'cl_live_nosuchclient' })).code).toBe('NOT_FOUND');
  });

  it('keeps a disabled operator out, and lets a reset one back in once through the new link', async () => {
    const admin = callers.get('admin')!;
    const kept = 'kept-out@example.test';
    await makeOperator(h, kept, 'viewer');
    expect(outcome(await admin('live', DISABLE, { email: kept })).code).toBe('ok');
    const signIn = await panel(h, 'mutation($input: SignInInput!) { signIn(input: $input) { totpRequired } }', {
      input: { email: kept, password: PASSWORD },
    });
    expect(signIn.json().errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const lost = 'lost-password@example.test';
    await makeOperator(h, lost, 'viewer');
    const reset = (await admin('test', RESET, { email: lost })).json().data.resetOperator as { setupUrl: string };
    const token = reset.setupUrl.split('#token=')[1]!;
    const done = await panel(h, SETUP, { input: { token, password: `new ${PASSWORD}` } });
    expect(done.json()).toEqual({ data: { completeSetup: { email: lost } } });
    const again = await panel(h, SETUP, { input: { token, password: `other ${PASSWORD}` } });
    expect(again.json().errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('kills a deleted client’s tokens at once', async () => {
    const c = await h.client({ name: 'short-lived', mode: 'live', scopes: ['tollgate:admin'] });
    const token = await tokenFor(h, c);
    const viewer = '{ viewer { id } }';
    expect((await gql(h, viewer, {}, { token })).json().data.viewer).toEqual({ id: c.id });
    expect(outcome(await callers.get('admin')!('live', DELETE, { id: c.id })).code).toBe('ok');
    const after = (await gql(h, viewer, {}, { token })).json();
    expect(after.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});

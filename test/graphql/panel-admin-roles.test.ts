import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mode } from '../../src/domain/mode.js';
import { rotateSigningKey } from '../../src/usecases/manage-keys.js';
import type { Harness } from '../support/harness.js';
import {
  MODES,
  outcome,
  principalCallers,
  type Caller,
  type PrincipalSpec,
  matrixHarness,
  recordedActor,
} from './matrix-support.js';
import { makeOperator, panel, PASSWORD, signedIn } from './panel-support.js';

/*
 * The role matrix of what the CLI does for people, now in GraphQL for the panel (issue 29, item
 * 11): signing-key rotation and retirement, inviting an operator, and changing one's password,
 * each for every principal × address (× mode of the key), successes and refusals alike, checked
 * against this table (written apart from src/domain/access.ts) and against what the store holds.
 */

type Action = 'rotateKey' | 'retireKey' | 'invite' | 'changePassword';

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
const ACTIONS: Action[] = ['rotateKey', 'retireKey', 'invite', 'changePassword'];

interface Cell {
  action: Action;
  address: Mode;
  /** The mode of the key retired (the address's for the other actions). */
  target: Mode;
}

const spec = (name: string): PrincipalSpec | undefined => PRINCIPALS.find((p) => p.name === name);

function expected(name: string, c: Cell): string {
  const p = spec(name);
  if (p === undefined) return 'UNAUTHENTICATED';
  if (c.action === 'changePassword') return p.kind === 'operator' ? 'done' : 'UNAUTHENTICATED';
  if (c.action === 'invite') return p.kind === 'operator' && p.role === 'admin' ? 'done' : 'FORBIDDEN';
  const deploymentAdmin =
    p.kind === 'operator' ? p.role === 'admin' : p.scopes!.includes('tollgate:admin') && p.orgId === null;
  if (!deploymentAdmin) return 'FORBIDDEN';
  return c.address === c.target ? 'done' : 'NOT_FOUND';
}

const cells = (action: Action): Cell[] =>
  MODES.flatMap((address) =>
    (action === 'retireKey' ? MODES : [address]).map((target) => ({ action, address, target })),
  );

const ROTATE = 'mutation { rotateSigningKey { kid mode current retirement { signedFrom } } }';
const RETIRE =
  'mutation($kid: ID!) { retireSigningKey(kid: $kid) { kid mode current ' +
  'retirement { replacedBy signedFrom signedUntil expiringTokensVerifiableUntil commonTokensNeverExpire } } }';
const INVITE =
  'mutation($input: InviteOperatorInput!) { inviteOperator(input: $input) { setupUrl expiresAt ' +
  'operator { email role orgId enabled totpEnabled } } }';
const CHANGE = 'mutation($input: ChangePasswordInput!) { changePassword(input: $input) }';
const ME = '{ me { operator { email } } }';

describe('the role matrix of keys, invitations and password changes, through the real GraphQL endpoint', () => {
  let h: Harness;
  let callers: Map<string, Caller>;
  let n = 0;

  beforeAll(async () => {
    h = await matrixHarness();
    ({ callers } = await principalCallers(h, PRINCIPALS));
    callers.set(NO_SESSION, (address, q, v) => panel(h, q, v, { mode: address }));
  });
  afterAll(() => h.close());

  const current = async (mode: Mode) => (await h.services.deps.keys.publicKeys(mode)).find((k) => k.current)!;
  const lastAudit = async () => (await h.services.deps.audit.list({ limit: 1 }))[0];

  /** The actor an answered change must be recorded under. */
  const actorOf = (name: string): string => recordedActor(spec(name)!);

  async function run(name: string, c: Cell): Promise<string> {
    const call = callers.get(name)!;
    const label = `${name} ${JSON.stringify(c)}`;
    if (c.action === 'rotateKey') {
      const before = await current(c.address);
      const r = outcome(await call(c.address, ROTATE, {}));
      const after = await current(c.address);
      expect(after.kid !== before.kid, `${label}: answer ${r.code}, new key ${after.kid !== before.kid}`).toBe(
        r.code === 'ok',
      );
      if (r.code !== 'ok') return r.code;
      expect(r.data!.rotateSigningKey).toEqual({
        kid: after.kid,
        mode: c.address.toUpperCase(),
        current: true,
        retirement: null,
      });
      // The old key is still published: every token it signed stays good.
      expect((await h.services.deps.keys.publicKeys(c.address)).some((k) => k.kid === before.kid)).toBe(true);
      const row = (await lastAudit())!;
      expect([row.action, row.detail.kid, row.detail.replaced]).toEqual(['key.rotated', after.kid, before.kid]);
      expect(row.actor.startsWith(actorOf(name))).toBe(true);
      return 'done';
    }
    if (c.action === 'retireKey') {
      // Two rotations: the key retired is neither current nor the one the callers' tokens carry.
      const doomed = await rotateSigningKey(h.services.deps, c.target);
      const successor = await rotateSigningKey(h.services.deps, c.target);
      const r = outcome(await call(c.address, RETIRE, { kid: doomed.kid }));
      const gone = !(await h.services.deps.keys.publicKeys()).some((k) => k.kid === doomed.kid);
      expect(gone, `${label}: answer ${r.code}, retired ${gone}`).toBe(r.code === 'ok');
      if (r.code !== 'ok') return r.code;
      const answer = r.data!.retireSigningKey as Record<string, unknown>;
      expect(answer).toMatchObject({ kid: doomed.kid, mode: c.target.toUpperCase(), current: false });
      expect(answer.retirement).toEqual({
        replacedBy: successor.kid,
        signedFrom: new Date(doomed.createdAt).toISOString(),
        signedUntil: new Date(successor.createdAt).toISOString(),
        expiringTokensVerifiableUntil: new Date(
          successor.createdAt +
            Math.max(h.config.ttl.v1, h.config.ttl.v2, h.config.ttl.graphql, h.config.ttl.oauth2Access) * 1000,
        ).toISOString(),
        commonTokensNeverExpire: true,
      });
      const row = (await lastAudit())!;
      expect([row.action, row.detail.kid]).toEqual(['key.retired', doomed.kid]);
      expect(row.actor.startsWith(actorOf(name))).toBe(true);
      return 'done';
    }
    if (c.action === 'invite') {
      const email = `invited-${++n}@example.test`;
      const r = outcome(await call(c.address, INVITE, { input: { email, role: 'DEVELOPER', orgId: 'acme' } }));
      const stored = await h.store.operators.findByEmail(email);
      expect(stored !== undefined, `${label}: answer ${r.code}, stored ${stored !== undefined}`).toBe(r.code === 'ok');
      if (r.code !== 'ok') return r.code;
      const invite = r.data!.inviteOperator as { setupUrl: string; expiresAt: string; operator: unknown };
      expect(invite.operator).toEqual({ email, role: 'DEVELOPER', orgId: 'acme', enabled: true, totpEnabled: false });
      // Built from the live issuer, as `tollgate users create` builds it, whatever address was called.
      expect(invite.setupUrl).toMatch(/^http:\/\/tollgate\.test\/panel\/setup#token=[A-Za-z0-9_-]{43}$/);
      expect(stored!.passwordHash).toBeNull();
      const row = (await lastAudit())!;
      expect([row.action, row.actor, row.detail]).toEqual([
        'operator.created',
        actorOf(name),
        { operator: email, role: 'developer', orgId: 'acme' },
      ]);
      return 'done';
    }
    // changePassword: an operator of its own, so the matrix's sessions live on.
    const p = spec(name);
    const email = `changer-${++n}@example.test`;
    let caller = call;
    if (p?.kind === 'operator') {
      await makeOperator(h, email, p.role!, p.orgId);
      const cookie = await signedIn(h, email);
      caller = (address, q, v) => panel(h, q, v, { cookie, mode: address });
    }
    const r = outcome(
      await caller(c.address, CHANGE, { input: { currentPassword: PASSWORD, newPassword: `new ${PASSWORD}` } }),
    );
    if (p?.kind !== 'operator') return r.code;
    const op = (await h.store.operators.findByEmail(email))!;
    const row = (await lastAudit())!;
    const changed = row.action === 'operator.password_changed' && row.detail.operator === email;
    expect(changed, `${label}: answer ${r.code}, changed ${changed}`).toBe(r.code === 'ok');
    expect(op.passwordHash).not.toBeNull();
    return r.code === 'ok' ? 'done' : r.code;
  }

  for (const name of [...PRINCIPALS.map((p) => p.name), NO_SESSION]) {
    describe(name, () => {
      for (const action of ACTIONS) {
        it(`${action}: each address${action === 'retireKey' ? ' and mode of the key' : ''}`, async () => {
          const got: string[] = [];
          const want: string[] = [];
          for (const c of cells(action)) {
            const where = `${c.target} key at the ${c.address} address`;
            got.push(`${where}: ${await run(name, c)}`);
            want.push(`${where}: ${expected(name, c)}`);
          }
          expect(got).toEqual(want);
        });
      }
    });
  }

  it('takes a session only from the panel itself: a cross-site rotation or invitation changes nothing', async () => {
    const email = 'csrf-admin@example.test';
    await makeOperator(h, email, 'admin');
    const cookie = await signedIn(h, email);
    const forged = (query: string, variables: Record<string, unknown>, headers: Record<string, string>) =>
      h.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', host: 'tollgate.test', cookie, ...headers },
        payload: JSON.stringify({ query, variables }),
      });
    const before = await current('live');
    const tries: Array<Record<string, string>> = [
      { origin: 'http://tollgate.test' },
      { origin: 'https://evil.example', 'x-tollgate-csrf': '1' },
    ];
    for (const headers of tries) {
      expect(outcome(await forged(ROTATE, {}, headers)).code).toBe('FORBIDDEN');
      const input = { email: 'forged@example.test', role: 'ADMIN' };
      expect(outcome(await forged(INVITE, { input }, headers)).code).toBe('FORBIDDEN');
    }
    expect((await current('live')).kid).toBe(before.kid);
    expect(await h.store.operators.findByEmail('forged@example.test')).toBeUndefined();
  });

  it('refuses to retire the current key, saying how, and changes nothing', async () => {
    const key = await current('live');
    const res = await callers.get('admin')!('live', RETIRE, { kid: key.kid });
    const err = res.json().errors[0];
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    expect(err.message).toContain('tollgate keys rotate --mode live');
    expect((await current('live')).kid).toBe(key.kid);
    const unknown = await callers.get('admin')!('live', RETIRE, { kid: 'no-such-kid' });
    expect(unknown.json().errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('lists each retired key with what retiring it would end, and null for the current ones', async () => {
    const res = await callers.get('admin')!('live', '{ signingKeys { kid current retirement { replacedBy } } }', {});
    const keys = res.json().data.signingKeys as Array<{ current: boolean; retirement: unknown }>;
    expect(keys.some((k) => !k.current)).toBe(true);
    for (const k of keys) expect(k.retirement === null).toBe(k.current);
  });

  it('answers an invitation with a link that sets the password once', async () => {
    const email = 'linked@example.test';
    const r = await callers.get('admin')!('test', INVITE, { input: { email, role: 'VIEWER' } });
    const { setupUrl, expiresAt } = r.json().data.inviteOperator as { setupUrl: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    const token = setupUrl.split('#token=')[1]!;
    const SETUP = 'mutation($input: CompleteSetupInput!) { completeSetup(input: $input) { email } }';
    const done = await panel(h, SETUP, { input: { token, password: PASSWORD } });
    expect(done.json()).toEqual({ data: { completeSetup: { email } } });
    expect((await panel(h, ME, {}, { cookie: await signedIn(h, email) })).json().data.me.operator.email).toBe(email);
    const again = await panel(h, SETUP, { input: { token, password: PASSWORD } });
    expect(again.json().errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a developer invitation without an organisation, and a taken email, as bad input', async () => {
    const admin = callers.get('admin')!;
    const noOrg = await admin('live', INVITE, { input: { email: 'orgless@example.test', role: 'DEVELOPER' } });
    expect(noOrg.json().errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'orgId' });
    const taken = await admin('live', INVITE, { input: { email: 'admin@deployment.example', role: 'VIEWER' } });
    expect(taken.json().errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
  });
});

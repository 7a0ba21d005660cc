import type { Response } from 'light-my-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';
import { makeOperator, panel, signedIn } from './panel-support.js';
import { gql, tokenFor } from './support.js';

/*
 * Tollgate's own scopes (`tollgate:*`) are powers: only a deployment admin (an admin operator,
 * the CLI, an admin token of a client without an organisation) may grant them (issue 26).
 */

const CREATE = 'mutation($input: CreateClientInput!) { createClient(input: $input) { client { id scopes orgId } } }';
const UPDATE = 'mutation($input: UpdateClientInput!) { updateClient(input: $input) { id name scopes } }';
const TRAIL = 'query($id: ID!) { client(id: $id) { auditTrail { action actor detail } } }';

type Call = (query: string, variables: Record<string, unknown>) => Promise<Response>;

/** `ok` with the data, or the one error's code and message. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
// biome-ignore lint/suspicious/noExplicitAny: the answers' data is read field by field, as each test's query shapes it
function answer(res: Response): { code: string; message?: string; data?: any } {
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  if (body.errors) return { code: body.errors[0].extensions.code, message: body.errors[0].message };
  return { code: 'ok', data: body.data };
}

describe('reserved scopes', () => {
  let h: Harness;
  const callers: Record<string, Call> = {};
  beforeAll(async () => {
    h = await harness();
    await makeOperator(h, 'admin@example.com', 'admin');
    await makeOperator(h, 'dev@acme.example', 'developer', 'acme');
    const adminCookie = await signedIn(h, 'admin@example.com');
    const devCookie = await signedIn(h, 'dev@acme.example');
    callers.admin = (q, v) => panel(h, q, v, { cookie: adminCookie });
    callers.developer = (q, v) => panel(h, q, v, { cookie: devCookie });
    for (const [name, orgId] of [
      ['bearer admin without organisation', null],
      ['bearer admin of acme', 'acme'],
    ] as const) {
      const token = await tokenFor(h, await h.client({ name, scopes: ['tollgate:admin'], orgId }));
      callers[name] = (q, v) => gql(h, q, v, { token });
    }
  });
  afterAll(() => h.close());

  const DEPLOYMENT_ADMINS = ['admin', 'bearer admin without organisation'];
  const OTHERS = ['developer', 'bearer admin of acme'];

  it('lets deployment admins create a client holding them, and refuses everyone else, naming the scope', async () => {
    for (const who of DEPLOYMENT_ADMINS) {
      const r = answer(
        await callers[who]!(CREATE, {
          input: { name: 'auditor', scopes: ['read', 'tollgate:introspect'], orgId: 'acme' },
        }),
      );
      expect(r.code, who).toBe('ok');
      expect(r.data.createClient.client).toMatchObject({ scopes: ['read', 'tollgate:introspect'], orgId: 'acme' });
    }
    for (const who of OTHERS) {
      for (const scope of ['tollgate:admin', 'tollgate:introspect', 'tollgate:anything-added-later']) {
        const r = answer(await callers[who]!(CREATE, { input: { name: 'escalate', scopes: ['read', scope] } }));
        expect(r, `${who} ${scope}`).toEqual({
          code: 'FORBIDDEN',
          message: `Only a deployment admin may grant the reserved scope ${scope}`,
        });
      }
    }
    // Nothing was made by the refused attempts.
    const names = (await h.store.clients.list({ limit: 100 })).map((c) => c.name);
    expect(names.filter((n) => n === 'escalate')).toEqual([]);
  });

  it('refuses adding one on update to everyone but deployment admins, and changes nothing then', async () => {
    for (const who of [...OTHERS, ...DEPLOYMENT_ADMINS]) {
      const c = await h.client({ name: 'plain', scopes: ['read'], orgId: 'acme' });
      const r = answer(
        await callers[who]!(UPDATE, { input: { id: c.id, name: 'renamed', scopes: ['read', 'tollgate:admin'] } }),
      );
      const row = (await h.store.clients.findById(c.id))!;
      if (DEPLOYMENT_ADMINS.includes(who)) {
        expect(r.code, who).toBe('ok');
        expect(row.scopes).toEqual(['read', 'tollgate:admin']);
      } else {
        expect(r, who).toEqual({
          code: 'FORBIDDEN',
          message: 'Only a deployment admin may grant the reserved scope tollgate:admin',
        });
        // The whole update was refused: the name stays too.
        expect([row.name, row.scopes]).toEqual(['plain', ['read']]);
      }
    }
  });

  it('lets a developer keep a reserved scope its client holds, or remove it, but change its scopes no other way', async () => {
    for (const who of OTHERS) {
      const c = await h.client({ name: 'holder', scopes: ['read', 'tollgate:admin'], orgId: 'acme' });
      // Other fields change freely: the scopes are not touched.
      expect(answer(await callers[who]!(UPDATE, { input: { id: c.id, name: 'holder renamed' } })).code, who).toBe('ok');
      // Re-sending the same scopes changes nothing and is allowed.
      expect(
        answer(await callers[who]!(UPDATE, { input: { id: c.id, scopes: ['read', 'tollgate:admin'] } })).code,
        who,
      ).toBe('ok');
      // Adding a scope while the reserved one stays is refused.
      const added = answer(
        await callers[who]!(UPDATE, { input: { id: c.id, scopes: ['read', 'write', 'tollgate:admin'] } }),
      );
      expect(added, who).toEqual({
        code: 'FORBIDDEN',
        message:
          'The client holds the reserved scope tollgate:admin: only a deployment admin may change its scopes, except to remove entries',
      });
      // Trading the reserved scope for another is refused too.
      expect(answer(await callers[who]!(UPDATE, { input: { id: c.id, scopes: ['write'] } })).code, who).toBe(
        'FORBIDDEN',
      );
      expect((await h.store.clients.findById(c.id))!.scopes).toEqual(['read', 'tollgate:admin']);
      // Removing it is allowed; afterwards the scopes are ordinary ones again.
      expect(answer(await callers[who]!(UPDATE, { input: { id: c.id, scopes: ['read'] } })).code, who).toBe('ok');
      expect(answer(await callers[who]!(UPDATE, { input: { id: c.id, scopes: ['read', 'write'] } })).code, who).toBe(
        'ok',
      );
      expect((await h.store.clients.findById(c.id))!.scopes).toEqual(['read', 'write']);
    }
  });

  it('records each refused grant in the audit trail: who, which client, which scope', async () => {
    const c = await h.client({ name: 'target', scopes: ['read'], orgId: 'acme' });
    expect(
      answer(await callers.developer!(UPDATE, { input: { id: c.id, scopes: ['read', 'tollgate:introspect'] } })).code,
    ).toBe('FORBIDDEN');
    const trail = answer(await callers.admin!(TRAIL, { id: c.id })).data.client as {
      auditTrail: Array<{ action: string; actor: string; detail: string }>;
    };
    expect(trail.auditTrail[0]).toMatchObject({ action: 'client.scope_refused', actor: 'panel:dev@acme.example' });
    expect(JSON.parse(trail.auditTrail[0]!.detail)).toEqual({ scopes: ['tollgate:introspect'] });

    expect(
      answer(await callers['bearer admin of acme']!(CREATE, { input: { name: 'sneaky', scopes: ['tollgate:admin'] } }))
        .code,
    ).toBe('FORBIDDEN');
    const refusedCreate = (await h.store.audit.list({ limit: 50 })).find(
      (e) => e.action === 'client.scope_refused' && e.clientId === null,
    );
    expect(refusedCreate).toMatchObject({
      actor: expect.stringMatching(/^graphql:cl_live_/),
      detail: { scopes: ['tollgate:admin'], name: 'sneaky' },
    });
  });
});

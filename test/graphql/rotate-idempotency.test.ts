import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';
import { ADMIN, expectTopLevelError, gql, tokenFor } from './support.js';

const ROTATE =
  'mutation($id: ID, $grace: Int) { rotateClientSecret(clientId: $id, graceSeconds: $grace) { clientId clientSecret generation } }';
const CREATE = 'mutation($input: CreateClientInput!) { createClient(input: $input) { clientSecret } }';

/** Issue 16 item 9: a rotation whose answer was lost can be asked for again, so its secret is never lost. */
describe('rotateClientSecret honours Idempotency-Key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  const rotate = (token: string, key: string | undefined, variables: Record<string, unknown> = {}) =>
    gql(h, ROTATE, variables, { token, ...(key ? { headers: { 'idempotency-key': key } } : {}) });

  it('answers a retried self-rotation again, with the token the first attempt killed', async () => {
    const c = await h.client();
    const token = await tokenFor(h, c);
    const first = await rotate(token, 'self-1');
    const answer = first.json().data.rotateClientSecret;
    expect(answer).toMatchObject({ clientId: c.id, generation: 2, clientSecret: expect.stringMatching(/^sk_live_/) });
    // The first answer is lost; the client retries with the same token and key.
    const retry = await rotate(token, 'self-1');
    expect(retry.json()).toEqual({ data: { rotateClientSecret: answer } });
    // Without the key, or with another grace, that token is dead.
    expectTopLevelError(await rotate(token, undefined), 'UNAUTHENTICATED');
    expectTopLevelError(await rotate(token, 'self-1', { grace: 60 }), 'UNAUTHENTICATED');
    expectTopLevelError(await rotate(token, 'another-key'), 'UNAUTHENTICATED');
    // Exactly one rotation happened, and the secret handed out twice is the one that works.
    expect((await h.services.deps.clients.findById(c.id))!.secretGeneration).toBe(2);
    expect(await tokenFor(h, { ...c, secret: answer.clientSecret })).toMatch(/^eyJ/);
  });

  it('refuses the same key for another request of the same caller', async () => {
    const c = await h.client();
    const token = await tokenFor(h, c);
    await rotate(token, 'once', { grace: 3600 });
    // The grace keeps the token alive: a different request under the same key is refused.
    const err = expectTopLevelError(await rotate(token, 'once', { grace: 60 }), 'BAD_USER_INPUT');
    expect(err.extensions.field).toBe('Idempotency-Key');
  });

  it('rotates another client once per key for an admin, and answers the retry with the same secret', async () => {
    const admin = await tokenFor(h, await h.client({ scopes: [ADMIN] }));
    const target = await h.client();
    const first = (await rotate(admin, 'admin-1', { id: target.id })).json().data.rotateClientSecret;
    const again = (await rotate(admin, 'admin-1', { id: target.id })).json().data.rotateClientSecret;
    expect(again).toEqual(first);
    expect((await h.services.deps.clients.findById(target.id))!.secretGeneration).toBe(2);
    // A key already used to create a client is not a rotation's key.
    await gql(h, CREATE, { input: { name: 'keyed' } }, { token: admin, headers: { 'idempotency-key': 'shared' } });
    expect(
      expectTopLevelError(await rotate(admin, 'shared', { id: target.id }), 'BAD_USER_INPUT').extensions.field,
    ).toBe('Idempotency-Key');
  });

  it('never replays another client’s rotation to a token that did not ask for it', async () => {
    const a = await h.client();
    const tokenA1 = await tokenFor(h, a);
    const tokenA2 = await tokenFor(h, a);
    await rotate(tokenA1, 'mine');
    // A second token of the same client, killed by the same rotation, did not ask: refused.
    expectTopLevelError(await rotate(tokenA2, 'mine'), 'UNAUTHENTICATED');
  });
});

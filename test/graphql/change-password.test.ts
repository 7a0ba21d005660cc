import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSummary } from '../../src/domain/audit-text.js';
import { harness, type Harness } from '../support/harness.js';
import { makeOperator, ORIGIN, panel, PASSWORD, SIGN_IN, signedIn } from './panel-support.js';
import { expectTopLevelError } from './support.js';

const ME = '{ me { operator { email } } }';
const CHANGE = 'mutation($input: ChangePasswordInput!) { changePassword(input: $input) }';
const NEW = 'a brand new passphrase';

/** The signed-in operator changes their password (issue 29, item 11), through the real GraphQL endpoint. */
describe('changePassword', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ LOCKOUT_MAX_FAILURES: '3' });
  });
  afterAll(() => h.close());

  const me = async (cookie: string) => (await panel(h, ME, {}, { cookie })).json().data.me?.operator.email ?? null;
  const change = (cookie: string, currentPassword: string, newPassword: string, remoteAddress = '127.0.0.1') =>
    panel(h, CHANGE, { input: { currentPassword, newPassword } }, { cookie, remoteAddress });
  const signIn = (email: string, password: string, remoteAddress = '127.0.0.1') =>
    panel(h, SIGN_IN, { input: { email, password } }, { remoteAddress });

  it('sets the new password, ends every session of the operator and gives the caller a new one', async () => {
    const email = 'changer@example.test';
    await makeOperator(h, email, 'developer', 'acme');
    await makeOperator(h, 'bystander@example.test', 'viewer', 'acme');
    const mine = await signedIn(h, email);
    const elsewhere = await signedIn(h, email, { remoteAddress: '198.51.100.4' });
    const theirs = await signedIn(h, 'bystander@example.test');

    const res = await change(mine, PASSWORD, NEW, '203.0.113.5');
    expect(res.json()).toEqual({ data: { changePassword: true } });
    const set = res.headers['set-cookie'] as string;
    expect(set).toMatch(/^tollgate_session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/);
    const renewed = set.split(';')[0]!;
    expect(renewed).not.toBe(mine);
    // The new session ends when the old one would have, not later.
    expect(Number(/Max-Age=(\d+)/.exec(set)![1])).toBeLessThanOrEqual(12 * 3600);

    expect(await me(mine)).toBeNull();
    expect(await me(elsewhere)).toBeNull();
    expect(await me(renewed)).toBe(email);
    expect(await me(theirs)).toBe('bystander@example.test');

    expectTopLevelError(await signIn(email, PASSWORD), 'UNAUTHENTICATED');
    expect((await signIn(email, NEW)).json().data.signIn.session.operator.email).toBe(email);

    const [row] = await h.services.deps.audit.list({ limit: 1 });
    expect(row).toMatchObject({
      action: 'operator.password_changed',
      actor: `panel:${email}`,
      clientId: null,
      sourceIp: '203.0.113.5',
      detail: { operator: email },
    });
    expect(auditSummary(row!)).toBe(
      `Password changed, ${email}, every other session ended, by ${email} from 203.0.113.5`,
    );
    const trail = JSON.stringify(await h.services.deps.audit.list({ limit: 1000 }));
    for (const s of [PASSWORD, NEW, renewed.split('=')[1]!]) expect(trail.includes(s)).toBe(false);
  });

  it('answers a wrong current password as bad input, counted like a sign-in, and never signs out', async () => {
    const email = 'guessed@example.test';
    await makeOperator(h, email, 'admin');
    const cookie = await signedIn(h, email, { remoteAddress: '192.0.2.50' });
    const ip = '192.0.2.77';
    for (let i = 0; i < 3; i++) {
      const err = expectTopLevelError(await change(cookie, 'not my password!', NEW, ip), 'BAD_USER_INPUT');
      expect(err.message).toBe('currentPassword is not your current password');
      expect(err.extensions.field).toBe('currentPassword');
      expect(await me(cookie)).toBe(email);
    }
    // Three wrong ones lock the operator's counter at this address: the right one is refused too,
    // and so is a sign-in from here, since both count on the same counters.
    const locked = await change(cookie, PASSWORD, NEW, ip);
    expectTopLevelError(locked, 'RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expectTopLevelError(await signIn(email, PASSWORD, ip), 'RATE_LIMITED');
    const [lock] = await h.services.deps.audit.list({ limit: 1 });
    expect(lock).toMatchObject({ action: 'lockout', sourceIp: ip, detail: { operator: email } });
    expect(await me(cookie)).toBe(email);
    // From elsewhere, the password is still the old one, and the session still works.
    expect((await signIn(email, PASSWORD, '192.0.2.99')).json().data.signIn.session.operator.email).toBe(email);
  });

  it('holds the new password to the setup rules without spending an attempt', async () => {
    const email = 'short@example.test';
    await makeOperator(h, email, 'viewer', null);
    const cookie = await signedIn(h, email);
    const ip = '192.0.2.88';
    for (let i = 0; i < 5; i++) {
      const err = expectTopLevelError(await change(cookie, PASSWORD, 'too short', ip), 'BAD_USER_INPUT');
      expect(err.extensions.field).toBe('newPassword');
      expect(err.message).toBe('newPassword must be at least 12 characters');
    }
    expectTopLevelError(await change(cookie, '', NEW, ip), 'BAD_USER_INPUT');
    expect((await change(cookie, PASSWORD, NEW, ip)).json()).toEqual({ data: { changePassword: true } });
  });

  it('needs a request from the panel itself, and a session', async () => {
    const email = 'csrf@example.test';
    await makeOperator(h, email, 'admin');
    const cookie = await signedIn(h, email);
    const forged = (headers: Record<string, string>) =>
      h.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json', host: 'tollgate.test', cookie, ...headers },
        payload: JSON.stringify({
          query: CHANGE,
          variables: { input: { currentPassword: PASSWORD, newPassword: NEW } },
        }),
      });
    expectTopLevelError(await forged({ origin: ORIGIN }), 'FORBIDDEN');
    expectTopLevelError(await forged({ origin: 'https://evil.example', 'x-tollgate-csrf': '1' }), 'FORBIDDEN');
    expectTopLevelError(
      await panel(h, CHANGE, { input: { currentPassword: PASSWORD, newPassword: NEW } }),
      'UNAUTHENTICATED',
    );
    expect(await me(cookie)).toBe(email);
    expect((await signIn(email, PASSWORD)).json().data.signIn.session.operator.email).toBe(email);
  });

  it('waits, like everything but enrolment, for an admin who must set up TOTP first', async () => {
    const strict = await harness({ PANEL_REQUIRE_TOTP: '1' });
    try {
      await makeOperator(strict, 'must-enrol@example.test', 'admin');
      const cookie = await signedIn(strict, 'must-enrol@example.test');
      const res = await panel(strict, CHANGE, { input: { currentPassword: PASSWORD, newPassword: NEW } }, { cookie });
      expectTopLevelError(res, 'FORBIDDEN');
      const op = await strict.store.operators.findByEmail('must-enrol@example.test');
      const signIn = await panel(strict, SIGN_IN, { input: { email: op!.email, password: PASSWORD } });
      expect(signIn.json().data.signIn.session.operator.email).toBe('must-enrol@example.test');
    } finally {
      await strict.close();
    }
  });

  it('counts as the one credential check of its operation', async () => {
    const email = 'twice@example.test';
    await makeOperator(h, email, 'admin');
    const cookie = await signedIn(h, email);
    const res = await panel(
      h,
      'mutation { a: changePassword(input: { currentPassword: "x", newPassword: "yyyyyyyyyyyy" }) ' +
        'b: changePassword(input: { currentPassword: "z", newPassword: "yyyyyyyyyyyy" }) }',
      {},
      { cookie },
    );
    expect(res.json().errors[0].message).toMatch(/credential/i);
    expect(res.json().data).toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/domain/totp.js';
import { disableOperator, resetOperator } from '../../src/usecases/operators.js';
import { harness, type Harness } from '../support/harness.js';
import { makeOperator, panel, PASSWORD, SIGN_IN, signedIn } from './panel-support.js';
import { expectTopLevelError } from './support.js';

const ME = '{ me { operator { email role } } }';
const CLIENTS = '{ clients { edges { node { id name } } } }';
const CREATE =
  'mutation($input: CreateClientInput!) { createClient(input: $input) { clientSecret client { id orgId } } }';

describe('panel sessions through GraphQL', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
    await makeOperator(h, 'admin@example.com', 'admin');
  });
  afterAll(() => h.close());

  it('sets an HttpOnly, SameSite=Strict cookie on Path=/ without Secure on http, and a new id each sign-in', async () => {
    const res = await panel(h, SIGN_IN, { input: { email: 'Admin@Example.com', password: PASSWORD } });
    expect(res.json().data.signIn).toMatchObject({
      totpRequired: false,
      session: { operator: { email: 'admin@example.com', role: 'ADMIN' } },
    });
    const cookie = res.headers['set-cookie'] as string;
    expect(cookie).toMatch(/^tollgate_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
    const again = await signedIn(h, 'admin@example.com');
    expect(again).not.toBe(cookie.split(';')[0]);
    expect((await panel(h, ME, {}, { cookie: again })).json().data.me.operator.email).toBe('admin@example.com');
  });

  it('is Secure with the __Host- prefix when the issuer is https', async () => {
    const s = await harness({ ISSUER: 'https://tollgate.test' });
    try {
      await makeOperator(s, 'a@example.com', 'admin');
      const res = await panel(
        s,
        SIGN_IN,
        { input: { email: 'a@example.com', password: PASSWORD } },
        { headers: { origin: 'https://tollgate.test' } },
      );
      expect(res.headers['set-cookie']).toMatch(
        /^__Host-tollgate_session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
      );
    } finally {
      await s.close();
    }
  });

  it('refuses a wrong password with one message whether or not the email exists, and answers me: null without a session', async () => {
    for (const email of ['admin@example.com', 'nobody@example.com']) {
      const err = expectTopLevelError(
        await panel(h, SIGN_IN, { input: { email, password: 'wrong password 123' } }, { remoteAddress: '10.9.0.1' }),
        'UNAUTHENTICATED',
      );
      expect(err.message).toBe('Wrong email, password or code');
    }
    expect((await panel(h, ME)).json()).toEqual({ data: { me: null } });
  });

  it('locks an (email, address) pair after LOCKOUT_MAX_FAILURES wrong passwords, with Retry-After; another address still signs in', async () => {
    for (let i = 0; i < 5; i++)
      expectTopLevelError(
        await panel(
          h,
          SIGN_IN,
          { input: { email: 'admin@example.com', password: `wrong password ${i}x` } },
          { remoteAddress: '10.9.0.2' },
        ),
        'UNAUTHENTICATED',
      );
    const locked = await panel(
      h,
      SIGN_IN,
      { input: { email: 'admin@example.com', password: PASSWORD } },
      { remoteAddress: '10.9.0.2' },
    );
    expectTopLevelError(locked, 'RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    await signedIn(h, 'admin@example.com', { remoteAddress: '10.9.0.3' });
    const events = await h.services.deps.audit.list({ limit: 5 });
    expect(events.find((e) => e.action === 'lockout')?.detail).toMatchObject({
      kind: 'pair',
      operator: 'admin@example.com',
    });
    expect(JSON.stringify(events)).not.toContain('wrong password');
  });

  it('refuses the cookie on a request without the CSRF header or from another origin, and changes nothing', async () => {
    const cookie = await signedIn(h, 'admin@example.com');
    const before = (await panel(h, CLIENTS, {}, { cookie })).json().data.clients.edges.length;
    const evil = [{ 'x-tollgate-csrf': '' }, { origin: 'https://evil.example' }, { origin: 'null' }];
    for (const headers of evil) {
      const h2 = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''));
      const res = await h.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: {
          'content-type': 'application/json',
          host: 'tollgate.test',
          cookie,
          ...('x-tollgate-csrf' in headers ? { origin: 'http://tollgate.test' } : { 'x-tollgate-csrf': '1' }),
          ...h2,
        },
        payload: JSON.stringify({ query: CREATE, variables: { input: { name: 'csrf' } } }),
      });
      expect(expectTopLevelError(res, 'FORBIDDEN').message).toMatch(/^Cross-site request refused/);
    }
    const form = await h.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        host: 'tollgate.test',
        origin: 'http://tollgate.test',
        cookie,
      },
      payload: `query=${encodeURIComponent('mutation { createClient(input: {name: "form"}) { clientSecret } }')}`,
    });
    expect(form.statusCode).toBe(415);
    expect((await panel(h, CLIENTS, {}, { cookie })).json().data.clients.edges.length).toBe(before);
  });

  it('ends the session at sign-out: the old cookie no longer works, and the cookie is cleared', async () => {
    const cookie = await signedIn(h, 'admin@example.com');
    const out = await panel(h, 'mutation { signOut }', {}, { cookie });
    expect(out.json()).toEqual({ data: { signOut: true } });
    expect(out.headers['set-cookie']).toMatch(/^tollgate_session=; Max-Age=0;/);
    expect((await panel(h, ME, {}, { cookie })).json()).toEqual({ data: { me: null } });
    expect(expectTopLevelError(await panel(h, CLIENTS, {}, { cookie }), 'UNAUTHENTICATED').message).toBe(
      'Your session has ended; sign in again',
    );
  });

  it('ends every session of an operator who is disabled or reset', async () => {
    await makeOperator(h, 'dev@example.com', 'developer', 'acme');
    const a = await signedIn(h, 'dev@example.com');
    await resetOperator(h.services.deps, 'dev@example.com', { kind: 'cli', id: 'test' });
    expect((await panel(h, ME, {}, { cookie: a })).json().data.me).toBeNull();
    expectTopLevelError(
      await panel(h, SIGN_IN, { input: { email: 'dev@example.com', password: PASSWORD } }),
      'UNAUTHENTICATED',
    );
    await makeOperator(h, 'gone@example.com', 'viewer');
    const b = await signedIn(h, 'gone@example.com');
    await disableOperator(h.services.deps, 'gone@example.com', { kind: 'cli', id: 'test' });
    expect((await panel(h, ME, {}, { cookie: b })).json().data.me).toBeNull();
    expectTopLevelError(
      await panel(h, SIGN_IN, { input: { email: 'gone@example.com', password: PASSWORD } }),
      'UNAUTHENTICATED',
    );
  });

  it('takes sign-in only from the panel: no CSRF header, no session', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', host: 'tollgate.test', origin: 'https://evil.example' },
      payload: JSON.stringify({
        query: SIGN_IN,
        variables: { input: { email: 'admin@example.com', password: PASSWORD } },
      }),
    });
    expectTopLevelError(res, 'FORBIDDEN');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('holds an admin to TOTP enrolment under PANEL_REQUIRE_TOTP=1, then lets it in with its code', async () => {
    const s = await harness({ PANEL_REQUIRE_TOTP: '1' });
    try {
      await makeOperator(s, 'boss@example.com', 'admin');
      const res = await panel(s, SIGN_IN, { input: { email: 'boss@example.com', password: PASSWORD } });
      expect(res.json().data.signIn.session.totpEnrollmentRequired).toBe(true);
      const cookie = (res.headers['set-cookie'] as string).split(';')[0]!;
      expect(expectTopLevelError(await panel(s, CLIENTS, {}, { cookie }), 'FORBIDDEN').message).toBe(
        'Set up two-step sign-in (TOTP) first',
      );
      const offered = (await panel(s, 'mutation { beginTotpEnrollment { secret otpauthUri } }', {}, { cookie })).json()
        .data.beginTotpEnrollment;
      const confirmed = await panel(
        s,
        'mutation($code: String!) { confirmTotpEnrollment(code: $code) { recoveryCodes } }',
        { code: totpCode(offered.secret, Date.now()) },
        { cookie },
      );
      expect(confirmed.json().data.confirmTotpEnrollment.recoveryCodes).toHaveLength(10);
      expect((await panel(s, CLIENTS, {}, { cookie })).json()).toEqual({ data: { clients: { edges: [] } } });
      expect(
        (await panel(s, SIGN_IN, { input: { email: 'boss@example.com', password: PASSWORD } })).json().data.signIn,
      ).toEqual({ totpRequired: true, session: null });
    } finally {
      await s.close();
    }
  });

  it('allows one sign-in per operation: aliases cannot multiply password guesses', async () => {
    const q = `mutation { a: signIn(input: {email: "admin@example.com", password: "guess number one"}) { totpRequired } b: signIn(input: {email: "admin@example.com", password: "guess number two"}) { totpRequired } }`;
    const res = await panel(h, q);
    expect(res.json().errors).toEqual([expect.objectContaining({ extensions: { code: 'CREDENTIAL_CHECK_LIMIT' } })]);
    expect(res.json().data).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/domain/totp.js';
import type { Actor } from '../../src/domain/audit.js';
import { completeSetup, createOperator, firstAdminLink, resetOperator } from '../../src/usecases/operators.js';
import { findSession, signIn } from '../../src/usecases/panel-sessions.js';
import { beginTotpEnrolment, confirmTotpEnrolment } from '../../src/usecases/totp-enrolment.js';
import { fakeDeps, type FakeDeps } from '../support/fakes.js';

const CLI: Actor = { kind: 'cli', id: 'ops' };
const PASSWORD = 'a long enough password';
const IP = '192.0.2.10';
const tokenOf = (link: string): string => new URL(link).hash.replace('#token=', '');

describe('operators, setup links, sessions and TOTP (use cases, fixed clock)', () => {
  let deps: FakeDeps;
  beforeEach(async () => {
    deps = await fakeDeps();
  });

  const signedIn = async (email: string, code: string | null = null) => {
    const out = await signIn(deps, { email, password: PASSWORD, code, sourceIp: IP });
    if (out.kind !== 'signed-in') throw new Error(`not signed in: ${out.kind}`);
    return out;
  };

  it('refuses short passwords, bad emails, unknown roles and a developer without an organisation', async () => {
    await expect(
      createOperator(deps, { email: 'a@example.com', role: 'admin', orgId: null, password: 'short' }, CLI),
    ).rejects.toThrow('password must be at least 12 characters');
    await expect(createOperator(deps, { email: 'not an email', role: 'admin', orgId: null }, CLI)).rejects.toThrow(
      'email is not an email address',
    );
    await expect(createOperator(deps, { email: 'a@example.com', role: 'owner', orgId: null }, CLI)).rejects.toThrow(
      'role must be one of admin, developer, viewer',
    );
    await expect(createOperator(deps, { email: 'a@example.com', role: 'developer', orgId: null }, CLI)).rejects.toThrow(
      /org is required for a developer/,
    );
    await createOperator(deps, { email: 'a@example.com', role: 'viewer', orgId: null }, CLI);
    await expect(createOperator(deps, { email: 'A@example.com', role: 'viewer', orgId: null }, CLI)).rejects.toThrow(
      'email already belongs to an operator',
    );
  });

  it('makes a one-time setup link, valid for 24 hours, that sets the password once', async () => {
    const made = await createOperator(deps, { email: 'dev@example.com', role: 'developer', orgId: 'acme' }, CLI);
    expect(made.setup!.link).toMatch(/^https?:\/\/[^/]+\/panel\/setup#token=[A-Za-z0-9_-]{43}$/);
    expect(made.setup!.expiresAt - deps.clock.now()).toBe(24 * 3600 * 1000);
    await expect(
      signIn(deps, { email: 'dev@example.com', password: PASSWORD, code: null, sourceIp: IP }),
    ).rejects.toThrow('Wrong email, password or code');
    const token = tokenOf(made.setup!.link);
    await completeSetup(deps, { token, email: null, password: PASSWORD }, IP);
    await signedIn('dev@example.com');
    await expect(completeSetup(deps, { token, email: null, password: 'another password here' }, IP)).rejects.toThrow(
      /not valid/,
    );
  });

  it('lets a setup link lapse after 24 hours, and a reset replaces the earlier link', async () => {
    const made = await createOperator(deps, { email: 'late@example.com', role: 'viewer', orgId: null }, CLI);
    deps.clock.advance(24 * 3600);
    await expect(
      completeSetup(deps, { token: tokenOf(made.setup!.link), email: null, password: PASSWORD }, IP),
    ).rejects.toThrow(/not valid/);
    const first = await resetOperator(deps, 'late@example.com', CLI);
    const second = await resetOperator(deps, 'late@example.com', CLI);
    await expect(
      completeSetup(deps, { token: tokenOf(first.setup.link), email: null, password: PASSWORD }, IP),
    ).rejects.toThrow(/not valid/);
    await completeSetup(deps, { token: tokenOf(second.setup.link), email: null, password: PASSWORD }, IP);
  });

  it('makes the first admin from the start-up link (asking for the email without spending it), and only while no operator exists', async () => {
    const setup = (await firstAdminLink(deps))!;
    const token = tokenOf(setup.link);
    await expect(completeSetup(deps, { token, email: null, password: PASSWORD }, IP)).rejects.toThrow(
      'email is required to set up the first admin',
    );
    const admin = await completeSetup(deps, { token, email: 'Root@Example.com', password: PASSWORD }, IP);
    expect(admin).toMatchObject({ email: 'root@example.com', role: 'admin' });
    expect(await firstAdminLink(deps)).toBeUndefined();
    await expect(completeSetup(deps, { token, email: 'x@example.com', password: PASSWORD }, IP)).rejects.toThrow(
      /not valid/,
    );
  });

  it('ends a session after the idle timeout, and after the absolute one however busy', async () => {
    await createOperator(deps, { email: 'a@example.com', role: 'admin', orgId: null, password: PASSWORD }, CLI);
    const idle = await signedIn('a@example.com');
    deps.clock.advance(29 * 60);
    expect(await findSession(deps, idle.cookieValue, 'live')).toBeDefined();
    deps.clock.advance(29 * 60);
    expect(await findSession(deps, idle.cookieValue, 'live')).toBeDefined();
    deps.clock.advance(31 * 60);
    expect(await findSession(deps, idle.cookieValue, 'live')).toBeUndefined();
    const busy = await signedIn('a@example.com');
    for (let i = 0; i < 12 * 4 - 1; i++) {
      deps.clock.advance(15 * 60);
      expect(await findSession(deps, busy.cookieValue, 'live'), `after ${(i + 1) * 15} min`).toBeDefined();
    }
    deps.clock.advance(15 * 60);
    expect(await findSession(deps, busy.cookieValue, 'live')).toBeUndefined();
  });

  it('asks for TOTP once enrolled, accepts each code once, and each recovery code once', async () => {
    await createOperator(deps, { email: 't@example.com', role: 'admin', orgId: null, password: PASSWORD }, CLI);
    const s = await signedIn('t@example.com');
    const principal = (await findSession(deps, s.cookieValue, 'live'))!.principal;
    const { secret, uri } = await beginTotpEnrolment(deps, principal);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Tollgate:t%40example\.com\?/);
    // Not on until confirmed: sign-in still needs no code.
    await signedIn('t@example.com');
    await expect(confirmTotpEnrolment(deps, principal, '000000', IP)).rejects.toThrow(/code does not match/);
    const { recoveryCodes } = await confirmTotpEnrolment(deps, principal, totpCode(secret, deps.clock.now()), IP);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);

    expect(await signIn(deps, { email: 't@example.com', password: PASSWORD, code: null, sourceIp: IP })).toEqual({
      kind: 'totp-required',
    });
    await expect(
      signIn(deps, { email: 't@example.com', password: 'wrong password!!', code: null, sourceIp: IP }),
    ).rejects.toThrow('Wrong email, password or code');
    deps.clock.advance(30);
    const code = totpCode(secret, deps.clock.now());
    await signedIn('t@example.com', code);
    await expect(signIn(deps, { email: 't@example.com', password: PASSWORD, code, sourceIp: IP })).rejects.toThrow(
      'Wrong email, password or code',
    );
    await signedIn('t@example.com', recoveryCodes[0]!.toUpperCase().replace('-', ' '));
    await expect(
      signIn(deps, { email: 't@example.com', password: PASSWORD, code: recoveryCodes[0]!, sourceIp: IP }),
    ).rejects.toThrow('Wrong email, password or code');
  });

  it('counts wrong codes like wrong passwords: the pair locks at the limit', async () => {
    await createOperator(deps, { email: 'c@example.com', role: 'viewer', orgId: null, password: PASSWORD }, CLI);
    const s = await signedIn('c@example.com');
    const principal = (await findSession(deps, s.cookieValue, 'live'))!.principal;
    const { secret } = await beginTotpEnrolment(deps, principal);
    await confirmTotpEnrolment(deps, principal, totpCode(secret, deps.clock.now()), IP);
    for (let i = 0; i < 5; i++)
      await expect(
        signIn(deps, { email: 'c@example.com', password: PASSWORD, code: '123456', sourceIp: IP }),
      ).rejects.toThrow('Wrong email, password or code');
    deps.clock.advance(60);
    await expect(
      signIn(deps, {
        email: 'c@example.com',
        password: PASSWORD,
        code: totpCode(secret, deps.clock.now()),
        sourceIp: IP,
      }),
    ).rejects.toThrow('Too many failed attempts');
  });

  it('holds an admin to enrolment alone under PANEL_REQUIRE_TOTP until TOTP is on', async () => {
    deps.panel = { ...deps.panel, requireTotpForAdmins: true };
    await createOperator(deps, { email: 'boss@example.com', role: 'admin', orgId: null, password: PASSWORD }, CLI);
    await createOperator(deps, { email: 'dev@example.com', role: 'developer', orgId: 'a', password: PASSWORD }, CLI);
    const s = await signedIn('boss@example.com');
    expect((await findSession(deps, s.cookieValue, 'live'))!.principal.mustEnrolTotp).toBe(true);
    expect(
      (await findSession(deps, (await signedIn('dev@example.com')).cookieValue, 'live'))!.principal.mustEnrolTotp,
    ).toBe(false);
    const principal = (await findSession(deps, s.cookieValue, 'live'))!.principal;
    const { secret } = await beginTotpEnrolment(deps, principal);
    await confirmTotpEnrolment(deps, principal, totpCode(secret, deps.clock.now()), IP);
    expect((await findSession(deps, s.cookieValue, 'live'))!.principal.mustEnrolTotp).toBe(false);
  });
});

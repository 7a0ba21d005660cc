import { isDomainError } from '../../../domain/errors.js';
import { type OperatorView, toOperatorView } from '../../../domain/operator.js';
import { changePassword } from '../../../usecases/change-password.js';
import { completeSetup } from '../../../usecases/operators.js';
import { findSession, mustEnrolTotp, signIn, signOut } from '../../../usecases/panel-sessions.js';
import { crossSite, operator } from '../bearer.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { guarded } from '../errors.js';
import { credentialCheck } from '../rules/one-credential-check.js';
import { clearSessionCookie, sessionSetCookie } from '../session-cookie.js';
import { DateTime } from './date-time.js';
import { Operator } from './operator.js';

export interface PanelSessionShape {
  operator: OperatorView;
  expiresAt: number;
  totpEnrollmentRequired: boolean;
}

export const PanelSession = builder.objectRef<PanelSessionShape>('PanelSession').implement({
  description: 'A signed-in panel session (its id lives only in an HttpOnly cookie).',
  fields: (t) => ({
    operator: t.field({ type: Operator, resolve: (s) => s.operator }),
    expiresAt: t.field({
      type: DateTime,
      description: 'The absolute end; an idle session ends sooner.',
      resolve: (s) => s.expiresAt,
    }),
    totpEnrollmentRequired: t.exposeBoolean('totpEnrollmentRequired', {
      description:
        'PANEL_REQUIRE_TOTP is on and this admin has no TOTP yet: nothing but enrolment works until it is set up.',
    }),
  }),
});

export const SignInInput = builder.inputType('SignInInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    code: t.string({ description: 'A TOTP code, or one of the recovery codes, when the operator has enrolled.' }),
  }),
});

export interface SignInPayloadShape {
  session: PanelSessionShape | null;
  totpRequired: boolean;
}

export const SignInPayload = builder.objectRef<SignInPayloadShape>('SignInPayload').implement({
  description:
    'Signed in (the session cookie is set), or asked for the second factor: send email, password and code again.',
  fields: (t) => ({
    session: t.field({ type: PanelSession, nullable: true, resolve: (p) => p.session }),
    totpRequired: t.exposeBoolean('totpRequired'),
  }),
});

export const CompleteSetupInput = builder.inputType('CompleteSetupInput', {
  fields: (t) => ({
    token: t.string({ required: true, description: 'From the setup link (after #token=).' }),
    email: t.string({ description: "Only for the first admin's link; other links belong to an operator already." }),
    password: t.string({ required: true, description: 'At least 12 characters.' }),
  }),
});

/*
 * The panel's way in (spec §7): sign-in with a password (and TOTP), a server-side session in an
 * HttpOnly cookie, sign-out, and the one-time setup links the CLI makes. Each needs a request
 * from the panel's own page (the CSRF header and this origin), sign-in too: no other site can
 * sign a browser in to an account of its choosing.
 */

const secure = (ctx: GraphQLContext): boolean => ctx.config.issuer.startsWith('https:');

function samePanel(ctx: GraphQLContext): void {
  if (!ctx.sameOrigin) throw crossSite();
}

builder.queryField('me', (t) =>
  t.field({
    type: PanelSession,
    nullable: true,
    description: 'The panel session of the request’s cookie; null when signed out.',
    resolve: (_root, _args, ctx) =>
      guarded(async () => {
        if (ctx.sessionCookie === undefined) return null;
        samePanel(ctx);
        const live = await findSession(ctx.deps, ctx.sessionCookie, ctx.mode);
        if (!live) return null;
        return {
          operator: toOperatorView(live.operator),
          expiresAt: live.session.expiresAt,
          totpEnrollmentRequired: live.principal.mustEnrolTotp,
        };
      }),
  }),
);

builder.mutationField('signIn', (t) =>
  t.field({
    type: SignInPayload,
    description:
      'Signs in to the panel and sets the session cookie. A wrong email, password or code is one refusal ' +
      '(UNAUTHENTICATED), counted like a wrong client secret (RATE_LIMITED when locked).',
    extensions: credentialCheck,
    args: { input: t.arg({ type: SignInInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      guarded(async () => {
        samePanel(ctx);
        let outcome: Awaited<ReturnType<typeof signIn>>;
        try {
          outcome = await signIn(ctx.deps, {
            email: input.email,
            password: input.password,
            code: input.code ?? null,
            sourceIp: ctx.sourceIp,
          });
        } catch (e) {
          if (isDomainError(e) && e.details.retryAfterSeconds !== undefined)
            ctx.responseHeaders['retry-after'] = String(e.details.retryAfterSeconds);
          throw e;
        }
        if (outcome.kind === 'totp-required') return { session: null, totpRequired: true };
        ctx.responseHeaders['set-cookie'] = sessionSetCookie(outcome.cookieValue, outcome.session, secure(ctx));
        const session = {
          operator: toOperatorView(outcome.operator),
          expiresAt: outcome.session.expiresAt,
          totpEnrollmentRequired: mustEnrolTotp(ctx.deps, outcome.operator),
        };
        return { session, totpRequired: false };
      }),
  }),
);

builder.mutationField('signOut', (t) =>
  t.boolean({
    description: 'Ends the panel session of the request’s cookie and clears the cookie.',
    resolve: (_root, _args, ctx) =>
      guarded(async () => {
        if (ctx.sessionCookie !== undefined) {
          samePanel(ctx);
          await signOut(ctx.deps, ctx.sessionCookie);
        }
        ctx.responseHeaders['set-cookie'] = clearSessionCookie(secure(ctx));
        return true;
      }),
  }),
);

builder.mutationField('completeSetup', (t) =>
  t.field({
    type: Operator,
    description:
      'Follows a one-time setup link from `tollgate users create` or `users reset`: sets the password (and, for ' +
      'the first admin, the email). Then sign in.',
    args: { input: t.arg({ type: CompleteSetupInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      guarded(async () => {
        samePanel(ctx);
        return completeSetup(
          ctx.deps,
          { token: input.token, email: input.email ?? null, password: input.password },
          ctx.sourceIp,
        );
      }),
  }),
);

export const ChangePasswordInput = builder.inputType('ChangePasswordInput', {
  fields: (t) => ({
    currentPassword: t.string({ required: true }),
    newPassword: t.string({ required: true, description: 'At least 12 characters, as at setup.' }),
  }),
});

builder.mutationField('changePassword', (t) =>
  t.boolean({
    description:
      'Changes the signed-in operator’s password (panel session only, never a Bearer token). A wrong ' +
      'currentPassword is BAD_USER_INPUT (field currentPassword) and counts like a wrong password at sign-in ' +
      '(RATE_LIMITED when locked); it does not sign out. On success every session of the operator ends, and this ' +
      'one is replaced by a new one (a new cookie is set, ending when the old session would have).',
    extensions: credentialCheck,
    args: { input: t.arg({ type: ChangePasswordInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      guarded(async () => {
        await operator(ctx);
        let fresh: Awaited<ReturnType<typeof changePassword>>;
        try {
          fresh = await changePassword(ctx.deps, ctx.sessionCookie!, ctx.mode, input, ctx.sourceIp);
        } catch (e) {
          if (isDomainError(e) && e.details.retryAfterSeconds !== undefined)
            ctx.responseHeaders['retry-after'] = String(e.details.retryAfterSeconds);
          throw e;
        }
        ctx.responseHeaders['set-cookie'] = sessionSetCookie(fresh.cookieValue, fresh.session, secure(ctx));
        return true;
      }),
  }),
);

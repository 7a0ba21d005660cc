import type { OperatorRole as DomainRole, OperatorView } from '../../../domain/operator.js';
import {
  disableOperatorFor,
  inviteOperatorFor,
  operatorsFor,
  resetOperatorFor,
} from '../../../usecases/panel-admin.js';
import { principal } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { DateTime } from './date-time.js';

export const OperatorRole = builder.enumType('OperatorRole', {
  description:
    'ADMIN: every client of both modes, the operators and the signing keys. DEVELOPER: the clients of its ' +
    'organisation. VIEWER: reads, changes nothing, never sees a secret.',
  values: {
    ADMIN: { value: 'admin' satisfies DomainRole },
    DEVELOPER: { value: 'developer' satisfies DomainRole },
    VIEWER: { value: 'viewer' satisfies DomainRole },
  } as const,
});

/** A person of the developer panel: never a password, secret or hash. */
export const Operator = builder.objectRef<OperatorView>('Operator').implement({
  description: 'A person who signs in to the developer panel.',
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('email'),
    role: t.field({ type: OperatorRole, resolve: (o) => o.role }),
    orgId: t.exposeString('orgId', { nullable: true }),
    enabled: t.exposeBoolean('enabled'),
    totpEnabled: t.exposeBoolean('totpEnabled', { description: 'Whether sign-in asks for a TOTP code.' }),
    createdAt: t.field({ type: DateTime, resolve: (o) => o.createdAt }),
  }),
});

/** The panel's operators, as admins see them. */
builder.queryField('operators', (t) =>
  t.field({
    type: [Operator],
    description: 'Every panel operator, by email (panel admins).',
    resolve: (_root, _args, ctx) => guarded(async () => operatorsFor(ctx.deps, await principal(ctx))),
  }),
);

export const InviteOperatorInput = builder.inputType('InviteOperatorInput', {
  fields: (t) => ({
    email: t.string({ required: true, description: 'The email they will sign in with.' }),
    role: t.field({ type: OperatorRole, required: true }),
    orgId: t.string({ description: 'Their organisation; required for a DEVELOPER.' }),
  }),
});

export interface OperatorInviteShape {
  operator: OperatorView;
  setupUrl: string;
  expiresAt: number;
}

export const OperatorInvite = builder.objectRef<OperatorInviteShape>('OperatorInvite').implement({
  description: 'An operator (new, or reset) and their one-time setup link, shown only this once.',
  fields: (t) => ({
    operator: t.field({ type: Operator, resolve: (i) => i.operator }),
    setupUrl: t.exposeString('setupUrl', {
      description:
        'Where they set their password, once (as `tollgate users create` prints it). Send it privately: whoever ' +
        'holds it can set the password. Earlier links of theirs stop working.',
    }),
    expiresAt: t.field({ type: DateTime, description: 'The link works until then.', resolve: (i) => i.expiresAt }),
  }),
});

builder.mutationField('inviteOperator', (t) =>
  t.field({
    type: OperatorInvite,
    description:
      'Creates an operator without a password and answers their one-time setup link (`tollgate users create` ' +
      'without --password-stdin). Panel admins; audited.',
    args: { input: t.arg({ type: InviteOperatorInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      guarded(async () => {
        const made = await inviteOperatorFor(
          ctx.deps,
          await principal(ctx),
          { email: input.email, role: input.role, orgId: input.orgId ?? null },
          ctx.sourceIp,
        );
        return { operator: made.operator, setupUrl: made.setup.link, expiresAt: made.setup.expiresAt };
      }),
  }),
);

builder.mutationField('disableOperator', (t) =>
  t.field({
    type: Operator,
    description:
      'Disables an operator (`tollgate users disable`): every session of theirs ends and they cannot sign in. ' +
      'Panel admins, never on themselves; audited.',
    args: { email: t.arg.string({ required: true }) },
    resolve: (_root, { email }, ctx) =>
      guarded(async () => disableOperatorFor(ctx.deps, await principal(ctx), email, ctx.sourceIp)),
  }),
);

builder.mutationField('resetOperator', (t) =>
  t.field({
    type: OperatorInvite,
    description:
      'Resets an operator (`tollgate users reset`): their password and two-step sign-in are cleared, every ' +
      'session of theirs ends, and the answer is a new one-time setup link. Panel admins, never on themselves; ' +
      'audited.',
    args: { email: t.arg.string({ required: true }) },
    resolve: (_root, { email }, ctx) =>
      guarded(async () => {
        const done = await resetOperatorFor(ctx.deps, await principal(ctx), email, ctx.sourceIp);
        return { operator: done.operator, setupUrl: done.setup.link, expiresAt: done.setup.expiresAt };
      }),
  }),
);

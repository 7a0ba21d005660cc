import type { OperatorRole as DomainRole, OperatorView } from '../../../domain/operator.js';
import { operatorsFor } from '../../../usecases/panel-admin.js';
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

import { operatorsFor, signingKeysFor } from '../../../usecases/panel-admin.js';
import { principal } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { Operator } from '../types/operator.js';
import { SigningKey } from '../types/signing-key.js';

/** What admins see of the deployment itself. */
builder.queryFields((t) => ({
  operators: t.field({
    type: [Operator],
    description: 'Every panel operator, by email (panel admins).',
    resolve: (_root, _args, ctx) => guarded(async () => operatorsFor(ctx.deps, await principal(ctx))),
  }),
  signingKeys: t.field({
    type: [SigningKey],
    description: 'The signing keys, current first: of both modes for panel admins, of the mode called for an admin token.',
    resolve: (_root, _args, ctx) => guarded(async () => signingKeysFor(ctx.deps, await principal(ctx))),
  }),
}));

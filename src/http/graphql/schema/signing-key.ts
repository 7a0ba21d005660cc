import { signingKeysFor } from '../../../usecases/panel-admin.js';
import type { PublicKeyInfo } from '../../../usecases/ports.js';
import { principal } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { DateTime } from './date-time.js';
import { Mode } from './mode.js';

export const SigningKey = builder.objectRef<PublicKeyInfo>('SigningKey').implement({
  description:
    'A token signing key (its public half). The current key of a mode signs; the others still verify until retired.',
  fields: (t) => ({
    kid: t.exposeID('kid'),
    mode: t.field({ type: Mode, resolve: (k) => k.mode }),
    alg: t.exposeString('alg'),
    current: t.exposeBoolean('current'),
    createdAt: t.field({ type: DateTime, resolve: (k) => k.createdAt }),
  }),
});

/** The signing keys, as admins see them. */
builder.queryField('signingKeys', (t) =>
  t.field({
    type: [SigningKey],
    description:
      'The signing keys, current first: of both modes for panel admins, of the mode called for an admin token.',
    resolve: (_root, _args, ctx) => guarded(async () => signingKeysFor(ctx.deps, await principal(ctx))),
  }),
);

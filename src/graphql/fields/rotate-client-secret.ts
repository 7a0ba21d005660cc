import { rotateSecretFor } from '../../usecases/admin-clients.js';
import { rotateSecret } from '../../usecases/manage-clients.js';
import { principal } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { credentialCheck } from '../rules/one-credential-check.js';
import { RotatedSecret } from '../types/rotated-secret.js';

/**
 * Self-service rotation (no clientId: the caller's own secret, so the token used dies with it
 * unless a grace keeps it), or an admin rotating another client of this mode.
 */
builder.mutationField('rotateClientSecret', (t) =>
  t.field({
    type: RotatedSecret,
    description:
      "Replaces a secret and bumps its generation (Bearer). Without clientId, the caller's own; with it, tollgate:admin is needed.",
    extensions: credentialCheck,
    args: {
      clientId: t.arg.id(),
      graceSeconds: t.arg.int({ description: 'Keep the old secret and its tokens valid this long (default 0).' }),
    },
    resolve: (_root, { clientId, graceSeconds }, ctx) =>
      guarded(async () => {
        const caller = await principal(ctx);
        const grace = graceSeconds ?? 0;
        const actor = { kind: 'graphql', id: caller.clientId, sourceIp: ctx.sourceIp } as const;
        // Without clientId: the caller's own secret, which any valid token may rotate.
        const rotated =
          clientId === null || clientId === undefined
            ? await rotateSecret(ctx.deps, caller.clientId, grace, actor)
            : await rotateSecretFor(ctx.deps, caller, clientId, grace, actor);
        return { clientId: rotated.client.id, clientSecret: rotated.clientSecret, generation: rotated.generation };
      }),
  }),
);

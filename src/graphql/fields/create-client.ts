import { ADMIN_SCOPE } from '../../usecases/admin-in-mode.js';
import { createClientIdempotent } from '../../usecases/create-client-idempotent.js';
import { bearer } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { CreateClientInput } from '../types/create-client-input.js';
import { CreateClientPayload } from '../types/create-client-payload.js';

/** Creates a client in the mode of the address called (Bearer + tollgate:admin); honours Idempotency-Key. */
builder.mutationField('createClient', (t) =>
  t.field({
    type: CreateClientPayload,
    description:
      'Creates a client in the mode of the address called (Bearer + tollgate:admin). With an Idempotency-Key header, a retry within 24 h returns the first answer; the same key with another input is refused.',
    args: { input: t.arg({ type: CreateClientInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      guarded(async () => {
        const caller = await bearer(ctx, [ADMIN_SCOPE]);
        return createClientIdempotent(
          { ...ctx.deps, idempotency: ctx.idempotency },
          {
            callerId: caller.client.id,
            key: ctx.idempotencyKey,
            actor: { kind: 'graphql', id: caller.client.id, sourceIp: ctx.sourceIp },
            input: {
              name: input.name,
              mode: ctx.mode,
              scopes: input.scopes ?? [],
              allowedIps: input.allowedIps ?? [],
              orgId: input.orgId ?? null,
            },
          },
        );
      }),
  }),
);

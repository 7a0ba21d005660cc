import { actorFor } from '../../../domain/access.js';
import { createClientFor } from '../../../usecases/clients/admin.js';
import { principal } from '../bearer.js';
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
        const caller = await principal(ctx);
        return createClientFor(ctx.deps, caller, {
          key: ctx.idempotencyKey,
          actor: actorFor(caller, ctx.sourceIp),
          input: {
            name: input.name,
            mode: ctx.mode,
            scopes: input.scopes ?? [],
            allowedIps: input.allowedIps ?? [],
            orgId: input.orgId ?? null,
          },
        });
      }),
  }),
);

import { actorFor } from '../../../domain/access.js';
import { updateClientFor } from '../../../usecases/clients/admin.js';
import { principal } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { Client } from '../types/client.js';
import { UpdateClientInput } from '../types/update-client-input.js';

/** Changes a client of this mode (Bearer + tollgate:admin); left-out fields stay. */
builder.mutationField('updateClient', (t) =>
  t.field({
    type: Client,
    description: 'Changes a client of this mode (Bearer + tollgate:admin). Left-out or null fields stay as they are.',
    args: { input: t.arg({ type: UpdateClientInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      guarded(async () => {
        const caller = await principal(ctx);
        return updateClientFor(
          ctx.deps,
          caller,
          input.id,
          {
            name: input.name ?? undefined,
            scopes: input.scopes ?? undefined,
            allowedIps: input.allowedIps ?? undefined,
            enabled: input.enabled ?? undefined,
          },
          actorFor(caller, ctx.sourceIp),
        );
      }),
  }),
);

import { actorFor } from '../../../domain/access.js';
import { updateClientFor } from '../../../usecases/clients/admin.js';
import { principal } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { Client } from '../types/client.js';

/**
 * Disable and enable, as the panel's buttons do (the same as `updateClient` with `enabled`).
 * Disabling ends every token of the client for good; enabling lets only new tokens through.
 */
builder.mutationFields((t) => {
  const setEnabled = (enabled: boolean, description: string) =>
    t.field({
      type: Client,
      description,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, ctx) =>
        guarded(async () => {
          const caller = await principal(ctx);
          return updateClientFor(ctx.deps, caller, id, { enabled }, actorFor(caller, ctx.sourceIp));
        }),
    });
  return {
    disableClient: setEnabled(false, 'Disables a client of this mode: its tokens die at once, its secret stops working.'),
    enableClient: setEnabled(true, 'Enables a client of this mode again; tokens issued before the disable stay dead.'),
  };
});

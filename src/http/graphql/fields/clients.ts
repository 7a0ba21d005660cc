import { findClientFor, listClientsFor } from '../../../usecases/clients/admin.js';
import { principal } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { Client } from '../types/client.js';
import { ClientConnection } from '../types/client-connection.js';

/** Administration reads (Bearer + tollgate:admin), limited to the mode of the address called. */
builder.queryFields((t) => ({
  clients: t.field({
    type: ClientConnection,
    description:
      'Clients of this mode in id order (Bearer + tollgate:admin, or a panel session: a developer sees its organisation’s). `first` defaults to 20, at most 100.',
    args: { first: t.arg.int(), after: t.arg.string(), search: t.arg.string({ description: 'Only clients whose id or name contains this (any case).' }) },
    resolve: (_root, args, ctx) =>
      guarded(async () => {
        const page = await listClientsFor(ctx.deps, await principal(ctx), { first: args.first, after: args.after, search: args.search });
        const edges = page.clients.map((c) => ({ cursor: c.id, node: c }));
        return {
          edges,
          pageInfo: {
            hasNextPage: page.hasNextPage,
            // Relay allows false when looking back is not cheap; paging here is forward only.
            hasPreviousPage: false,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      }),
  }),
  client: t.field({
    type: Client,
    nullable: true,
    description: 'One client of this mode, or null (Bearer + tollgate:admin).',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => guarded(async () => (await findClientFor(ctx.deps, await principal(ctx), id)) ?? null),
  }),
}));

import { actorFor, authorize } from '../../../domain/access.js';
import type { Target } from '../../../domain/api.js';
import { toView } from '../../../domain/client.js';
import { grantsOfFor, removeGrantFor, setGrantFor } from '../../../usecases/apis/admin.js';
import { findClientFor } from '../../../usecases/clients/admin.js';
import { principal } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { Api } from './api.js';
import { Client } from './client.js';
import { DateTime } from './date-time.js';

/** A grant: what one client may ask for at one API. */
export const Grant = builder.objectRef<Target>('Grant').implement({
  description: 'What a client may ask for at an API: some of its permissions.',
  fields: (t) => ({
    clientId: t.id({ resolve: (g) => g.grant.clientId }),
    client: t.field({
      type: Client,
      nullable: true,
      description: 'The client, when the caller may read it.',
      resolve: (g, _args, ctx) =>
        guarded(async () => (await findClientFor(ctx.deps, await principal(ctx), g.grant.clientId)) ?? null),
    }),
    api: t.field({ type: Api, resolve: (g) => g.api }),
    permissions: t.stringList({
      description: 'Granted permissions the API still has (a permission the API lost is no longer given).',
      resolve: (g) => g.grant.permissions.filter((p) => g.api.permissions.some((q) => q.name === p)),
    }),
    createdAt: t.field({ type: DateTime, resolve: (g) => g.grant.createdAt }),
    updatedAt: t.field({ type: DateTime, resolve: (g) => g.grant.updatedAt }),
  }),
});

builder.objectField(Client, 'grants', (t) =>
  t.field({
    type: [Grant],
    description: 'Its grants, one per API, by identifier (its scopes are its grant for the default API).',
    resolve: (c, _args, ctx) => guarded(async () => grantsOfFor(ctx.deps, await principal(ctx), c)),
  }),
);

builder.objectField(Api, 'grants', (t) =>
  t.field({
    type: [Grant],
    description: 'Which clients hold which of its permissions: those of the clients the caller may see.',
    resolve: (api, _args, ctx) =>
      guarded(async () => {
        const caller = await principal(ctx);
        const grants = await ctx.deps.apis.grantsFor(api.id);
        const seen: Target[] = [];
        for (const grant of grants) {
          const client = await ctx.deps.clients.findById(grant.clientId);
          if (!client) continue;
          try {
            authorize(caller, 'read', toView(client, ctx.deps.clock.now()));
          } catch {
            continue;
          }
          seen.push({ api, grant });
        }
        return seen;
      }),
  }),
);

builder.mutationFields((t) => ({
  setGrant: t.field({
    type: Grant,
    description:
      'Sets what a client of this mode may ask for at an API (whoever may change the client). Permissions taken ' +
      'away end the tokens that carry them.',
    args: {
      clientId: t.arg.id({ required: true }),
      identifier: t.arg.string({ required: true, description: "The API's identifier." }),
      permissions: t.arg.stringList({ required: true }),
    },
    resolve: (_root, args, ctx) =>
      guarded(async () => {
        const caller = await principal(ctx);
        return setGrantFor(
          ctx.deps,
          caller,
          String(args.clientId),
          args.identifier,
          args.permissions,
          actorFor(caller, ctx.sourceIp),
        );
      }),
  }),
  removeGrant: t.field({
    type: Grant,
    description: "Removes a client's grant for an API: its tokens for that API die at Tollgate's own endpoints.",
    args: {
      clientId: t.arg.id({ required: true }),
      identifier: t.arg.string({ required: true, description: "The API's identifier." }),
    },
    resolve: (_root, args, ctx) =>
      guarded(async () => {
        const caller = await principal(ctx);
        return removeGrantFor(ctx.deps, caller, String(args.clientId), args.identifier, actorFor(caller, ctx.sourceIp));
      }),
  }),
}));

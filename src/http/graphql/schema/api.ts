import { actorFor } from '../../../domain/access.js';
import type { Api as ApiShape, ApiPermission as ApiPermissionShape } from '../../../domain/api.js';
import { createApiFor, deleteApiFor, findApiFor, listApisFor, updateApiFor } from '../../../usecases/apis/admin.js';
import { principal } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { DateTime } from './date-time.js';
import { Mode } from './mode.js';

/** A permission of an API: what a grant gives and a token carries in `scope` and `permissions`. */
export const ApiPermission = builder.objectRef<ApiPermissionShape>('ApiPermission').implement({
  fields: (t) => ({
    name: t.exposeString('name', { description: 'A scope token, e.g. invoices:read.' }),
    description: t.exposeString('description'),
  }),
});

/** An API (resource server): the unit a token is for. Spec §8. */
export const Api = builder.objectRef<ApiShape>('Api').implement({
  description: 'An API behind Tollgate: a token names one in its `aud`, with the permissions granted there.',
  fields: (t) => ({
    id: t.exposeID('id'),
    identifier: t.exposeString('identifier', {
      description: "The token's `aud`: an absolute URI, unique in its mode.",
    }),
    name: t.exposeString('name'),
    mode: t.field({ type: Mode, resolve: (a) => a.mode }),
    permissions: t.field({ type: [ApiPermission], resolve: (a) => a.permissions }),
    tokenTtlSeconds: t.exposeInt('tokenTtlSeconds', {
      nullable: true,
      description: "Caps every token's lifetime on every door; null: each door's own.",
    }),
    alg: t.exposeString('alg', {
      nullable: true,
      description: "ES256, RS256 or EdDSA; null: the deployment's JWT_ALG.",
    }),
    createdAt: t.field({ type: DateTime, resolve: (a) => a.createdAt }),
    updatedAt: t.field({ type: DateTime, resolve: (a) => a.updatedAt }),
  }),
});

export const ApiPermissionInput = builder.inputType('ApiPermissionInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string({ description: 'Omitted: empty.' }),
  }),
});

export const CreateApiInput = builder.inputType('CreateApiInput', {
  description: 'The API is created in the mode of the address called.',
  fields: (t) => ({
    identifier: t.string({ required: true, description: 'An absolute URI without fragment, at most 255 characters.' }),
    name: t.string({ required: true }),
    permissions: t.field({ type: [ApiPermissionInput] }),
    tokenTtlSeconds: t.int(),
    alg: t.string({ description: 'ES256, RS256 or EdDSA.' }),
  }),
});

export const UpdateApiInput = builder.inputType('UpdateApiInput', {
  description: 'Fields left out stay as they are; `clearTokenTtl` lifts the cap.',
  fields: (t) => ({
    identifier: t.string({ required: true }),
    name: t.string(),
    permissions: t.field({
      type: [ApiPermissionInput],
      description: 'The whole new list: a permission left out is taken away.',
    }),
    tokenTtlSeconds: t.int(),
    clearTokenTtl: t.boolean(),
  }),
});

const permissionsOf = (list: ReadonlyArray<{ name: string; description?: string | null }>): ApiPermissionShape[] =>
  list.map((p) => ({ name: p.name, description: p.description ?? '' }));

builder.queryFields((t) => ({
  apis: t.field({
    type: [Api],
    description: 'The APIs of this mode, by identifier (Bearer + tollgate:admin, or a panel session).',
    resolve: (_root, _args, ctx) => guarded(async () => listApisFor(ctx.deps, await principal(ctx))),
  }),
  api: t.field({
    type: Api,
    nullable: true,
    description: 'One API of this mode by its identifier, or null.',
    args: { identifier: t.arg.string({ required: true }) },
    resolve: (_root, { identifier }, ctx) =>
      guarded(async () => (await findApiFor(ctx.deps, await principal(ctx), identifier)) ?? null),
  }),
}));

builder.mutationFields((t) => ({
  createApi: t.field({
    type: Api,
    description: 'Creates an API in the mode of the address called (a deployment admin only).',
    args: { input: t.arg({ type: CreateApiInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      guarded(async () => {
        const caller = await principal(ctx);
        const create = {
          identifier: input.identifier,
          name: input.name,
          permissions: permissionsOf(input.permissions ?? []),
          tokenTtlSeconds: input.tokenTtlSeconds ?? null,
          alg: input.alg ?? null,
        };
        return createApiFor(ctx.deps, caller, create, actorFor(caller, ctx.sourceIp));
      }),
  }),
  updateApi: t.field({
    type: Api,
    description:
      'Changes an API of this mode (a deployment admin only). A permission taken away ends the tokens that carry ' +
      "it at Tollgate's own endpoints.",
    args: { input: t.arg({ type: UpdateApiInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      guarded(async () => {
        const caller = await principal(ctx);
        const ttl = input.clearTokenTtl
          ? { tokenTtlSeconds: null }
          : input.tokenTtlSeconds == null
            ? {}
            : { tokenTtlSeconds: input.tokenTtlSeconds };
        const change = {
          ...(input.name == null ? {} : { name: input.name }),
          ...(input.permissions == null ? {} : { permissions: permissionsOf(input.permissions) }),
          ...ttl,
        };
        return updateApiFor(ctx.deps, caller, input.identifier, change, actorFor(caller, ctx.sourceIp));
      }),
  }),
  deleteApi: t.field({
    type: Api,
    description:
      'Deletes an API of this mode (a deployment admin only); refused while grants exist unless `force`. Its ' +
      "tokens die at Tollgate's own endpoints.",
    args: { identifier: t.arg.string({ required: true }), force: t.arg.boolean() },
    resolve: (_root, { identifier, force }, ctx) =>
      guarded(async () => {
        const caller = await principal(ctx);
        return deleteApiFor(ctx.deps, caller, identifier, force ?? false, actorFor(caller, ctx.sourceIp));
      }),
  }),
}));

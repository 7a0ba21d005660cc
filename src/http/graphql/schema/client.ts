import { actorFor } from '../../../domain/access.js';
import { type ClientView, toView, viewGraceEndsAt } from '../../../domain/client.js';
import {
  clientAuditFor,
  createClientFor,
  deleteClientFor,
  findClientFor,
  listClientsFor,
  updateClientFor,
} from '../../../usecases/clients/admin.js';
import type { ClientWithSecret, RotatedSecret as RotatedSecretResult } from '../../../usecases/clients/manage.js';
import { replaySelfRotation, rotateClientSecret } from '../../../usecases/clients/rotate.js';
import { bearer, operator, principal, signedClaims } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { credentialCheck } from '../rules/one-credential-check.js';
import { AuditEvent } from './audit-event.js';
import { DateTime } from './date-time.js';
import { Mode } from './mode.js';

/** A client as a caller may see it: never its secret or hashes. */
export const Client = builder.objectRef<ClientView>('Client').implement({
  description: 'A machine client: what it may ask for and from where.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'cl_live_… or cl_test_…' }),
    name: t.exposeString('name'),
    mode: t.field({ type: Mode, resolve: (c) => c.mode }),
    scopes: t.exposeStringList('scopes'),
    allowedIps: t.exposeStringList('allowedIps', { description: 'CIDRs; empty means any address.' }),
    orgId: t.exposeString('orgId', { nullable: true }),
    enabled: t.exposeBoolean('enabled'),
    secretGeneration: t.exposeInt('secretGeneration', {
      description: 'Bumped by every rotation; older tokens die with it.',
    }),
    createdAt: t.field({ type: DateTime, resolve: (c) => c.createdAt }),
    graceEndsAt: t.field({
      type: DateTime,
      nullable: true,
      description:
        'When the previous secret, and the tokens issued with it, stop working: the end of the grace period of ' +
        'the last rotation while it runs; null when no grace is running.',
      resolve: (c, _args, ctx) => viewGraceEndsAt(c, ctx.deps.clock.now()),
    }),
    lastUsedAt: t.field({
      type: DateTime,
      nullable: true,
      description: 'When a token was last issued to it, to the minute; null: never.',
      resolve: (c) => c.lastUsedAt,
    }),
    auditTrail: t.field({
      type: [AuditEvent],
      description:
        'Its recorded changes and lockouts, newest first (administration: Bearer + tollgate:admin, or the panel). ' +
        '`first` defaults to 20, at most 100.',
      args: { first: t.arg.int() },
      resolve: (c, { first }, ctx) => guarded(async () => clientAuditFor(ctx.deps, await principal(ctx), c.id, first)),
    }),
  }),
});

/** A Relay connection over clients, paged forward by `first` / `after`. */
export const ClientConnection = builder.connectionObject(
  { type: Client, name: 'ClientConnection' },
  { name: 'ClientEdge' },
);

export const CreateClientInput = builder.inputType('CreateClientInput', {
  description: 'The client is created in the mode of the address called.',
  fields: (t) => ({
    name: t.string({ required: true }),
    scopes: t.stringList({ description: 'Scopes the client may ask for.' }),
    allowedIps: t.stringList({ description: 'CIDRs (IPv4 or IPv6); omitted or empty, any address.' }),
    orgId: t.string(),
  }),
});

export const CreateClientPayload = builder.objectRef<ClientWithSecret>('CreateClientPayload').implement({
  description: 'The new client and its secret, shown only in this answer (and its idempotent replays).',
  fields: (t) => ({
    client: t.field({ type: Client, resolve: (p) => p.client }),
    clientSecret: t.exposeString('clientSecret'),
  }),
});

export const UpdateClientInput = builder.inputType('UpdateClientInput', {
  description: 'Fields left out stay as they are; so do null ones, but for tokensPerMinute and burst.',
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string(),
    scopes: t.stringList(),
    allowedIps: t.stringList({ description: 'An empty list lifts the allowlist.' }),
    enabled: t.boolean(),
    tokensPerMinute: t.int({ description: 'The token quota; null removes it (and its burst).' }),
    burst: t.int({ description: 'Tokens at once under the quota; null: as many as tokensPerMinute.' }),
  }),
});

export interface RotatedSecretShape {
  clientId: string;
  clientSecret: string;
  generation: number;
  /** When the previous secret stops working (epoch ms), null when it already has. */
  graceEndsAt: number | null;
}

export const RotatedSecret = builder.objectRef<RotatedSecretShape>('RotatedSecret').implement({
  description: 'A new secret, shown only this once.',
  fields: (t) => ({
    clientId: t.exposeID('clientId'),
    clientSecret: t.exposeString('clientSecret'),
    generation: t.exposeInt('generation', { description: 'The new secret generation.' }),
    graceEndsAt: t.field({
      type: DateTime,
      nullable: true,
      description: 'When the previous secret and its tokens stop working; null: they already have (no grace).',
      resolve: (r) => r.graceEndsAt,
    }),
  }),
});

/** A rotation's answer as GraphQL gives it: the new secret, and until when the old one works. */
const rotatedShape = (r: RotatedSecretResult, now: number): RotatedSecretShape => ({
  clientId: r.client.id,
  clientSecret: r.clientSecret,
  generation: r.generation,
  graceEndsAt: viewGraceEndsAt(r.client, now),
});

/** Administration reads (Bearer + tollgate:admin), limited to the mode of the address called. */
builder.queryFields((t) => ({
  clients: t.field({
    type: ClientConnection,
    description:
      'Clients of this mode in id order (Bearer + tollgate:admin, or a panel session: a developer sees its ' +
      'organisation’s). `first` defaults to 20, at most 100.',
    args: {
      first: t.arg.int(),
      after: t.arg.string(),
      search: t.arg.string({ description: 'Only clients whose id or name contains this (any case).' }),
    },
    resolve: (_root, args, ctx) =>
      guarded(async () => {
        const page = await listClientsFor(ctx.deps, await principal(ctx), {
          first: args.first,
          after: args.after,
          search: args.search,
        });
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
    resolve: (_root, { id }, ctx) =>
      guarded(async () => (await findClientFor(ctx.deps, await principal(ctx), id)) ?? null),
  }),
}));

/** The client the Bearer token belongs to. */
builder.queryField('viewer', (t) =>
  t.field({
    type: Client,
    nullable: true,
    description: 'The calling client (Bearer).',
    resolve: (_root, _args, ctx) => guarded(async () => toView((await bearer(ctx)).client, ctx.deps.clock.now())),
  }),
);

/** Creates a client in the mode of the address called (Bearer + tollgate:admin); honours Idempotency-Key. */
builder.mutationField('createClient', (t) =>
  t.field({
    type: CreateClientPayload,
    description:
      'Creates a client in the mode of the address called (Bearer + tollgate:admin). With an Idempotency-Key ' +
      'header, a retry within 24 h returns the first answer; the same key with another input is refused.',
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
            // Here null means something: no quota (or the default burst).
            tokensPerMinute: input.tokensPerMinute,
            burst: input.burst,
          },
          actorFor(caller, ctx.sourceIp),
        );
      }),
  }),
);

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
    disableClient: setEnabled(
      false,
      'Disables a client of this mode: its tokens die at once, its secret stops working. On a client already ' +
        'disabled, nothing changes (no generation bump, no audit event) and the answer is the client as it is.',
    ),
    enableClient: setEnabled(
      true,
      'Enables a client of this mode again; tokens issued before the disable stay dead. On a client already ' +
        'enabled, nothing changes and the answer is the client as it is.',
    ),
  };
});

/** `tollgate clients delete ID`: whoever may disable the client may delete it. */
builder.mutationField('deleteClient', (t) =>
  t.field({
    type: Client,
    description:
      'Deletes a client of this mode for good (Bearer + tollgate:admin, or the panel role that may disable it): ' +
      'every token of it dies at once and its id never comes back. Answers the client as it was; audited.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) =>
      guarded(async () => {
        const caller = await principal(ctx);
        return deleteClientFor(ctx.deps, caller, id, actorFor(caller, ctx.sourceIp));
      }),
  }),
);

/**
 * Self-service rotation (no clientId: the caller's own secret, so the token used dies with it
 * unless a grace keeps it), or an admin rotating another client of this mode. Honours
 * Idempotency-Key like createClient.
 */
builder.mutationField('rotateClientSecret', (t) =>
  t.field({
    type: RotatedSecret,
    description:
      'Replaces a secret and bumps its generation (Bearer, or a panel session naming clientId). Without clientId, ' +
      "the calling client's own; with it, tollgate:admin (or the panel role) is needed. With an Idempotency-Key " +
      'header, a retry within 24 h returns the first answer, even with the token a self-rotation killed.',
    extensions: credentialCheck,
    args: {
      clientId: t.arg.id(),
      graceSeconds: t.arg.int({ description: 'Keep the old secret and its tokens valid this long (default 0).' }),
    },
    resolve: (_root, { clientId, graceSeconds }, ctx) =>
      guarded(async () => {
        const grace = graceSeconds ?? 0;
        const key = ctx.idempotencyKey;
        if (ctx.authorization === undefined && ctx.sessionCookie !== undefined) {
          // A person in the panel: always names the client; the core decides by role and organisation.
          const person = await operator(ctx);
          const rotated = await rotateClientSecret(ctx.deps, person, {
            clientId: clientId ?? undefined,
            graceSeconds: grace,
            key,
            actor: actorFor(person, ctx.sourceIp),
          });
          return rotatedShape(rotated, ctx.deps.clock.now());
        }
        let valid: Awaited<ReturnType<typeof bearer>>;
        try {
          valid = await bearer(ctx);
        } catch (refused) {
          const claims =
            key !== undefined && (clientId === null || clientId === undefined) ? await signedClaims(ctx) : undefined;
          const replay =
            claims && (await replaySelfRotation(ctx.deps, claims, ctx.mode, { key: key!, graceSeconds: grace }));
          if (!replay) throw refused;
          return rotatedShape(replay, ctx.deps.clock.now());
        }
        const caller = {
          kind: 'client',
          clientId: valid.client.id,
          mode: ctx.mode,
          scopes: valid.scopes,
          orgId: valid.client.orgId,
          tokenId: valid.claims.jti,
        } as const;
        const rotated = await rotateClientSecret(ctx.deps, caller, {
          clientId: clientId ?? undefined,
          graceSeconds: grace,
          key,
          actor: actorFor(caller, ctx.sourceIp),
        });
        return rotatedShape(rotated, ctx.deps.clock.now());
      }),
  }),
);

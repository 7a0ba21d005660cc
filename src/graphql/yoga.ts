import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { FastifyBaseLogger } from 'fastify';
import type { DoorContext } from '../http/door.js';
import { SqliteIdempotencyStore } from '../infra/db/idempotency-store.js';
import type { GraphQLServerContext, GraphQLUserContext } from './context.js';
import { oneCredentialCheckPerOperation } from './rules/one-credential-check.js';
import { schema } from './schema.js';

export type Yoga = YogaServerInstance<GraphQLServerContext, GraphQLUserContext>;

/** The path yoga is asked at; the HTTP mount maps both `/graphql` and `/test/graphql` onto it. */
export const YOGA_ENDPOINT = '/graphql';

/**
 * Abuse limits (spec §5). The deepest real query (`clients { edges { node { id } } }`) is 4
 * levels; ten aliases cover any honest admin script; introspection stays within the token limit.
 */
export const LIMITS = {
  maxDepth: 6,
  maxAliases: 10,
  maxTokens: 1000,
  maxDirectives: 10,
  maxCost: 5000,
} as const;

const useCredentialCheckLimit = (): Plugin => ({
  onValidate: ({ addValidationRule }) => addValidationRule(oneCredentialCheckPerOperation),
});

/**
 * The GraphQL server, built once per app. Development (anything but NODE_ENV=production) gets
 * GraphiQL, field suggestions and the original error attached to masked ones; elsewhere none of them.
 */
export function buildYoga(ctx: DoorContext, log: FastifyBaseLogger): Yoga {
  const development = !ctx.config.production;
  const idempotency = new SqliteIdempotencyStore(ctx.services.db, ctx.services.masterKey);
  return createYoga<GraphQLServerContext, GraphQLUserContext>({
    schema,
    graphqlEndpoint: YOGA_ENDPOINT,
    context: ({ request }): GraphQLUserContext => ({
      deps: ctx.deps,
      config: ctx.config,
      idempotency,
      authorization: request.headers.get('authorization') ?? undefined,
      idempotencyKey: request.headers.get('idempotency-key') ?? undefined,
    }),
    // An array of operations would let one request carry many credential checks.
    batching: false,
    // Machine clients do not need browsers' cross-origin reads; no CORS headers at all.
    cors: false,
    multipart: false,
    landingPage: false,
    healthCheckEndpoint: '/graphql/__no_health_check',
    graphiql: development ? (_request, server) => ({ endpoint: server.mountPath, title: 'Tollgate GraphQL' }) : false,
    maskedErrors: { isDev: development },
    logging: {
      debug: () => undefined,
      info: () => undefined,
      warn: (...args: unknown[]) => log.warn({ graphql: args.map(String) }, 'graphql warning'),
      error: (...args: unknown[]) => {
        for (const a of args) log.error(a instanceof Error ? { err: a } : { detail: String(a) }, 'graphql error');
      },
    },
    plugins: [
      EnvelopArmorPlugin({
        maxDepth: { n: LIMITS.maxDepth },
        maxAliases: { n: LIMITS.maxAliases },
        maxTokens: { n: LIMITS.maxTokens },
        maxDirectives: { n: LIMITS.maxDirectives },
        costLimit: { maxCost: LIMITS.maxCost },
        blockFieldSuggestion: { enabled: !development },
      }),
      useCredentialCheckLimit(),
    ],
  });
}

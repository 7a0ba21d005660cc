import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { FastifyBaseLogger } from 'fastify';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { DoorContext } from '../door.js';
import type { GraphQLServerContext, GraphQLUserContext } from './context.js';
import { useGraphQLJsExecute } from './plugins/graphql-js-execute.js';
import { useNoEchoedValues } from './plugins/no-echoed-values.js';
import { useValidationCache } from './plugins/validation-cache.js';
import { oneCredentialCheckPerOperation } from './rules/one-credential-check.js';
import { schema } from './schema.js';
import { renderLocalGraphiQL } from '../graphiql.js';

export type Yoga = YogaServerInstance<GraphQLServerContext, GraphQLUserContext>;

/** The path yoga is asked at; the HTTP mount maps both `/graphql` and `/test/graphql` onto it. */
export const YOGA_ENDPOINT = '/graphql';

/**
 * Abuse limits (spec §5). The deepest real query (`clients { edges { node { id } } }`) is 4
 * levels; ten aliases (`__typename` included) cover any honest admin script. Depth does not
 * count `__schema`, so GraphiQL's introspection passes in development.
 */
export const LIMITS = {
  maxDepth: 6,
  maxAliases: 10,
  maxTokens: 1000,
  maxDirectives: 10,
  maxCost: 5000,
} as const;

/**
 * Armor throws its rejections out of validation by default, which yoga answers 200 without a
 * code; reported instead, they are validation errors like any other (400, GRAPHQL_VALIDATION_FAILED).
 */
const asValidationError = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
};

const useCredentialCheckLimit = (): Plugin => ({
  onValidate: ({ addValidationRule }) => addValidationRule(oneCredentialCheckPerOperation),
});

/**
 * The GraphQL server, built once per app. It serves GraphiQL everywhere; field suggestions
 * only outside production. Masked errors carry their original error (a stack with file paths) only when
 * NODE_ENV=development is set on purpose: an unset NODE_ENV must not leak them.
 */
export function buildYoga(ctx: DoorContext, log: FastifyBaseLogger): Yoga {
  const development = !ctx.config.production;
  return createYoga<GraphQLServerContext, GraphQLUserContext>({
    schema,
    graphqlEndpoint: YOGA_ENDPOINT,
    context: (): GraphQLUserContext => ({ deps: ctx.deps, config: ctx.config }),
    // An array of operations would let one request carry many credential checks.
    batching: false,
    // Machine clients do not need browsers' cross-origin reads; no CORS headers at all.
    cors: false,
    multipart: false,
    // Fastify's bodyLimit (64 KiB) has refused larger bodies before yoga sees one; yoga's own
    // check pipes every body through a counting stream, which cost ~5% of a GraphQL request.
    maxRequestBodySize: false,
    // Parsed documents stay in yoga's cache; validation results go to ours (useValidationCache).
    parserAndValidationCache: { validationCache: false },
    landingPage: false,
    // GraphiQL in every environment (a GET with Accept: text/html), its files served by this
    // server (src/http/graphiql.ts): nothing from a CDN.
    graphiql: (_request, server) => ({ endpoint: server.mountPath, title: 'Tollgate GraphQL' }),
    renderGraphiQL: renderLocalGraphiQL,
    maskedErrors: { isDev: ctx.config.development },
    logging: {
      debug: () => undefined,
      info: () => undefined,
      warn: (...args: unknown[]) => log.warn({ graphql: args.map(String) }, 'graphql warning'),
      error: (...args: unknown[]) => {
        for (const a of args) log.error(a instanceof Error ? { err: a } : { detail: String(a) }, 'graphql error');
      },
    },
    plugins: [
      useGraphQLJsExecute(),
      useValidationCache(),
      EnvelopArmorPlugin({
        maxDepth: { n: LIMITS.maxDepth, ...asValidationError },
        maxAliases: { n: LIMITS.maxAliases, allowList: [], ...asValidationError },
        maxDirectives: { n: LIMITS.maxDirectives, ...asValidationError },
        costLimit: { maxCost: LIMITS.maxCost, ...asValidationError },
        // Counted while parsing, so it fails as a parse error (400 GRAPHQL_PARSE_FAILED).
        maxTokens: { n: LIMITS.maxTokens },
        blockFieldSuggestion: { enabled: !development },
      }),
      useCredentialCheckLimit(),
      useNoEchoedValues(),
    ],
  });
}

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import swagger, { type SwaggerOptions, type SwaggerTransformObject } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyPluginAsync, FastifySchema } from 'fastify';
import { FAVICON_SVG } from './favicon.js';
import { TOOL_PAGE_HEADERS } from './html-headers.js';
import { DOCUMENTED_ONLY } from './schemas.js';

/** Where the document and its UI are served. */
export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PREFIX = '/docs';

/**
 * Mounts whose routes the document leaves out: the `/test` copies (one `servers` entry instead) and GraphQL (its SDL is
 * `schema/schema.graphql`).
 */
const isTestCopy = (url: string): boolean => url === '/test' || url.startsWith('/test/');
const isGraphql = (url: string): boolean => url === '/graphql' || url.startsWith('/graphql/');

/** The version of the package, read from the project's package.json (from src/ or dist/src/). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return '0.0.0';
    dir = up;
  }
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
}

const DESCRIPTION = [
  'Machine-to-machine tokens: client credentials in, RFC 9068 access tokens out, in several wire ' +
    'dialects (tags `v1`, `v2`, `oauth2`, `common`), plus Bearer-protected endpoints (`common`, ' +
    '`forward-auth`) and operator probes (`ops`).',
  '**Modes.** Every path of the doors is served twice: live at the path as written, test mode under the ' +
    'prefix `/test` (e.g. `POST /test/v1/auth/token`); pick the server. Ids and secrets carry their mode ' +
    '(`cl_live_…`, `sk_test_…`), each mode has its own issuer (`ISSUER`, `ISSUER/test`) and signing keys, ' +
    'and credentials of one mode get `invalid_client` in the other. The operator endpoints (`ops`) and ' +
    'this document are served at the live paths only.',
  '**Errors.** Each door answers every failure in its own envelope, listed per status. Every error ' +
    'carries `Cache-Control: no-store`; `rate_limited` carries `Retry-After`.',
  'The GraphQL API (`POST /graphql`, `/test/graphql`) is described by its SDL, `schema/schema.graphql`. ' +
    'This document is generated from the route schemas (`npm run schema:openapi`) and committed as ' +
    '`schema/openapi.json`.',
].join('\n\n');

/** Live paths only: the probes, the document and its UI are not mounted under `/test`. */
const LIVE_ONLY_TAGS = new Set(['ops', 'docs']);

const OPTIONS: SwaggerOptions = {
  openapi: {
    openapi: '3.1.0',
    info: { title: 'Tollgate', version: packageVersion(), description: DESCRIPTION },
    servers: [
      { url: '/', description: 'Live mode' },
      { url: '/test', description: 'Test mode: the same paths under /test' },
    ],
    tags: [
      {
        name: 'v1',
        description:
          'Form-encoded token exchange for clients written against `POST /v1/auth/token`: `{"data":{…}}` / ' +
          '`{"error":{code,code_reason,message}}`.',
      },
      {
        name: 'v2',
        description:
          'camelCase JSON token exchange for clients written against `POST /v2/credentials/oauth/token`: ' +
          '`google.rpc.Status` errors.',
      },
      {
        name: 'oauth2',
        description:
          'Standard OAuth 2.0 (RFC 6749) client credentials with refresh tokens, introspection, revocation and ' +
          'discovery.',
      },
      {
        name: 'common',
        description:
          'JSON token exchange in the CommonResponse envelope `{code,message,data}` (non-expiring tokens by ' +
          'default), and the Bearer endpoint `/me`.',
      },
      { name: 'forward-auth', description: "A reverse proxy's forward authentication." },
      { name: 'ops', description: 'Operator endpoints (live paths only).' },
      { name: 'docs', description: 'This document (live paths only).' },
    ],
    components: {
      securitySchemes: {
        clientSecretBasic: {
          type: 'http',
          scheme: 'basic',
          description: 'RFC 6749 §2.3.1: base64 of form-encoded `client_id:client_secret`.',
        },
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access token from any token endpoint of the same mode (RFC 6750 §2.1).',
        },
      },
    },
  },
  // Paths are kept as registered; the `/test` copies are left out here, not stripped.
  stripBasePath: false,
  transform: ({ schema, url }) => ({
    schema: isTestCopy(url) || isGraphql(url) ? { ...schema, hide: true } : withDocumentedOnly(schema),
    url,
  }),
  transformObject: (doc) =>
    finishDocument(
      'openapiObject' in doc ? (doc.openapiObject as Record<string, unknown>) : {},
    ) as ReturnType<SwaggerTransformObject>,
};

/** Answers a route documents without serializing them join its `response` here, in the document only. */
function withDocumentedOnly(schema: FastifySchema): FastifySchema {
  // Routes without a schema (GraphQL, Swagger UI's own) come as undefined, whatever the type says.
  if (!schema || !(DOCUMENTED_ONLY in schema)) return schema;
  const { [DOCUMENTED_ONLY]: extra, ...rest } = schema as FastifySchema & {
    [DOCUMENTED_ONLY]: Record<string, unknown>;
  };
  return { ...rest, response: { ...(rest.response as Record<string, unknown> | undefined), ...extra } };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNamedSchema = (v: Record<string, unknown>): boolean =>
  typeof v.title === 'string' && /^[A-Z][A-Za-z0-9]*$/.test(v.title) && ('type' in v || 'anyOf' in v || 'oneOf' in v);

/**
 * The document as committed: every schema with a `title` moved to `components.schemas` (one
 * named model per envelope, body and answer, instead of a copy per operation), one
 * operationId per method where a route answers several, and keys in a stable order.
 */
function finishDocument(doc: Record<string, unknown>): Record<string, unknown> {
  const named: Record<string, unknown> = {};
  const hoist = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(hoist);
    if (!isRecord(node)) return node;
    const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, hoist(v)]));
    if (!isNamedSchema(out)) return out;
    const title = out.title as string;
    if (title in named && JSON.stringify(named[title]) !== JSON.stringify(out))
      throw new Error(`two different schemas are titled ${title}`);
    named[title] = out;
    return { $ref: `#/components/schemas/${title}` };
  };
  const paths = hoist(doc.paths) as Record<string, Record<string, Record<string, unknown>>>;

  const ids = new Map<string, number>();
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item))
      if (typeof op.operationId === 'string') ids.set(op.operationId, (ids.get(op.operationId) ?? 0) + 1);
  }
  for (const item of Object.values(paths)) {
    for (const [method, op] of Object.entries(item)) {
      const id = op.operationId;
      if (typeof id === 'string' && (ids.get(id) ?? 0) > 1 && method !== 'get')
        op.operationId = id + method[0]!.toUpperCase() + method.slice(1);
    }
  }
  // Live-only operations say so where a client generator reads it: their own `servers`.
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) {
      if (Array.isArray(op.tags) && op.tags.some((t) => LIVE_ONLY_TAGS.has(t as string)) && !op.servers)
        op.servers = [{ url: '/', description: 'Live paths only' }];
    }
  }
  const components = isRecord(doc.components) ? doc.components : {};
  const schemas = isRecord(components.schemas) ? components.schemas : {};
  return sortKeys({ ...doc, paths, components: { ...components, schemas: { ...schemas, ...named } } }) as Record<
    string,
    unknown
  >;
}

/**
 * Keys sorted at every level, for a diff-friendly committed file; except the members of
 * `properties`, which keep the order each door writes them on the wire.
 */
function sortKeys(node: unknown, keepOrder = false): unknown {
  if (Array.isArray(node)) return node.map((n) => sortKeys(n));
  if (!isRecord(node)) return node;
  const keys = keepOrder ? Object.keys(node) : Object.keys(node).sort();
  return Object.fromEntries(keys.map((k) => [k, sortKeys(node[k], k === 'properties' && !keepOrder)]));
}

/** The document as served at `/openapi.json` and committed at `schema/openapi.json`. */
export function openapiText(app: FastifyInstance): string {
  return `${JSON.stringify(app.swagger(), null, 2)}\n`;
}

const documentRoute: FastifyPluginAsync = async (app) => {
  let text: string | undefined;
  app.get(
    OPENAPI_PATH,
    {
      schema: {
        tags: ['docs'],
        operationId: 'openapi',
        summary: 'This OpenAPI 3.1 document',
        description: `Also browsable at \`${DOCS_PREFIX}\`.`,
        // A string answer is not serialized: the schema documents it only.
        response: {
          200: { description: 'The document.', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
    async (_req, reply) => {
      text ??= openapiText(app);
      return reply.type('application/json; charset=utf-8').send(text);
    },
  );
};

/**
 * The OpenAPI document of the REST doors, built from their route schemas, at `/openapi.json`,
 * and Swagger UI at `/docs` (served from the package: nothing is fetched from the internet).
 * Register before the doors: the document sees only routes added after it.
 */
export function registerApiDocs(app: FastifyInstance): void {
  app.register(swagger, OPTIONS);
  // Every file under /docs carries the headers of every HTML page (src/http/html-headers.ts):
  // the hook sits on a context of its own around Swagger UI, so its static files get it too.
  app.register(async (docs) => {
    docs.addHook('onRequest', async (_req, reply) => {
      reply.headers(TOOL_PAGE_HEADERS);
    });
    await docs.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      theme: {
        title: 'Tollgate API',
        // Tollgate's icon, as on every other page, in place of Swagger's.
        favicon: [
          {
            filename: 'favicon.svg',
            rel: 'icon',
            sizes: 'any',
            type: 'image/svg+xml',
            content: Buffer.from(FAVICON_SVG),
          },
        ],
      },
      uiConfig: { deepLinking: true },
    });
  });
  app.register(documentRoute);
}

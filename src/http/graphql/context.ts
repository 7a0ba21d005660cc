import type { Config } from '../../config.js';
import type { Metrics } from '../../infra/metrics.js';
import type { Mode } from '../../domain/mode.js';
import type { Deps } from '../../usecases/deps.js';

/** What the HTTP mount hands yoga with every request, worked out once from the Fastify request. */
export interface GraphQLServerContext {
  /** The mode of the address called (`/graphql` live, `/test/graphql` test, or a TEST_HOSTS host). */
  mode: Mode;
  /** The caller's source address as the core resolves it (socket peer, or X-Forwarded-For behind TRUST_PROXY). */
  sourceIp: string;
  /** Where this mount lives, for GraphiQL to post back to. */
  mountPath: string;
  /** Headers a resolver adds to the HTTP answer (Retry-After of a lockout). */
  responseHeaders: Record<string, string>;
  /** The app's metrics: GraphQL answers 200 for failures too, so it counts its own outcomes. */
  metrics: Metrics;
  /** The raw `Authorization` header; checked by the core, field by field. */
  authorization: string | undefined;
  /** The raw `Idempotency-Key` header. */
  idempotencyKey: string | undefined;
  /** The panel's session cookie, when the request carries one (see session-cookie.ts). */
  sessionCookie: string | undefined;
  /**
   * Whether a browser could only have sent this request from the panel's own pages: the CSRF
   * header is present (a cross-site page cannot add it without a preflight we never grant) and
   * the `Origin`, required on a POST, is this server's. Cookie-authenticated fields need it.
   */
  sameOrigin: boolean;
}

/** What yoga's context factory adds to the server context. */
export interface GraphQLUserContext {
  deps: Deps;
  config: Config;
}

/** What every resolver sees. */
export type GraphQLContext = GraphQLServerContext & GraphQLUserContext;

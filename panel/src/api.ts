/**
 * The panel's only way to the server: GraphQL over POST, JSON, same origin, with the session
 * cookie. `x-tollgate-csrf` makes every call a non-simple request, which a page on another
 * origin cannot send without a CORS preflight the server never grants (spec §5).
 */
export type Mode = 'LIVE' | 'TEST';
export type Role = 'ADMIN' | 'DEVELOPER' | 'VIEWER';

export const endpointOf = (mode: Mode): string => (mode === 'TEST' ? '/test/graphql' : '/graphql');

/** A failed call, carrying the server's own words (`errors[0].message`) and code. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

type Listener = (e: ApiError) => void;
const unauthenticated = new Set<Listener>();
/** Called whenever the server says the session is gone, so the app can show the sign-in page. */
export function onUnauthenticated(l: Listener): () => void {
  unauthenticated.add(l);
  return () => unauthenticated.delete(l);
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: Array<{ message?: string; extensions?: { code?: string } }>;
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}, mode: Mode = 'LIVE'): Promise<T> {
  let res: Response;
  try {
    res = await fetch(endpointOf(mode), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-tollgate-csrf': '1' },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError('The server could not be reached. Check your connection and try again.', 'NETWORK');
  }
  let body: GraphQLBody<T>;
  try {
    body = (await res.json()) as GraphQLBody<T>;
  } catch {
    throw new ApiError(`The server answered ${res.status} without a GraphQL body.`, undefined);
  }
  const first = body.errors?.[0];
  if (first) {
    const err = new ApiError(first.message ?? 'The server refused the request.', first.extensions?.code);
    if (err.code === 'UNAUTHENTICATED') for (const l of unauthenticated) l(err);
    throw err;
  }
  if (!body.data) throw new ApiError(`The server answered ${res.status} without data.`, undefined);
  return body.data;
}

export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

// ---- types as the schema has them ---------------------------------------------------------

export interface Operator {
  id: string;
  email: string;
  role: Role;
  orgId: string | null;
  enabled: boolean;
  totpEnabled: boolean;
  createdAt: string;
}
export interface PanelSession {
  operator: Operator;
  expiresAt: string;
  totpEnrollmentRequired: boolean;
}
export interface AuditEvent {
  id: string;
  at: string;
  action: string;
  actor: string;
  clientId: string | null;
  sourceIp: string | null;
  detail: string;
  /** The event in words, as the server writes it. */
  summary: string;
}
export interface Client {
  id: string;
  name: string;
  mode: Mode;
  scopes: string[];
  allowedIps: string[];
  orgId: string | null;
  enabled: boolean;
  secretGeneration: number;
  createdAt: string;
  lastUsedAt: string | null;
  /** When the previous secret stops working, while a rotation's grace period runs; else null. */
  graceEndsAt: string | null;
  /** Its token quota (spec §11); null: none. */
  tokensPerMinute: number | null;
  /** Tokens at once under the quota; null: as many as tokensPerMinute. */
  burst: number | null;
}
export interface SigningKey {
  kid: string;
  mode: Mode;
  alg: string;
  current: boolean;
  createdAt: string;
  /** What retiring it ends; null for a current key. */
  retirement: SigningKeyRetirement | null;
}
export interface SigningKeyRetirement {
  signedFrom: string;
  signedUntil: string;
  replacedBy: string;
  commonTokensNeverExpire: boolean;
  expiringTokensVerifiableUntil: string;
  longestTokenLifetimeSeconds: number;
}

export const OPERATOR_FIELDS = 'id email role orgId enabled totpEnabled createdAt';
export const SESSION_FIELDS = `operator { ${OPERATOR_FIELDS} } expiresAt totpEnrollmentRequired`;
export const CLIENT_FIELDS =
  'id name mode scopes allowedIps orgId enabled secretGeneration createdAt lastUsedAt graceEndsAt tokensPerMinute burst';

/** The mode a client id carries (`cl_live_…`, `cl_test_…`). */
export const modeOfClientId = (id: string): Mode => (id.startsWith('cl_test_') ? 'TEST' : 'LIVE');

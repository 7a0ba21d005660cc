import { SERVER_ERROR_CODES, type TokenErrorCode } from './errors.js';

/** The token doors a {@link TokenSource} can speak (see the project README for their shapes). */
export const DIALECTS = ['oauth2', 'v1', 'v2', 'common'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** How the oauth2 door is told who the client is. @see RFC 6749 §2.3.1 */
export type ClientAuth = 'basic' | 'body';

/** What a token door granted, whatever its envelope. */
export interface Grant {
  accessToken: string;
  /** Lifetime in seconds; null when the token does not expire (the common door by default). */
  expiresIn: number | null;
  /** oauth2 only. */
  refreshToken?: string;
  scope?: string;
}

export interface WireRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface ExchangeInput {
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** The API the token is for (its identifier, the token's `aud`); omitted, the default API. */
  audience?: string;
  clientAuth: ClientAuth;
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const ACCEPT = { accept: JSON_TYPE };

const form = (fields: Record<string, string | undefined>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) p.set(k, v);
  return p.toString();
};

const json = (fields: Record<string, string | undefined>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));

/** One value encoded as `application/x-www-form-urlencoded`. */
const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2);

/**
 * HTTP Basic for a token endpoint: each part form-encoded before the two are joined, as RFC 6749
 * Appendix B requires (many clients skip this step; a secret holding `+` or `%` then breaks).
 * @see RFC 6749 §2.3.1, RFC 7617 §2
 */
export function basicCredentials(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`, 'utf8').toString('base64')}`;
}

/**
 * The full client-credentials exchange, in the dialect's own shape. The API is named as each door
 * spells it: RFC 8707 `resource` on oauth2, `audience` on the others.
 * @see RFC 6749 §4.4.2, RFC 8707 §2
 */
export function exchangeRequest(dialect: Dialect, tokenUrl: string, input: ExchangeInput): WireRequest {
  const { clientId, clientSecret, scope, audience } = input;
  const formHeaders = { ...ACCEPT, 'content-type': FORM };
  const jsonHeaders = { ...ACCEPT, 'content-type': JSON_TYPE };
  switch (dialect) {
    case 'oauth2': {
      const grant = { grant_type: 'client_credentials', scope, resource: audience };
      if (input.clientAuth === 'body') {
        return {
          url: tokenUrl,
          headers: formHeaders,
          body: form({ ...grant, client_id: clientId, client_secret: clientSecret }),
        };
      }
      return {
        url: tokenUrl,
        headers: { ...formHeaders, authorization: basicCredentials(clientId, clientSecret) },
        body: form(grant),
      };
    }
    case 'v1':
      return {
        url: tokenUrl,
        headers: formHeaders,
        body: form({ client_id: clientId, client_secret: clientSecret, scope, audience }),
      };
    case 'v2':
      return { url: tokenUrl, headers: jsonHeaders, body: json({ clientId, clientSecret, scope, audience }) };
    case 'common':
      return {
        url: tokenUrl,
        headers: jsonHeaders,
        body: json({ client_id: clientId, client_secret: clientSecret, scope, audience }),
      };
  }
}

/** `…/oauth2/token` → `…/oauth2/refresh`; undefined for a token URL of another shape. */
function siblingRefreshUrl(tokenUrl: string): string | undefined {
  const u = new URL(tokenUrl);
  if (!u.pathname.endsWith('/token')) return undefined;
  u.pathname = `${u.pathname.slice(0, -'/token'.length)}/refresh`;
  return u.toString();
}

/**
 * Where a refresh token is spent. Seed 001's `…/oauth2/refresh` takes the refresh token alone, so
 * the secret travels once per refresh-token lifetime instead of once per access token; a token
 * URL of another shape gets the standard `grant_type=refresh_token` at the token endpoint, which
 * needs client authentication. Either way a source for a named API names it again as `resource`,
 * which the server holds to the refresh token's own API.
 * @see RFC 6749 §6, RFC 8707 §2
 */
export function refreshRequest(
  tokenUrl: string,
  refreshUrl: string | undefined,
  refreshToken: string,
  input: ExchangeInput,
): WireRequest {
  const url = refreshUrl ?? siblingRefreshUrl(tokenUrl);
  if (url !== undefined) {
    return {
      url,
      headers: { ...ACCEPT, 'content-type': FORM },
      body: form({ refresh_token: refreshToken, resource: input.audience }),
    };
  }
  const viaTokenEndpoint = exchangeRequest('oauth2', tokenUrl, input);
  const body = new URLSearchParams(viaTokenEndpoint.body);
  body.set('grant_type', 'refresh_token');
  body.delete('scope');
  body.set('refresh_token', refreshToken);
  return { ...viaTokenEndpoint, body: body.toString() };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The success body of each dialect, reduced to a {@link Grant}; undefined when it is not one. */
export function parseGrant(dialect: Dialect, body: unknown): Grant | undefined {
  if (!isRecord(body)) return undefined;
  let fields: { token: unknown; type: unknown; expires: unknown; refresh?: unknown; scope?: unknown };
  switch (dialect) {
    case 'oauth2':
      fields = {
        token: body.access_token,
        type: body.token_type,
        expires: body.expires_in,
        refresh: body.refresh_token,
        scope: body.scope,
      };
      break;
    case 'v1': {
      const data = body.data;
      if (!isRecord(data)) return undefined;
      fields = { token: data.access_token, type: data.token_type, expires: data.expires_in };
      break;
    }
    case 'v2':
      fields = { token: body.accessToken, type: body.tokenType, expires: body.expiresIn, scope: body.scope };
      break;
    case 'common': {
      if (body.code !== 0 || !isRecord(body.data)) return undefined;
      fields = { token: body.data.access_token, type: body.data.token_type, expires: body.data.expires_in };
      break;
    }
  }
  if (typeof fields.token !== 'string' || fields.token === '') return undefined;
  // RFC 6749 §7.1: the type is case-insensitive; only Bearer is understood here.
  if (typeof fields.type !== 'string' || fields.type.toLowerCase() !== 'bearer') return undefined;
  // A missing or null lifetime is a token that does not expire (spec §3 common); anything else
  // must be a non-negative number of seconds.
  const expires = fields.expires;
  if (
    expires !== undefined &&
    expires !== null &&
    (typeof expires !== 'number' || !Number.isFinite(expires) || expires < 0)
  )
    return undefined;
  return {
    accessToken: fields.token,
    expiresIn: typeof expires === 'number' ? expires : null,
    ...(typeof fields.refresh === 'string' && fields.refresh !== '' ? { refreshToken: fields.refresh } : {}),
    ...(typeof fields.scope === 'string' ? { scope: fields.scope } : {}),
  };
}

export interface WireError {
  code: TokenErrorCode;
  message: string;
  /** A delay the body itself names (google.rpc.RetryInfo), in seconds. */
  retryDelay?: number;
}

/** v1 `code_reason` values (spec §3 v1) to the closed set. */
const V1_REASONS: Record<string, TokenErrorCode> = {
  invalid_request: 'invalid_request',
  invalid_scope: 'invalid_scope',
  invalid_target: 'invalid_target',
  invalid_grant: 'invalid_grant',
  unsupported_grant_type: 'unsupported_grant_type',
  invalid_client: 'invalid_client',
  invalid_token: 'invalid_token',
  missing_token: 'missing_token',
  access_denied: 'access_denied',
  insufficient_scope: 'insufficient_scope',
  not_found: 'not_found',
  too_many_requests: 'rate_limited',
  API_ERROR: 'server_error',
  service_unavailable: 'unavailable',
};

/** v1 numeric `code` values (spec §3 v1), read when `code_reason` names nothing we know. */
const V1_CODES: Record<string, TokenErrorCode> = {
  '400013': 'invalid_request',
  '400014': 'invalid_scope',
  '400015': 'invalid_target',
  '400016': 'unsupported_grant_type',
  '400017': 'invalid_grant',
  '401021': 'invalid_client',
  '401022': 'invalid_token',
  '401023': 'missing_token',
  '403001': 'access_denied',
  '403002': 'insufficient_scope',
  '404001': 'not_found',
  '429001': 'rate_limited',
  '500999': 'server_error',
  '503001': 'unavailable',
};

/** v2 `google.rpc.ErrorInfo` reasons (spec §3 v2). */
const V2_REASONS: Record<string, TokenErrorCode> = {
  INVALID_SCOPE: 'invalid_scope',
  INVALID_TARGET: 'invalid_target',
  INVALID_GRANT: 'invalid_grant',
  UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  INVALID_CLIENT: 'invalid_client',
  INVALID_TOKEN: 'invalid_token',
  MISSING_TOKEN: 'missing_token',
  IP_NOT_ALLOWED: 'access_denied',
  INSUFFICIENT_SCOPE: 'insufficient_scope',
  NOT_FOUND: 'not_found',
  INTERNAL: 'server_error',
};

/** v2 gRPC codes when no ErrorInfo reason decides. */
const V2_GRPC: Record<number, TokenErrorCode> = {
  3: 'invalid_request',
  5: 'not_found',
  7: 'access_denied',
  8: 'rate_limited',
  13: 'server_error',
  14: 'unavailable',
  16: 'invalid_client',
};

/** common CommonResponse codes (spec §3 common). */
const COMMON_CODES: Record<number, TokenErrorCode> = {
  40001: 'invalid_request',
  40002: 'invalid_scope',
  40003: 'invalid_target',
  40004: 'unsupported_grant_type',
  40005: 'invalid_grant',
  40101: 'invalid_client',
  40102: 'missing_token',
  40103: 'invalid_token',
  40301: 'access_denied',
  40302: 'insufficient_scope',
  40401: 'not_found',
  42901: 'rate_limited',
  50001: 'server_error',
  50301: 'unavailable',
};

/** oauth2 `error` values: RFC 6749 §5.2, RFC 6750 §3.1, and the spec's own names. */
const OAUTH2_ERRORS: Record<string, TokenErrorCode> = {
  // Every code of the server's by its own name, but `unavailable`, which oauth2 spells RFC 6749's way.
  ...Object.fromEntries(SERVER_ERROR_CODES.filter((c) => c !== 'unavailable').map((c) => [c, c])),
  temporarily_unavailable: 'unavailable',
  unauthorized_client: 'invalid_client',
};

/** When the body names nothing we know, the status still says what kind of failure it was. */
export function codeForStatus(status: number): TokenErrorCode {
  if (status === 400) return 'invalid_request';
  if (status === 401) return 'invalid_client';
  if (status === 403) return 'access_denied';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'server_error';
  return 'invalid_response';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `"900s"` → 900 (google.protobuf.Duration in JSON). */
const durationSeconds = (v: unknown): number | undefined => {
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(v) : null;
  return m ? Math.ceil(Number(m[1])) : undefined;
};

/** The error body of each dialect, reduced to one code and a message. */
export function parseError(dialect: Dialect, status: number, body: unknown): WireError {
  const fallback: WireError = { code: codeForStatus(status), message: `HTTP ${status}` };
  if (!isRecord(body)) return fallback;
  switch (dialect) {
    case 'oauth2': {
      const error = str(body.error);
      return {
        code: (error && OAUTH2_ERRORS[error]) || fallback.code,
        message: str(body.error_description) ?? error ?? fallback.message,
      };
    }
    case 'v1': {
      const e = isRecord(body.error) ? body.error : {};
      const reason = str(e.code_reason);
      const numeric = str(e.code);
      const code = (reason && V1_REASONS[reason]) || (numeric && V1_CODES[numeric]) || fallback.code;
      return { code, message: str(e.message) ?? reason ?? fallback.message };
    }
    case 'v2': {
      const details = Array.isArray(body.details) ? body.details.filter(isRecord) : [];
      const reason = details.map((d) => str(d.reason)).find((r) => r !== undefined);
      const retry = details.find((d) => String(d['@type']).endsWith('google.rpc.RetryInfo'));
      const grpc = typeof body.code === 'number' ? V2_GRPC[body.code] : undefined;
      const code = (reason && V2_REASONS[reason]) || grpc || fallback.code;
      const delay = retry ? durationSeconds(retry.retryDelay) : undefined;
      return {
        code,
        message: str(body.message) ?? fallback.message,
        ...(delay === undefined ? {} : { retryDelay: delay }),
      };
    }
    case 'common': {
      const code = typeof body.code === 'number' ? COMMON_CODES[body.code] : undefined;
      return { code: code ?? fallback.code, message: str(body.message) ?? fallback.message };
    }
  }
}

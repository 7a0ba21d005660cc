import { basicCredentials, parseError } from '../dialects.js';
import { TollgateError } from '../errors.js';
import { audienceMatches, type AccessTokenClaims } from './claims.js';
import type { Discovery } from './discovery.js';
import { VerifyError } from './errors.js';
import { call, type Http } from './http.js';

export interface IntrospectCheck {
  issuer: string;
  audience: string[];
  clientId: string;
  clientSecret: string;
  clockToleranceSeconds: number;
}

/**
 * Asks Tollgate (RFC 7662) whether the token is good *now*: a rotation, a revocation and a
 * disable are seen on the next request. The resource server authenticates with its own client
 * credentials; to introspect other clients' tokens that client needs the `tollgate:introspect`
 * scope (spec §3 oauth2).
 * @see RFC 7662 §2.1 (request), §2.2 (response)
 */
export async function verifyWithIntrospection(
  discovery: Discovery,
  http: Http,
  token: string,
  check: IntrospectCheck,
): Promise<AccessTokenClaims> {
  const { introspection_endpoint: endpoint } = await discovery.get();
  if (endpoint === undefined) throw new TollgateError('invalid_response', 'Discovery names no introspection_endpoint');
  const answer = await call(http, endpoint, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicCredentials(check.clientId, check.clientSecret),
    },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
  });
  if (answer.status !== 200) {
    // The resource server's own credentials or Tollgate failed: no verdict on the token.
    const wire = parseError('oauth2', answer.status, answer.body);
    throw new TollgateError(
      wire.code,
      `Introspection failed with ${wire.code} (HTTP ${answer.status}): ${wire.message}`,
      { status: answer.status },
    );
  }
  const info = answer.body as Record<string, unknown> | undefined;
  if (typeof info !== 'object' || info === null || typeof info.active !== 'boolean') {
    throw new TollgateError('invalid_response', 'Introspection did not answer with an RFC 7662 object');
  }
  if (!info.active)
    throw new VerifyError(
      'invalid_token',
      'The access token is not active (expired, revoked, rotated away or disabled)',
    );
  // A refresh token introspects as active too, without a token_type: it is no access token.
  if (typeof info.token_type !== 'string' || info.token_type.toLowerCase() !== 'bearer') {
    throw new VerifyError('invalid_token', 'The token is not an access token');
  }
  if (info.iss !== undefined && info.iss !== check.issuer)
    throw new VerifyError('invalid_token', 'The access token was issued by another issuer');
  // Tollgate names every access token's API; an answer that names none cannot show it is ours.
  if (info.aud === undefined) throw new VerifyError('invalid_token', 'The introspection answer names no audience');
  if (!audienceMatches(info.aud, check.audience)) {
    throw new VerifyError('invalid_token', 'The access token is meant for another audience');
  }
  if (typeof info.exp === 'number' && info.exp + check.clockToleranceSeconds < Date.now() / 1000)
    throw new VerifyError('invalid_token', 'The access token has expired');
  const { active: _active, ...claims } = info;
  const clientId = typeof info.client_id === 'string' ? info.client_id : undefined;
  if (clientId === undefined) throw new TollgateError('invalid_response', 'Introspection answered without client_id');
  return {
    ...claims,
    sub: typeof info.sub === 'string' ? info.sub : clientId,
    client_id: clientId,
    scope: typeof info.scope === 'string' ? info.scope : '',
  };
}

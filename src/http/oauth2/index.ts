import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import type { Mode } from '../../domain/mode.js';
import type { Door } from '../../domain/usage.js';
import { scopeString } from '../../domain/scopes.js';
import type { CredentialAttempt } from '../../usecases/authenticate-client.js';
import { introspectToken, revokeToken } from '../../usecases/introspect-revoke.js';
import type { IssuedToken } from '../../usecases/issue-token.js';
import { issueTokenWithRefresh, refreshGrant } from '../../usecases/oauth2-grants.js';
import {
  callerIp,
  callMode,
  doorOf,
  NO_STORE,
  targetRequest,
  useEnvelope,
  type DoorContext,
  type DoorOptions,
} from '../door.js';
import { acceptForm, acceptJson, bodyRecord, optionalString, requiredString, type WireBody } from '../form.js';
import { documentRequestsOnly } from '../schemas.js';
import { presentedClient, refuseSecretsInQuery, requiredClient, type PresentedClient } from './client-auth.js';
import { renderOAuth2 } from './errors.js';
import { introspectSchema, refreshSchema, revokeSchema, tokenSchema } from './schemas.js';

/** The grants this door serves. @see RFC 6749 §4.4 and §6 */
export const GRANT_TYPES = ['client_credentials', 'refresh_token'] as const;
type GrantType = (typeof GRANT_TYPES)[number];

/** Where the call comes from and which mode it is in. */
interface Call {
  mode: Mode;
  door: Door;
  sourceIp: string;
}

const callOf = (req: FastifyRequest, mount: Mode, ctx: DoorContext): Call => ({
  mode: callMode(req, mount, ctx.config),
  door: doorOf(req),
  sourceIp: callerIp(req, ctx.config),
});

const attempt = (call: Call, client: PresentedClient): CredentialAttempt => ({
  mode: call.mode,
  door: call.door,
  clientId: client.clientId,
  clientSecret: client.clientSecret,
  ...(client.rawSecret === undefined ? {} : { rawSecret: client.rawSecret }),
  sourceIp: call.sourceIp,
});

function grantType(body: WireBody): GrantType {
  const grant = requiredString(body, 'grant_type');
  if (!(GRANT_TYPES as readonly string[]).includes(grant)) {
    throw new DomainError('unsupported_grant_type', 'grant_type must be client_credentials or refresh_token');
  }
  return grant as GrantType;
}

/** RFC 6749 §5.1 success body, in seed 001's field order; `refresh_token` only when minted. */
function tokenBody(token: IssuedToken, refreshToken?: string): Record<string, unknown> {
  return {
    access_token: token.accessToken,
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    token_type: token.tokenType,
    expires_in: token.expiresIn,
    scope: scopeString(token.scopes),
  };
}

/**
 * The oauth2 dialect (seed 001): RFC 6749 token endpoint with refresh tokens, plus RFC 7662
 * introspection and RFC 7009 revocation. Form or JSON bodies. Mounted at `/api/v1/oauth2` and
 * `/test/api/v1/oauth2`.
 */
export const oauth2Door: FastifyPluginAsync<DoorOptions> = async (app, opts) => {
  const { ctx, mode } = opts;
  app.removeAllContentTypeParsers();
  acceptForm(app);
  acceptJson(app);
  useEnvelope(app, renderOAuth2, opts);
  documentRequestsOnly(app);
  // Credentials and tokens never ride in a URL (RFC 6749 §2.3.1, RFC 9700 §4.3.2): such a
  // request is refused before its body is read.
  app.addHook('onRequest', async (req) => refuseSecretsInQuery(req));
  // Every answer here holds or concerns a credential: none may be cached (RFC 6749 §5.1).
  app.addHook('onSend', async (_req, reply: FastifyReply) => {
    reply.headers(NO_STORE);
  });

  const ttl = ctx.config.ttl;

  /**
   * Token endpoint: `client_credentials` returns an access token and a refresh token;
   * `refresh_token` (client authentication required, and the refresh token must be the
   * client's) returns an access token and no new refresh token (seed 001: not rotated).
   * @see RFC 6749 §3.2, §4.4, §5, §6
   */
  app.post('/token', { schema: tokenSchema, config: { issues: true } }, async (req) => {
    const body = bodyRecord(req.body);
    const grant = grantType(body);
    const call = callOf(req, mode, ctx);
    if (grant === 'client_credentials') {
      const client = requiredClient(req, body);
      const scope = optionalString(body, 'scope');
      const target = targetRequest(body, true);
      const input = { ...attempt(call, client), scope, target, ttlSeconds: ttl.oauth2Access };
      const { token, refreshToken } = await issueTokenWithRefresh(ctx.deps, input, ttl.oauth2Refresh);
      return tokenBody(token, refreshToken);
    }
    const refreshToken = requiredString(body, 'refresh_token');
    const scope = optionalString(body, 'scope');
    const client = requiredClient(req, body);
    const target = targetRequest(body, true);
    return tokenBody(
      await refreshGrant(ctx.deps, { ...call, refreshToken, scope, target, client, ttlSeconds: ttl.oauth2Access }),
    );
  });

  /**
   * Seed 001's refresh endpoint: the refresh token alone renews the access token. Client
   * authentication is optional here; when present it is checked, and the token must be the
   * client's, as at the token endpoint.
   * @see RFC 6749 §6
   */
  app.post('/refresh', { schema: refreshSchema, config: { issues: true } }, async (req) => {
    const body = bodyRecord(req.body);
    const refreshToken = requiredString(body, 'refresh_token');
    const scope = optionalString(body, 'scope');
    const client = presentedClient(req, body);
    const target = targetRequest(body, true);
    const call = callOf(req, mode, ctx);
    return tokenBody(
      await refreshGrant(ctx.deps, { ...call, refreshToken, scope, target, client, ttlSeconds: ttl.oauth2Access }),
    );
  });

  /**
   * `token`, and `token_type_hint` which is read but not needed: every supported type is
   * searched anyway, as RFC 7009 §2.1 and RFC 7662 §2.1 require when a hint misses.
   */
  const tokenParameter = (body: WireBody): string => {
    optionalString(body, 'token_type_hint');
    return requiredString(body, 'token');
  };

  /**
   * Token introspection: the caller authenticates like at the token endpoint; a token that is
   * not good, or not the caller's to see, is `{"active":false}`.
   * @see RFC 7662 §2
   */
  app.post('/introspect', { schema: introspectSchema }, async (req) => {
    const body = bodyRecord(req.body);
    const token = tokenParameter(body);
    const client = requiredClient(req, body);
    return introspectToken(ctx.deps, attempt(callOf(req, mode, ctx), client), token);
  });

  /**
   * Token revocation of the caller's access or refresh tokens. An invalid, unknown or foreign
   * token gets the same empty 200 and is left alone.
   * @see RFC 7009 §2
   */
  app.post('/revoke', { schema: revokeSchema }, async (req, reply) => {
    const body = bodyRecord(req.body);
    const token = tokenParameter(body);
    const client = requiredClient(req, body);
    await revokeToken(ctx.deps, attempt(callOf(req, mode, ctx), client), token);
    return reply.code(200).send();
  });
};

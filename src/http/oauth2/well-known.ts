import type { FastifyPluginAsync } from 'fastify';
import type { Mode } from '../../domain/mode.js';
import type { DoorContext, DoorOptions } from '../door.js';
import { callMode, useEnvelope } from '../door.js';
import { renderOAuth2 } from './errors.js';
import { GRANT_TYPES } from './index.js';
import { jwksSchema, metadataSchema, openidConfigurationSchema, testMetadataSchema } from './schemas.js';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

/**
 * Authorization server metadata for one mode. Endpoints hang under the mode's issuer, which is
 * `ISSUER` live and `ISSUER/test` in test mode, like every path of that mode. There is no
 * authorization endpoint (client credentials only), so no response type is supported.
 * @see RFC 8414 §2
 */
export function authorizationServerMetadata(ctx: DoorContext, mode: Mode): Record<string, unknown> {
  const issuer = ctx.deps.tokens.issuer(mode);
  const oauth2 = `${issuer}/api/v1/oauth2`;
  return {
    issuer,
    token_endpoint: `${oauth2}/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: [],
    grant_types_supported: [...GRANT_TYPES],
    token_endpoint_auth_methods_supported: [...AUTH_METHODS],
    revocation_endpoint: `${oauth2}/revoke`,
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS],
    introspection_endpoint: `${oauth2}/introspect`,
    introspection_endpoint_auth_methods_supported: [...AUTH_METHODS],
  };
}

/**
 * `/.well-known` of one mode: RFC 8414 metadata and the mode's JWKS. Mounted at `/.well-known`
 * and `/test/.well-known`.
 */
export const wellKnownDoor: FastifyPluginAsync<DoorOptions> = async (app, opts) => {
  const { ctx, mode } = opts;
  useEnvelope(app, renderOAuth2, opts);
  const metadata = { live: authorizationServerMetadata(ctx, 'live'), test: authorizationServerMetadata(ctx, 'test') };

  app.get(
    '/oauth-authorization-server',
    { schema: metadataSchema },
    async (req) => metadata[callMode(req, mode, ctx.config)],
  );
  app.get(
    '/openid-configuration',
    { schema: openidConfigurationSchema },
    async (req) => metadata[callMode(req, mode, ctx.config)],
  );

  if (mode === 'live') {
    // RFC 8414 §3.1 puts the well-known segment before the issuer's path: the test issuer
    // `ISSUER/test` is discovered at `/.well-known/oauth-authorization-server/test`, which is
    // where standard clients look. Spec §3 also serves it at `/test/.well-known/…`.
    app.get('/oauth-authorization-server/test', { schema: testMetadataSchema }, async () => metadata.test);
  }

  /**
   * The mode's public keys, current first and retired ones after, read on every call so a key
   * made by `tollgate keys rotate` is published at once. Not cacheable for the same reason: the
   * key ring signs with a new key as soon as it exists.
   * @see RFC 7517 §5, RFC 8414 §2 (`jwks_uri`)
   */
  app.get('/jwks.json', { schema: jwksSchema }, async (req, reply) => {
    reply.header('cache-control', 'no-cache');
    return { keys: (await ctx.deps.keys.publicKeys(callMode(req, mode, ctx.config))).map((k) => k.jwk) };
  });
};

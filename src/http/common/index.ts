import type { FastifyPluginAsync } from 'fastify';
import { issueToken } from '../../usecases/issue-token.js';
import { authenticateBearer } from '../../usecases/verify-bearer.js';
import { issueTokenInput, NO_STORE, useEnvelope, type DoorOptions } from '../door.js';
import { acceptJson } from '../form.js';
import { documentRequestsOnly } from '../schemas.js';
import { bearerInput } from './bearer.js';
import { commonOk, renderCommon } from './errors.js';
import { issueTokenSchema, meSchema } from './schemas.js';

/**
 * The common dialect (seed 000): JSON credentials in, CommonResponse `{code,message,data}` out,
 * tokens without expiry unless `CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES` is set, and the Bearer
 * endpoint `/me`. Mounted at `/api/v1/client` and `/test/api/v1/client`.
 */
export const commonDoor: FastifyPluginAsync<DoorOptions> = async (app, opts) => {
  const { ctx, mode } = opts;
  app.removeAllContentTypeParsers();
  acceptJson(app);
  useEnvelope(app, renderCommon, opts);
  documentRequestsOnly(app);

  /** The client credentials grant in seed 000's shape. @see RFC 6749 §4.4 */
  app.post('/token', { schema: issueTokenSchema, config: { issues: true } }, async (req, reply) => {
    const token = await issueToken(ctx.deps, issueTokenInput(req, mode, ctx, ctx.config.ttl.common));
    reply.headers(NO_STORE);
    return commonOk({ access_token: token.accessToken, token_type: token.tokenType, expires_in: token.expiresIn });
  });

  /** The calling client, as its access token proves it. @see RFC 6750 §2.1 */
  app.get('/me', { schema: meSchema, config: { bearer: true } }, async (req, reply) => {
    const { client } = await authenticateBearer(ctx.deps, bearerInput(req, mode, ctx.config));
    reply.headers(NO_STORE);
    return commonOk({
      id: client.id,
      name: client.name,
      mode: client.mode,
      scopes: client.scopes,
      orgId: client.orgId,
    });
  });
};

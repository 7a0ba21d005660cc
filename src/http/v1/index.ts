import type { FastifyPluginAsync } from 'fastify';
import { issueToken } from '../../usecases/issue-token.js';
import { issueTokenInput, NO_STORE, useEnvelope, type DoorOptions } from '../door.js';
import { acceptForm } from '../form.js';
import { documentRequestsOnly } from '../schemas.js';
import { renderV1 } from './errors.js';
import { issueTokenSchema } from './schemas.js';

/**
 * The v1 dialect (seed 003): form-encoded credentials in, `{data:{…}}` out.
 * Mounted at `/v1` and `/test/v1`.
 */
export const v1Door: FastifyPluginAsync<DoorOptions> = async (app, opts) => {
  const { ctx, mode } = opts;
  app.removeAllContentTypeParsers();
  acceptForm(app);
  useEnvelope(app, renderV1, opts);
  documentRequestsOnly(app);

  app.post('/auth/token', { schema: issueTokenSchema, config: { issues: true } }, async (req, reply) => {
    const token = await issueToken(ctx.deps, issueTokenInput(req, mode, ctx, ctx.config.ttl.v1));
    reply.headers(NO_STORE);
    return { data: { access_token: token.accessToken, token_type: token.tokenType, expires_in: token.expiresIn } };
  });
};

import type { FastifyPluginAsync } from 'fastify';
import { scopeString } from '../../domain/scopes.js';
import { issueToken } from '../../usecases/issue-token.js';
import { issueTokenInput, NO_STORE, useEnvelope, type DoorOptions } from '../door.js';
import { acceptJson } from '../form.js';
import { documentRequestsOnly } from '../schemas.js';
import { renderV2 } from './errors.js';
import { issueTokenSchema } from './schemas.js';

/**
 * The v2 dialect (seed 002): camelCase JSON in and out, google.rpc.Status errors.
 * Mounted at `/v2` and `/test/v2`.
 */
export const v2Door: FastifyPluginAsync<DoorOptions> = async (app, opts) => {
  const { ctx, mode } = opts;
  app.removeAllContentTypeParsers();
  acceptJson(app);
  useEnvelope(app, renderV2, opts);
  documentRequestsOnly(app);

  app.post('/credentials/oauth/token', { schema: issueTokenSchema, config: { issues: true } }, async (req, reply) => {
    const token = await issueToken(
      ctx.deps,
      issueTokenInput(req, mode, ctx, ctx.config.ttl.v2, { clientId: 'clientId', clientSecret: 'clientSecret' }),
    );
    reply.headers(NO_STORE);
    return {
      accessToken: token.accessToken,
      scope: scopeString(token.scopes),
      expiresIn: token.expiresIn,
      tokenType: token.tokenType,
    };
  });
};

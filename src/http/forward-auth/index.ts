import type { FastifyPluginAsync } from 'fastify';
import { isAbsoluteUri } from '../../domain/api.js';
import { DomainError } from '../../domain/errors.js';
import { parseScopeString } from '../../domain/scopes.js';
import { authenticateBearer } from '../../usecases/verify-bearer.js';
import { bearerInput } from '../common/bearer.js';
import { NO_STORE, useEnvelope, type DoorOptions } from '../door.js';
import { bodyRecord, optionalString } from '../form.js';
import { documentRequestsOnly } from '../schemas.js';
import { renderForwardAuth } from './errors.js';
import { verifySchema } from './schemas.js';

/**
 * `?audience=URI`: the API this proxy location guards (one nginx `location` per API). It must be
 * an absolute URI; a bad one is the proxy's configuration at fault, answered `invalid_target`.
 */
function guardedAudience(audience: string | undefined): string | undefined {
  if (audience === undefined) return undefined;
  if (!isAbsoluteUri(audience))
    throw new DomainError('invalid_target', 'audience must be an absolute URI without fragment', { field: 'audience' });
  return audience;
}

/**
 * Proxies call with the method of the request they guard (Envoy, Traefik); HEAD comes with GET.
 */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Forward authentication for a reverse proxy (nginx `auth_request`, Traefik ForwardAuth, Envoy
 * `ext_authz`): 200 with `X-Client-Id`, `X-Scope` and `X-Mode` for a good token, else the
 * refusal with its RFC 6750 challenge. `?scope=a b` names scopes the token must hold,
 * `?audience=URI` the API it must be for (else the default API).
 * Mounted at `/auth` and `/test/auth`.
 */
export const forwardAuthDoor: FastifyPluginAsync<DoorOptions> = async (app, opts) => {
  const { ctx, mode } = opts;
  app.removeAllContentTypeParsers();
  // The guarded request's body is not ours to judge: read within the body limit, then dropped.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, _body, done) => done(null, undefined));
  useEnvelope(app, renderForwardAuth, opts);
  documentRequestsOnly(app);

  /** @see RFC 6750 §2.1 (the header), §3.1 (the refusals) */
  app.route({
    method: METHODS,
    url: '/verify',
    schema: verifySchema,
    config: { bearer: true },
    handler: async (req, reply) => {
      const query = bodyRecord(req.query);
      // A parameter we do not know (`SCOPE`, `scope[]`) must not quietly drop a requirement.
      for (const name of Object.keys(query)) {
        if (name !== 'scope' && name !== 'audience') {
          throw new DomainError('invalid_request', 'Unknown query parameter: only scope and audience are accepted', {
            field: 'query',
          });
        }
      }
      const scope = optionalString(query, 'scope');
      const required = scope === undefined ? [] : parseScopeString(scope);
      const audience = guardedAudience(optionalString(query, 'audience'));
      const input = {
        ...bearerInput(req, mode, ctx.config, required),
        ...(audience === undefined ? {} : { audience }),
      };
      const { client, scopes } = await authenticateBearer(ctx.deps, input);
      reply.headers(NO_STORE);
      reply.header('x-client-id', client.id).header('x-scope', scopes.join(' ')).header('x-mode', client.mode);
      return reply.code(200).send();
    },
  });
};

import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { DomainError } from '../../domain/errors.js';
import {
  authorizationOf,
  callerIp,
  callMode,
  NO_STORE,
  tagRoutes,
  type DoorContext,
  type DoorOptions,
} from '../door.js';
import { toDomainError } from '../errors.js';
import { strictJsonParser } from '../form.js';
import { TOOL_PAGE_HEADERS } from '../html-headers.js';
import type { GraphQLServerContext } from './context.js';
import { requestError, type RequestError } from './errors.js';
import { answerDirect, directRequest } from './direct.js';
import { isSameOrigin, sessionCookieOf } from './session-cookie.js';
import { buildYoga, YOGA_ENDPOINT, type Yoga } from './yoga.js';

/** A JSON body as Fastify checked it: the parsed value, and the text for yoga's own parser. */
interface JsonBody {
  text: string;
  value: unknown;
}

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(', ') : v);

/** One yoga per app: the door is mounted once per mode, both mounts share it. */
const yogas = new WeakMap<DoorContext, Yoga>();

/**
 * Headers that describe one hop or its framing, not the request or the answer: never copied
 * between Fastify and yoga in either direction. Fastify frames the answer itself (one
 * Content-Length, never with Transfer-Encoding beside it) and keeps the caller's `Connection`.
 * @see RFC 9112 §6.3 (both framing headers: a request-smuggling shape), RFC 9110 §7.6.1
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'upgrade',
  'te',
  'trailer',
  'proxy-connection',
]);

/**
 * The GraphQL door: graphql-yoga behind one Fastify route at `/graphql` (and `/test/graphql`).
 * Fastify reads the body, so its `bodyLimit` applies; only `application/json` bodies are accepted
 * (no form or multipart posts, so a plain HTML form cannot post a mutation). Everything refused
 * before GraphQL runs answers as a GraphQL-over-HTTP request error.
 */
export const graphqlDoor: FastifyPluginAsync<DoorOptions> = async (app, { ctx, mode }) => {
  let yoga = yogas.get(ctx);
  if (!yoga) {
    yoga = buildYoga(ctx, app.log);
    yogas.set(ctx, yoga);
  }
  const server = yoga;
  const mountPath = app.prefix;
  const secureCookies = ctx.config.issuer.startsWith('https:');
  tagRoutes(app, 'graphql', mode);

  // Fastify checks the JSON (and refuses __proto__ keys) so that a malformed body is refused
  // here, in words of our own: yoga's own parse error quotes the body, secrets included. The
  // direct path runs on the parsed value; the full yoga path reads the original text.
  const checkJson = strictJsonParser(app);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, text, done) =>
    checkJson(req, text as string, (err, value) =>
      err ? done(err, undefined) : done(null, { text: text as string, value } satisfies JsonBody),
    ),
  );

  const send = (reply: FastifyReply, r: RequestError): FastifyReply =>
    reply.headers(NO_STORE).code(r.status).type('application/json; charset=utf-8').send(r.body);
  app.setErrorHandler((err, req, reply) =>
    send(reply, requestError(toDomainError(err, req.log), (err as { statusCode?: number }).statusCode)),
  );
  app.setNotFoundHandler((_req, reply) => send(reply, requestError(new DomainError('not_found', 'Not found'))));

  app.route({
    // Every method reaches yoga, which answers the ones it does not serve with 405 and `Allow`.
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '',
    handler: async (req, reply) => {
      const serverContext: GraphQLServerContext = {
        mode: callMode(req, mode, ctx.config),
        sourceIp: callerIp(req, ctx.config),
        mountPath,
        responseHeaders: {},
        metrics: app.metrics,
        authorization: authorizationOf(req),
        idempotencyKey: header(req.headers['idempotency-key']),
        sessionCookie: sessionCookieOf(header(req.headers.cookie), secureCookies),
        sameOrigin: isSameOrigin(req, ctx.config.issuer),
      };
      const json = req.body as JsonBody | undefined;
      const direct = req.method === 'POST' && json ? directRequest(json.value, req.headers.accept) : undefined;
      if (direct) {
        const answer = await answerDirect(server, direct, serverContext);
        return reply
          .code(answer.status)
          .headers(answer.headers)
          .headers(NO_STORE)
          .headers(serverContext.responseHeaders)
          .send(answer.body);
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name)) continue; // Node gives request header names lower-cased
        headers.set(name, header(value)!);
      }
      const search = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : json?.text;
      if (req.method === 'POST' && body === undefined) {
        return send(
          reply,
          requestError(new DomainError('invalid_request', 'Unsupported Content-Type: send application/json'), 415),
        );
      }
      const init: RequestInit = { method: req.method, headers, body };
      const res = await server.fetch(`http://tollgate.internal${YOGA_ENDPOINT}${search}`, init, serverContext);
      reply.code(res.status);
      // yoga's Headers may keep the case it was given (`Transfer-Encoding`).
      res.headers.forEach((value, name) => {
        if (!HOP_BY_HOP.has(name.toLowerCase())) reply.header(name, value);
      });
      reply.headers(NO_STORE);
      reply.headers(serverContext.responseHeaders);
      // GraphiQL's page, for a browser's GET: the headers of every HTML page.
      if (res.headers.get('content-type')?.startsWith('text/html')) reply.headers(TOOL_PAGE_HEADERS);
      return reply.send(Buffer.from(await res.arrayBuffer()));
    },
  });
};

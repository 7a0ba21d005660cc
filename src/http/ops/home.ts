import type { FastifyPluginAsync } from 'fastify';
import { FAVICON_PATH } from '../favicon.js';
import { PANEL_HEADERS } from '../html-headers.js';
import { homeSchema } from './schemas.js';

/** Where a person or a script goes from the root. */
const LINKS = [
  { href: '/panel', title: 'Developer panel (sign in to manage clients, APIs and keys)' },
  { href: '/docs', title: 'REST API documentation (Swagger UI)' },
  { href: '/openapi.json', title: 'OpenAPI 3.1 document' },
  { href: '/graphql', title: 'GraphQL endpoint (GraphiQL outside production)' },
  { href: '/.well-known/oauth-authorization-server', title: 'Authorization server metadata (RFC 8414)' },
  { href: '/healthz', title: 'Health' },
] as const;

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tollgate</title>
<link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml"></head>
<body><main><h1>Tollgate</h1><p>Machine-to-machine tokens: client credentials in, access tokens out.</p>
<ul>${LINKS.map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.title)}</a></li>`).join('')}</ul>
<p>Test mode: the same paths under <code>/test</code>.</p></main></body></html>
`;

/** `GET /`: a small page of links, or the same links as JSON for `Accept: application/json`. */
export const homeRoute: FastifyPluginAsync = async (app) => {
  app.get('/', { schema: homeSchema }, async (req, reply) => {
    // A browser asks for text/html; a script asking for JSON (and not HTML) gets JSON.
    const accept = req.headers.accept ?? '';
    if (accept.includes('application/json') && !accept.includes('text/html'))
      return reply.type('application/json; charset=utf-8').send({ name: 'Tollgate', links: LINKS });
    return reply.headers(PANEL_HEADERS).type('text/html; charset=utf-8').send(PAGE);
  });
};

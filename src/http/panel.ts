import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { NO_STORE } from './door.js';
import { faviconRoute } from './favicon.js';
import { graphiqlAssets } from './graphiql.js';
import { PANEL_HEADERS } from './html-headers.js';

/** Where the panel lives: `/panel` and everything under it. */
export const PANEL_PREFIX = '/panel';

/**
 * The built panel (`vite build` into dist/panel), found from this file whether it runs compiled
 * (dist/src/http) or from source under vitest (src/http).
 */
export function panelRoot(): string {
  const up = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  return basename(up) === 'dist' ? join(up, 'panel') : join(up, 'dist', 'panel');
}

/** Hashed file names (`index-3f2a….js`) never change content: cache them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface PanelOptions {
  /** The built panel's folder; defaults to dist/panel. */
  root?: string;
}

/**
 * Serves the developer panel (spec §7): hashed assets under `/panel/assets/` with a long cache,
 * and index.html (never cached, so a deploy is seen at once) for every other path under
 * `/panel`, so the app's own routes (`/panel/clients/ID`, `/panel/setup#token=…`) load on a
 * reload or a pasted link. Also GraphiQL's files (./graphiql.ts) and the icon every page links
 * (./favicon.ts). The panel talks only to `/graphql` and `/test/graphql`; it holds no rule of its own.
 */
export const panelRoutes: FastifyPluginAsync<PanelOptions> = async (app, opts) => {
  const root = opts.root ?? panelRoot();
  await app.register(fastifyStatic, { root, serve: false, decorateReply: true });
  await app.register(graphiqlAssets);
  await app.register(faviconRoute);

  const index = (reply: FastifyReply): FastifyReply => {
    reply.headers(PANEL_HEADERS);
    if (!existsSync(join(root, 'index.html'))) {
      return reply
        .code(503)
        .headers(NO_STORE)
        .type('text/plain; charset=utf-8')
        .send('The panel is not built: run `npm run build`.\n');
    }
    return reply
      .headers(NO_STORE)
      .sendFile('index.html', root, { cacheControl: false, etag: false, lastModified: false });
  };

  const hide = { schema: { hide: true } };
  app.get(PANEL_PREFIX, hide, (_req, reply) => index(reply));
  app.get(`${PANEL_PREFIX}/*`, hide, (req, reply) => {
    const rest = (req.params as { '*': string })['*'];
    if (!rest.startsWith('assets/')) return index(reply);
    // A missing asset is a 404, never index.html: a stale page asking for an old hash must not
    // get HTML where it expects a script.
    reply.headers(PANEL_HEADERS);
    return reply.header('cache-control', IMMUTABLE).sendFile(rest, root, { cacheControl: false });
  });
};

import type { FastifyPluginAsync } from 'fastify';
import type { GraphiQLOptions } from 'graphql-yoga';
import { FAVICON_PATH } from './favicon.js';

/**
 * GraphiQL from this server, never a CDN: yoga's default page loads its script and styles from
 * unpkg, which an offline or locked-down deployment cannot reach. The bundle comes from
 * `@graphql-yoga/render-graphiql`; its ~9 MB of strings are read on the first request, not at
 * start-up, and served as cacheable files instead of being inlined into every page.
 */
export const GRAPHIQL_ASSETS = '/graphiql';

type Bundle = typeof import('@graphql-yoga/render-graphiql/graphiql');
let bundle: Promise<Bundle> | undefined;
const loadBundle = (): Promise<Bundle> => (bundle ??= import('@graphql-yoga/render-graphiql/graphiql'));

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * JSON inside a `<script type="application/json">` (data, never run): `<` is escaped so no
 * value can close the element, and U+2028/2029 so older parsers read it as JSON.
 */
const jsonInHtml = (v: unknown): string =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/** Starts GraphiQL from the JSON in `#graphiql-options`, with monaco's workers from files. */
const BOOT = `(function () {
  var root = document.getElementById('root');
  var workers = {
    editorWorkerService: '${GRAPHIQL_ASSETS}/editor.worker.js',
    json: '${GRAPHIQL_ASSETS}/json.worker.js',
    graphql: '${GRAPHIQL_ASSETS}/graphql.worker.js',
  };
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_id, label) { return workers[label] || workers.editorWorkerService; },
  };
  YogaGraphiQL.renderYogaGraphiQL(root, JSON.parse(document.getElementById('graphiql-options').textContent || '{}'));
})();
`;

/** yoga's `renderGraphiQL`: the page, with every script and style loaded from this origin. */
export function renderLocalGraphiQL(opts: GraphiQLOptions): string {
  const title = escapeHtml(opts.title ?? 'GraphiQL');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml" />
    <link rel="stylesheet" href="${GRAPHIQL_ASSETS}/graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${jsonInHtml(opts)}</script>
    <script src="${GRAPHIQL_ASSETS}/graphiql.js"></script>
    <script src="${GRAPHIQL_ASSETS}/boot.js"></script>
  </body>
</html>
`;
}

const JS = 'text/javascript; charset=utf-8';
const FILES: Record<string, { type: string; body: (b: Bundle) => string | Buffer }> = {
  'graphiql.js': { type: JS, body: (b) => b.js },
  'graphiql.css': { type: 'text/css; charset=utf-8', body: (b) => b.css },
  'editor.worker.js': { type: JS, body: (b) => b.editorWorkerService },
  'json.worker.js': { type: JS, body: (b) => b.jsonWorker },
  'graphql.worker.js': { type: JS, body: (b) => b.graphqlWorker },
  'boot.js': { type: JS, body: () => BOOT },
  'favicon.ico': { type: 'image/x-icon', body: (b) => dataUrlBytes(b.favicon) },
};

/** The favicon comes as a data: URL; served as bytes. */
function dataUrlBytes(url: string): Buffer {
  const comma = url.indexOf(',');
  const meta = url.slice(0, comma);
  const data = url.slice(comma + 1);
  return meta.endsWith(';base64') ? Buffer.from(data, 'base64') : Buffer.from(decodeURIComponent(data));
}

/** The files GraphiQL's page loads, under `/graphiql/`. */
export const graphiqlAssets: FastifyPluginAsync = async (app) => {
  app.get(`${GRAPHIQL_ASSETS}/:file`, { schema: { hide: true } }, async (req, reply) => {
    const name = (req.params as { file: string }).file;
    const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    if (!file) return reply.callNotFound();
    const b = await loadBundle();
    return (
      reply
        .type(file.type)
        .header('x-content-type-options', 'nosniff')
        // The bundle's version is pinned by the lockfile; a day's cache, revalidated after.
        .header('cache-control', 'public, max-age=86400')
        .send(file.body(b))
    );
  });
};

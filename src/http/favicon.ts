import type { FastifyPluginAsync } from 'fastify';

/**
 * Tollgate's icon: a barrier gate on the panel's accent blue, drawn with presentation
 * attributes only (no `<style>`, no script), so it needs nothing its CSP would refuse and
 * reads on a light or a dark tab strip alike.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#0b5cad"/>
<rect x="6" y="8" width="4" height="18" rx="1" fill="#fff"/>
<rect x="10" y="11" width="17" height="4" rx="2" fill="#fff"/>
<rect x="15" y="11" width="3" height="4" fill="#0b5cad"/>
<rect x="22" y="11" width="3" height="4" fill="#0b5cad"/>
</svg>
`;

/**
 * Where every page Tollgate renders links it from (`<link rel="icon">`: the panel, the root
 * page, GraphiQL, Swagger UI), so no browser falls back to asking for a `/favicon.ico`. Under
 * the panel's prefix, beside its other files, and outside the REST API's documented paths.
 */
export const FAVICON_PATH = '/panel/favicon.svg';

/** `GET /panel/favicon.svg`. As a document of its own it may run nothing (`default-src 'none'`). */
export const faviconRoute: FastifyPluginAsync = async (app) => {
  app.get(FAVICON_PATH, { schema: { hide: true } }, async (_req, reply) =>
    reply
      .type('image/svg+xml')
      .header('content-security-policy', "default-src 'none'")
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'public, max-age=86400')
      .send(FAVICON_SVG),
  );
};

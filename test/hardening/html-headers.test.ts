import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';

/**
 * Every HTML response Tollgate sends carries the headers that keep it from being framed or
 * sniffed (issue 26): found by walking every GET route the app has (`printRoutes`), not from a
 * list kept by hand, so a page added later is held to it too.
 */

/** Paths to try for a route's parameters and wildcards. */
const SAMPLES: Record<string, string[]> = {
  '/panel/*': ['/panel/clients', '/panel/clients/cl_live_abc', '/panel/setup'],
  '/docs/*': ['/docs/static/index.html', '/docs/static/oauth2-redirect.html'],
  '/graphiql/:file': ['/graphiql/graphiql.js', '/graphiql/boot.js'],
};

/** Every GET path of Fastify's route tree, as full paths. */
function getPaths(tree: string): string[] {
  const stack: string[] = [];
  const paths: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ├└─]*)(\S.*) \(GET[^)]*\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const parent = stack.join('');
    const segment = m[2]!;
    const path =
      parent === '' || parent.endsWith('/') || segment.startsWith('/') ? parent + segment : `${parent}/${segment}`;
    stack.push(segment.startsWith('/') || parent === '' || parent.endsWith('/') ? segment : `/${segment}`);
    paths.push(path.replace(/\/+/g, '/'));
  }
  return paths;
}

describe('every HTML page', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('sends a CSP with frame-ancestors none, X-Frame-Options DENY, nosniff and a Referrer-Policy', async () => {
    const routes = getPaths(h.app.printRoutes({ commonPrefix: false, method: 'GET' }));
    expect(routes).toEqual(
      expect.arrayContaining([
        '/',
        '/graphql',
        '/test/graphql',
        '/panel',
        '/panel/*',
        '/docs',
        '/docs/*',
        '/openapi.json',
      ]),
    );
    const html: string[] = [];
    for (const route of routes) {
      for (const url of SAMPLES[route] ?? [route]) {
        expect(url, `a route with parameters needs samples: ${route}`).not.toMatch(/[*:]/);
        const res = await h.app.inject({
          method: 'GET',
          url,
          headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
        });
        if (!String(res.headers['content-type'] ?? '').startsWith('text/html')) continue;
        html.push(url);
        const csp = String(res.headers['content-security-policy'] ?? '');
        expect(csp, url).toContain("frame-ancestors 'none'");
        expect(csp, url).toContain("script-src 'self'");
        expect(csp, url).not.toContain("'unsafe-eval'");
        expect(
          csp.split(';').find((d) => d.trim().startsWith('script-src')),
          url,
        ).not.toContain("'unsafe-inline'");
        expect(res.headers['x-frame-options'], url).toBe('DENY');
        expect(res.headers['x-content-type-options'], url).toBe('nosniff');
        expect(res.headers['referrer-policy'], url).toBe('no-referrer');
      }
    }
    // The pages a browser opens: the root, GraphiQL at both addresses, the panel, Swagger UI.
    expect(html).toEqual(
      expect.arrayContaining(['/', '/graphql', '/test/graphql', '/panel', '/panel/clients/cl_live_abc', '/docs/']),
    );
  });
});

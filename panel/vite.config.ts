import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The developer panel, built into dist/panel and served by src/http/panel.ts under /panel/.
 * TSX is compiled by Vite's esbuild with React's automatic runtime (tsconfig `jsx`); nothing is
 * inlined as a data: URL and no inline script is emitted, so the page runs under a CSP of
 * `default-src 'self'` with no exception.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/panel/',
  publicDir: false,
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('../dist/panel', import.meta.url)),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'es2022',
  },
  server: { proxy: { '/graphql': 'http://127.0.0.1:3000', '/test': 'http://127.0.0.1:3000' } },
});

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Two projects in one run. "sqlite": every test, on SQLite (the embedded default). "pg": the same
 * http door contract and end-to-end suites again with TEST_STORE=pg, plus PostgreSQL's own tests,
 * all on one throw-away cluster started once (test/support/pg-global.ts), a database per file.
 */
const PG_ONLY = ['test/store/pg.test.ts', 'test/e2e/pg-*.test.ts'];
const ON_BOTH = [
  'test/contract/**/*.test.ts',
  'test/e2e/server.test.ts',
  'test/e2e/audit.test.ts',
  'test/e2e/operations.test.ts',
  'test/e2e/policies.test.ts',
  'test/e2e/users-cli.test.ts',
  'test/e2e/apis-cli.test.ts',
  'test/e2e/usage-cli.test.ts',
];

/** `npm run test:fast` (TOLLGATE_TESTS=fast): SQLite only, nothing that needs a build or a real process. */
const FAST = process.env.TOLLGATE_TESTS === 'fast';
const REAL_PROCESSES = ['test/e2e/**', 'test/interop/**'];

export default defineConfig({
  // Tests import the SDK from its source; test/e2e/sdk-package.test.ts imports the built package.
  // graphql is one module in production: Node resolves `graphql` to its CommonJS entry for our
  // code and for every library alike. Vite would pick the ESM entry for our code only, a second
  // copy whose GraphQLSchema the other one refuses; the alias keeps tests on the one Node loads.
  resolve: {
    alias: {
      '@tollgate/client': fileURLToPath(new URL('./packages/client/src/index.ts', import.meta.url)),
      graphql: createRequire(import.meta.url).resolve('graphql'),
    },
  },
  test: {
    pool: 'forks',
    // Every test file's temp folders go when the file is done.
    setupFiles: ['test/support/cleanup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default'],
    projects: FAST
      ? [
          {
            extends: true,
            test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: [...PG_ONLY, ...REAL_PROCESSES] },
          },
        ]
      : [
          { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: PG_ONLY } },
          {
            extends: true,
            test: {
              name: 'pg',
              include: [...PG_ONLY, ...ON_BOTH],
              env: { TEST_STORE: 'pg' },
              globalSetup: ['test/support/pg-global.ts'],
            },
          },
        ],
  },
});

import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, PG_MIGRATIONS, TEST_MASTER_KEY } from '../support/pg.js';
import { cli, startServer, type RunningServer } from '../support/process.js';

/** Migrations as a one-off step (behind a transaction pooler, say), before instances start. */
describe('tollgate migrate as a separate step', () => {
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses to start unmigrated with MIGRATE_ON_START=false, then starts once `tollgate migrate` ran', async () => {
    const env = {
      DATABASE_URL: await freshDatabase({ empty: true }),
      TOLLGATE_MASTER_KEY: TEST_MASTER_KEY,
      MIGRATE_ON_START: 'false',
    };
    await expect(startServer(env)).rejects.toThrow(
      `lacks ${PG_MIGRATIONS} of ${PG_MIGRATIONS} migrations: run \`tollgate migrate\``,
    );
    const migrated = await cli(['migrate'], env);
    expect(migrated.status, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/^migrations applied to postgres:\/\/\S+\/tg_\d+_\w+$/m);
    // Twice is harmless.
    expect((await cli(['migrate'], env)).status).toBe(0);
    server = await startServer(env);
    expect(server.stdout()).toContain('client_secret:');
  });

  it('refuses `tollgate backup` on PostgreSQL, pointing to pg_dump', async () => {
    const r = await cli(['backup', '/tmp/never-written.db'], {
      DATABASE_URL: await freshDatabase(),
      TOLLGATE_MASTER_KEY: TEST_MASTER_KEY,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('pg_dump');
  });
});

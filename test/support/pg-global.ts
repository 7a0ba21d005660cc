import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPgStore } from '../../src/infra/db/pg/store.js';
import { adminQuery, databaseUrl, startCluster, type Cluster } from './pg-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL whose user may CREATE DATABASE: the throw-away cluster's, or TEST_DATABASE_URL. */
    pgAdminUrl: string;
    /** A migrated, empty database that fresh test databases are copied from. */
    pgTemplate: string;
    /** The prefix of this run's databases, dropped at the end when the server is not ours. */
    pgPrefix: string;
  }
}

/**
 * Once per test run: one throw-away PostgreSQL cluster for the whole suite (unless
 * TEST_DATABASE_URL names a server), and a migrated template database. Each test file (or store)
 * then gets its own database, copied from the template (test/support/pg.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let cluster: Cluster | undefined;
  let admin = process.env.TEST_DATABASE_URL;
  if (!admin) {
    cluster = await startCluster();
    admin = cluster.url;
  }
  const template = `tollgate_template_${process.pid}`;
  await adminQuery(admin, `DROP DATABASE IF EXISTS ${template}`);
  await adminQuery(admin, `CREATE DATABASE ${template} TEMPLATE template0`);
  const store = await openPgStore(databaseUrl(admin, template));
  await store.close();
  project.provide('pgAdminUrl', admin);
  project.provide('pgTemplate', template);
  const prefix = `tg_${process.pid}_`;
  project.provide('pgPrefix', prefix);
  return async () => {
    if (cluster) return cluster.destroy();
    // Someone else's server (TEST_DATABASE_URL): leave it as it was.
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      const { rows } = await c.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
        [prefix],
      );
      for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await c.query(`DROP DATABASE IF EXISTS ${template}`);
    } finally {
      await c.end();
    }
  };
}

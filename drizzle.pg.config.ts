import { defineConfig } from 'drizzle-kit';

/** PostgreSQL's own schema and migration history; SQLite keeps `drizzle/` (drizzle.config.ts). */
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/infra/db/pg/schema.ts',
  out: process.env.DRIZZLE_OUT ?? './drizzle-pg',
});

import { createRequire } from 'node:module';
import { builder } from './builder.js';
// One file per noun (its type, inputs, queries and mutations), as Pothos's examples do.
import './schema/root.js';
import './schema/date-time.js';
import './schema/mode.js';
import './schema/error.js';
import './schema/audit-event.js';
import './schema/client.js';
import './schema/usage.js';
import './schema/api.js';
import './schema/grant.js';
import './schema/token.js';
import './schema/operator.js';
import './schema/signing-key.js';
import './schema/panel-session.js';
import './schema/totp.js';

/** The whole schema, built once at start-up from the noun files under `schema/`. */
export const schema = builder.toSchema();

// graphql ships a CJS and an ESM build. Node gives every importer (Pothos, yoga, us) the CJS one,
// but a bundling test runner can hand this file the ESM one, whose printer refuses a schema of
// the other build ("from another module or realm"). Asking `require` names the build Pothos used.
const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/** The SDL committed at `schema/schema.graphql` (`npm run schema:print`), sorted so diffs are stable. */
export const printSdl = (): string => graphql.printSchema(graphql.lexicographicSortSchema(schema)) + '\n';

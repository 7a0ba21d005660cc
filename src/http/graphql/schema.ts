import { createRequire } from 'node:module';
import { builder } from './builder.js';
import './types/query.js';
import './types/mutation.js';
import './fields/issue-token.js';
import './fields/viewer.js';
import './fields/clients.js';
import './fields/rotate-client-secret.js';
import './fields/create-client.js';
import './fields/update-client.js';
import './fields/client-enabled.js';
import './fields/operators.js';
import './fields/panel-session.js';
import './fields/totp.js';

/** The whole schema, built once at start-up from the type and field files. */
export const schema = builder.toSchema();

// graphql ships a CJS and an ESM build. Node gives every importer (Pothos, yoga, us) the CJS one,
// but a bundling test runner can hand this file the ESM one, whose printer refuses a schema of
// the other build ("from another module or realm"). Asking `require` names the build Pothos used.
const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');

/** The SDL committed at `schema/schema.graphql` (`npm run schema:print`), sorted so diffs are stable. */
export const printSdl = (): string => graphql.printSchema(graphql.lexicographicSortSchema(schema)) + '\n';

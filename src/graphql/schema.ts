import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.js';
import './types/query.js';
import './types/mutation.js';
import './fields/issue-token.js';
import './fields/viewer.js';
import './fields/clients.js';
import './fields/rotate-client-secret.js';
import './fields/create-client.js';
import './fields/update-client.js';

/** The whole schema, built once at start-up from the type and field files. */
export const schema = builder.toSchema();

/** The SDL committed at `schema/schema.graphql` (`npm run schema:print`), sorted so diffs are stable. */
export const printSdl = (): string => printSchema(lexicographicSortSchema(schema)) + '\n';

import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { GraphQLContext } from './context.js';

/**
 * The Pothos builder, and nothing else: each noun's type, inputs, queries and mutations live
 * in one file under `schema/` (client.ts, token.ts, operator.ts, signing-key.ts …); `schema.ts`
 * imports them all and builds the schema.
 */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    /** Epoch milliseconds out, RFC 3339 in. */
    DateTime: { Input: Date; Output: number | Date };
  };
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    // Clients keep their own ids (`cl_live_…`); no global-id `node` lookup that could walk past
    // the admin checks.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    cursorType: 'String',
  },
});

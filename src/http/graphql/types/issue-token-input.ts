import { builder } from '../builder.js';

/**
 * The client credentials. The fields are nullable on purpose: a missing one is an expected
 * failure (`InvalidRequestError` naming it), answered as data like every other.
 */
export const IssueTokenInput = builder.inputType('IssueTokenInput', {
  fields: (t) => ({
    clientId: t.string({ description: 'Required; left out, the answer is an InvalidRequestError naming it.' }),
    clientSecret: t.string({ description: 'Required; left out, the answer is an InvalidRequestError naming it.' }),
    scope: t.string({ description: "Space-separated; omitted, all of the client's scopes." }),
  }),
});

import { builder } from '../builder.js';

export const CreateClientInput = builder.inputType('CreateClientInput', {
  description: 'The client is created in the mode of the address called.',
  fields: (t) => ({
    name: t.string({ required: true }),
    scopes: t.stringList({ description: 'Scopes the client may ask for.' }),
    allowedIps: t.stringList({ description: 'CIDRs (IPv4 or IPv6); omitted or empty, any address.' }),
    orgId: t.string(),
  }),
});

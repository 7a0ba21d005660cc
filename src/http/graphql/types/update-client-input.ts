import { builder } from '../builder.js';

export const UpdateClientInput = builder.inputType('UpdateClientInput', {
  description: 'Fields left out (or null) stay as they are.',
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string(),
    scopes: t.stringList(),
    allowedIps: t.stringList({ description: 'An empty list lifts the allowlist.' }),
    enabled: t.boolean(),
  }),
});

import type { ClientWithSecret } from '../../../usecases/clients/manage.js';
import { builder } from '../builder.js';
import { Client } from './client.js';

export const CreateClientPayload = builder.objectRef<ClientWithSecret>('CreateClientPayload').implement({
  description: 'The new client and its secret, shown only in this answer (and its idempotent replays).',
  fields: (t) => ({
    client: t.field({ type: Client, resolve: (p) => p.client }),
    clientSecret: t.exposeString('clientSecret'),
  }),
});

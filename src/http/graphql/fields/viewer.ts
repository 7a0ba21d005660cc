import { toView } from '../../../domain/client.js';
import { bearer } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { Client } from '../types/client.js';

/** The client the Bearer token belongs to. */
builder.queryField('viewer', (t) =>
  t.field({
    type: Client,
    nullable: true,
    description: 'The calling client (Bearer).',
    resolve: (_root, _args, ctx) => guarded(async () => toView((await bearer(ctx)).client)),
  }),
);

import type { ClientView } from '../../../domain/client.js';
import { clientAuditFor } from '../../../usecases/clients/admin.js';
import { principal } from '../bearer.js';
import { builder } from '../builder.js';
import { guarded } from '../errors.js';
import { AuditEvent } from './audit-event.js';
import { DateTime } from './date-time.js';
import { Mode } from './mode.js';

/** A client as a caller may see it: never its secret or hashes. */
export const Client = builder.objectRef<ClientView>('Client').implement({
  description: 'A machine client: what it may ask for and from where.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'cl_live_… or cl_test_…' }),
    name: t.exposeString('name'),
    mode: t.field({ type: Mode, resolve: (c) => c.mode }),
    scopes: t.exposeStringList('scopes'),
    allowedIps: t.exposeStringList('allowedIps', { description: 'CIDRs; empty means any address.' }),
    orgId: t.exposeString('orgId', { nullable: true }),
    enabled: t.exposeBoolean('enabled'),
    secretGeneration: t.exposeInt('secretGeneration', { description: 'Bumped by every rotation; older tokens die with it.' }),
    createdAt: t.field({ type: DateTime, resolve: (c) => c.createdAt }),
    lastUsedAt: t.field({
      type: DateTime,
      nullable: true,
      description: 'When a token was last issued to it, to the minute; null: never.',
      resolve: (c) => c.lastUsedAt,
    }),
    auditTrail: t.field({
      type: [AuditEvent],
      description: 'Its recorded changes and lockouts, newest first (administration: Bearer + tollgate:admin, or the panel). `first` defaults to 20, at most 100.',
      args: { first: t.arg.int() },
      resolve: (c, { first }, ctx) => guarded(async () => clientAuditFor(ctx.deps, await principal(ctx), c.id, first)),
    }),
  }),
});

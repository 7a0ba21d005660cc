import type { AuditRecord } from '../../../domain/audit.js';
import { auditSummary } from '../../../domain/audit-text.js';
import { builder } from '../builder.js';
import { DateTime } from './date-time.js';

export const AuditEvent = builder.objectRef<AuditRecord>('AuditEvent').implement({
  description: 'One recorded change or lockout; never a secret.',
  fields: (t) => ({
    id: t.id({ resolve: (e) => String(e.id) }),
    at: t.field({ type: DateTime, resolve: (e) => e.at }),
    action: t.exposeString('action', { description: 'client.created, client.rotated, lockout, …' }),
    actor: t.exposeString('actor', {
      description: 'cli:<user>, graphql:<client id>, panel:<email> or system:tollgate.',
    }),
    clientId: t.exposeString('clientId', { nullable: true }),
    sourceIp: t.exposeString('sourceIp', { nullable: true }),
    summary: t.string({
      description:
        'The event in words: "Secret rotated, 1 h grace, by you@example.test from 127.0.0.1". Never a secret.',
      resolve: (e) => auditSummary(e),
    }),
    detail: t.string({ description: 'What changed, as a JSON object.', resolve: (e) => JSON.stringify(e.detail) }),
  }),
});

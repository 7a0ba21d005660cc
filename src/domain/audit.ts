/** Who did something: an operator at the CLI, a client through GraphQL, or Tollgate itself. */
export interface Actor {
  kind: 'cli' | 'graphql' | 'panel' | 'system';
  /** The operator's login name (cli) or email (panel), or the acting client's id. */
  id: string;
  sourceIp?: string;
}

export const SYSTEM: Actor = { kind: 'system', id: 'tollgate' };

export const AUDIT_ACTIONS = [
  'client.created',
  'client.updated',
  'client.rotated',
  'client.disabled',
  'client.enabled',
  'client.deleted',
  'client.scope_refused',
  'api.created',
  'api.updated',
  'api.deleted',
  'grant.set',
  'grant.removed',
  'key.rotated',
  'key.retired',
  'lockout',
  'operator.created',
  'operator.setup',
  'operator.disabled',
  'operator.reset',
  'operator.totp_enrolled',
  'operator.password_changed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEvent {
  at: number;
  actor: string;
  action: AuditAction;
  clientId: string | null;
  sourceIp: string | null;
  /** What changed, never a secret. */
  detail: Record<string, unknown>;
}

export const actorLabel = (a: Actor): string => `${a.kind}:${a.id}`;

/** An event as stored, with its row id (which also orders events recorded in one millisecond). */
export interface AuditRecord extends AuditEvent {
  id: number;
}

/** The event's source address: where the actor called from (none for the CLI and Tollgate itself). */
export const actorSourceIp = (a: Actor): string | null => a.sourceIp ?? null;

/**
 * One audit event by `actor`; `clientId` names the client changed (null: none); `detail` never holds a secret or hash.
 */
export const auditEvent = (
  actor: Actor,
  action: AuditAction,
  clientId: string | null,
  at: number,
  detail: Record<string, unknown> = {},
): AuditEvent => ({
  at,
  actor: actorLabel(actor),
  action,
  clientId,
  sourceIp: actorSourceIp(actor),
  detail,
});

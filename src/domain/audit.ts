/** Who did something: an operator at the CLI, a client through GraphQL, or Tollgate itself. */
export interface Actor {
  kind: 'cli' | 'graphql' | 'system';
  /** The operator's login name, or the acting client's id. */
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
  'lockout',
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

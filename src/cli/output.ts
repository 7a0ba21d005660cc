import type { AuditRecord } from '../domain/audit.js';
import type { ClientView } from '../domain/client.js';

/** A client as `--json` prints it (spec §6); the secret only where it was just made. */
export function clientJson(c: ClientView, clientSecret?: string): Record<string, unknown> {
  return {
    clientId: c.id,
    name: c.name,
    mode: c.mode,
    scopes: c.scopes,
    allowedIps: c.allowedIps,
    orgId: c.orgId,
    enabled: c.enabled,
    secretGeneration: c.secretGeneration,
    createdAt: new Date(c.createdAt).toISOString(),
    ...(clientSecret === undefined ? {} : { clientSecret }),
  };
}

export function clientText(c: ClientView, clientSecret?: string): string {
  const lines = [
    `${c.id}  ${c.name}`,
    `  mode:        ${c.mode}${c.enabled ? '' : '  (disabled)'}`,
    `  scopes:      ${c.scopes.join(' ') || '(none)'}`,
    `  allowed ips: ${c.allowedIps.join(' ') || '(any)'}`,
    `  org:         ${c.orgId ?? '(none)'}`,
    `  generation:  ${c.secretGeneration}`,
    `  created:     ${new Date(c.createdAt).toISOString()}`,
  ];
  if (clientSecret !== undefined) lines.push(`  secret:      ${clientSecret}`, '  (shown once: store it now)');
  return lines.join('\n');
}

/** `90`, `90s`, `15m`, `1h`, `2d` → seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${JSON.stringify(text)} (use e.g. 90s, 15m, 1h, 2d)`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** An audit event as `audit --json` prints it. */
export function auditJson(e: AuditRecord): Record<string, unknown> {
  return {
    id: e.id,
    at: new Date(e.at).toISOString(),
    actor: e.actor,
    action: e.action,
    clientId: e.clientId,
    sourceIp: e.sourceIp,
    detail: e.detail,
  };
}

/** One line per event: time, action, client, actor, address, detail. */
export function auditText(e: AuditRecord): string {
  const detail = Object.keys(e.detail).length === 0 ? '' : `  ${JSON.stringify(e.detail)}`;
  return `${new Date(e.at).toISOString()}  ${e.action.padEnd(15)}  ${e.clientId ?? '-'}  ${e.actor}  ${e.sourceIp ?? '-'}${detail}`;
}

import type { Command } from 'commander';
import { print, printJson, withServices } from './context.js';
import type { AuditRecord } from '../domain/audit.js';
import { auditSummary } from '../domain/audit-text.js';
import { auditJson } from './output.js';

const AUDIT_LIMIT_DEFAULT = 1000;

/** One line per event: when, which client (or -), and the event in words. */
const auditLine = (e: AuditRecord): string =>
  `${new Date(e.at).toISOString()}  ${(e.clientId ?? '-').padEnd(30)}  ${auditSummary(e)}`;

/** `tollgate audit`: the audit trail, read back. */
export function addAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('show the audit trail, newest first: client changes, key rotations and retirements, lockouts')
    .option('--client <id>', "only this client's events")
    .option('--limit <n>', `at most this many events (default ${AUDIT_LIMIT_DEFAULT})`)
    .option('--json', 'print a JSON array')
    .action((o: { client?: string; limit?: string; json?: boolean }) =>
      withServices(async ({ deps }) => {
        const limit = o.limit === undefined ? AUDIT_LIMIT_DEFAULT : Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1) {
          throw new Error(`--limit must be a positive whole number, not ${JSON.stringify(o.limit)}`);
        }
        const events = await deps.audit.list({ clientId: o.client, limit });
        if (o.json) printJson(events.map(auditJson));
        else print(events.length === 0 ? 'no audit events' : events.map(auditLine).join('\n'));
      }),
    );
}

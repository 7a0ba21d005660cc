import type { Command } from 'commander';
import { print, printJson, withServices } from './context.js';
import { auditJson, auditText } from './output.js';

const AUDIT_LIMIT_DEFAULT = 1000;

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
        else print(events.length === 0 ? 'no audit events' : events.map(auditText).join('\n'));
      }),
    );
}

import type { Command } from 'commander';
import { CliAuditLogDocument } from '../../../client/generated/graphql';
import type { AuditLogFilter, CliAuditLogQuery } from '../../../client/generated/graphql';
import { behindGate } from '../challenge';
import { usageError } from '../exit-codes';
import { findMember, findTenant, MAX_PAGE_SIZE } from '../lookups';
import { formatInstant, note, printJson, printTable } from '../output';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { pageSize } from './admin-agents.command';
import { example } from './help';
import { tenantOption } from './tenant-option';

type AuditLog = NonNullable<CliAuditLogQuery['tenant']>['auditLog'];

interface AuditOptions extends CommonOptions {
  tenant: string;
  action: string[];
  agent?: string;
  since?: string;
  limit: string;
  after?: string;
  all?: boolean;
}

/** admin audit: the tenant's audit log, newest first, filtered by the gateway (`auditLog(filter:)`). */
export function registerAdminAuditCommand(admin: Command): void {
  addCommonOptions(admin.command('audit'))
    .summary('the audit log, newest first')
    .description(
      "Show the tenant's audit log, newest first: when, what, who acted, on whom, with which second factor, and from which client address. --action, --agent and --since narrow it at the gateway; all given must hold.",
    )
    .addOption(tenantOption())
    .option('--action <action>', 'only this action, e.g. TWO_FACTOR_RESET (repeat for several)', (value: string, previous: string[]) => [...previous, value.toUpperCase()], [])
    .option('--agent <agent>', 'only events where this agent (id or email) acted or was acted on')
    .option('--since <iso>', 'only events at or after this instant, e.g. 2026-11-28T00:00:00Z')
    .option('--limit <n>', 'at most this many events, 1 to 100', '50')
    .option('--after <cursor>', 'continue after this cursor (printed at the end)')
    .option('--all', 'every matching event, however many (--limit is ignored)')
    .addHelpText('after', example('tenant-2fa admin audit --tenant "Acme Support" --action TWO_FACTOR_RESET --since 2026-11-01T00:00:00Z'))
    .action(async (options: AuditOptions) => {
      const runtime = new Runtime(options);
      const first = options.all ? MAX_PAGE_SIZE : pageSize(options.limit);
      const filter: AuditLogFilter = {};
      if (options.action.length) filter.actions = options.action;
      if (options.since !== undefined) filter.since = parseInstant(options.since);

      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const log = await behindGate(client, tenant, options.tenant, async (): Promise<AuditLog> => {
        if (options.agent !== undefined) filter.agentId = options.agent.includes('@') ? (await findMember(client, tenant.id, options.agent)).agent.id : options.agent;
        const edges: AuditLog['edges'] = [];
        let after = options.after;
        for (;;) {
          const data = await client.request(CliAuditLogDocument, { tenantId: tenant.id, first, after, filter });
          const page = data.tenant!.auditLog;
          edges.push(...page.edges);
          if (!options.all || !page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return { ...page, edges };
          after = page.pageInfo.endCursor;
        }
      });

      // Without --all this is exactly the page the gateway sent; with --all, every page's edges under the last pageInfo.
      if (runtime.json) return printJson({ tenant: { id: tenant.id, auditLog: log } });
      if (!log.edges.length) note('No matching events.');
      printTable(
        log.edges.map((edge) => edge.node),
        [
          { header: 'AT', value: (e) => formatInstant(e.at) },
          { header: 'ACTION', value: (e) => e.action },
          { header: 'METHOD', value: (e) => e.method ?? '-' },
          { header: 'ACTOR', value: (e) => e.actor?.email ?? '-' },
          { header: 'SUBJECT', value: (e) => e.subject?.email ?? '-' },
          { header: 'WORKSPACE', value: (e) => e.workspace?.name ?? '-' },
          { header: 'CLIENT IP', value: (e) => e.clientIp ?? '-' },
        ],
        { header: log.edges.length > 0 },
      );
      if (log.pageInfo.hasNextPage && log.pageInfo.endCursor) note(`More: add --after ${log.pageInfo.endCursor} (or --all).`);
    });
}

/** An ISO 8601 instant as the gateway's DateTime takes it (UTC). */
function parseInstant(raw: string): string {
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw usageError(`--since must be an ISO 8601 instant, e.g. 2026-11-28T09:00:00Z, not "${raw}".`);
  return new Date(ms).toISOString();
}

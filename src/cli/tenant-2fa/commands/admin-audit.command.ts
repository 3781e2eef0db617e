import type { Command } from 'commander';
import { CliAuditLogDocument } from '../../../client/generated/graphql';
import type { CliAuditLogQuery } from '../../../client/generated/graphql';
import { behindGate } from '../challenge';
import { usageError } from '../exit-codes';
import { findTenant, MAX_PAGE_SIZE } from '../lookups';
import { formatInstant, note, printJson, printTable } from '../output';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { pageSize } from './admin-agents.command';
import { example } from './help';
import { tenantOption } from './tenant-option';

type AuditEdge = NonNullable<CliAuditLogQuery['tenant']>['auditLog']['edges'][number];

interface AuditOptions extends CommonOptions {
  tenant: string;
  action: string[];
  agent?: string;
  since?: string;
  limit: string;
  after?: string;
  all?: boolean;
}

/**
 * admin audit: the tenant's audit log, newest first. The API has no audit filter yet, so --action, --agent and
 * --since are applied here while paging; with `auditLog(filter:)` they move into the request.
 */
export function registerAdminAuditCommand(admin: Command): void {
  addCommonOptions(admin.command('audit'))
    .summary('the audit log, newest first')
    .description(
      "Show the tenant's audit log, newest first. --action, --agent and --since are applied by this CLI while it pages through the log (the API has no audit filter yet), so a narrow filter over a long log reads many pages.",
    )
    .addOption(tenantOption())
    .option('--action <action>', 'only this action, e.g. TWO_FACTOR_RESET (repeat for several)', (value: string, previous: string[]) => [...previous, value.toUpperCase()], [])
    .option('--agent <agent>', 'only events where this agent (id or email) acted or was acted on')
    .option('--since <iso>', 'only events at or after this instant, e.g. 2026-11-28T00:00:00Z')
    .option('--limit <n>', 'at most this many events', '50')
    .option('--after <cursor>', 'continue after this cursor (printed at the end)')
    .option('--all', 'every matching event, however many')
    .addHelpText('after', example('tenant-2fa admin audit --tenant "Acme Support" --action TWO_FACTOR_RESET --since 2026-11-01T00:00:00Z'))
    .action(async (options: AuditOptions) => {
      const runtime = new Runtime(options);
      const limit = options.all ? Infinity : pageSize(options.limit);
      const since = options.since === undefined ? undefined : parseInstant(options.since);
      const agent = options.agent?.toLowerCase();
      const actions = new Set(options.action);
      const matches = (edge: AuditEdge) => {
        const { node } = edge;
        if (actions.size && !actions.has(node.action)) return false;
        if (agent && ![node.actor, node.subject].some((a) => a && (a.id === options.agent || a.email.toLowerCase() === agent))) return false;
        return true;
      };

      const { client } = runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const edges: AuditEdge[] = [];
      let after = options.after;
      let more = true;
      while (more && edges.length < limit) {
        const data = await behindGate(client, tenant, options.tenant, () => client.request(CliAuditLogDocument, { tenantId: tenant.id, first: MAX_PAGE_SIZE, after }));
        const log = data.tenant!.auditLog;
        more = log.pageInfo.hasNextPage;
        after = log.pageInfo.endCursor ?? undefined;
        for (const [index, edge] of log.edges.entries()) {
          // Newest first: once past --since, nothing older can match.
          if (since !== undefined && Date.parse(edge.node.at) < since) {
            more = false;
            break;
          }
          if (!matches(edge)) continue;
          edges.push(edge);
          if (edges.length === limit) {
            more = index < log.edges.length - 1 || log.pageInfo.hasNextPage;
            break;
          }
        }
      }

      const pageInfo = { hasNextPage: more, endCursor: edges.at(-1)?.cursor ?? after ?? null };
      // Shaped as the answer of `auditLog(filter:)`, so scripts keep working when the filter moves into the API.
      if (runtime.json) return printJson({ tenant: { id: tenant.id, auditLog: { pageInfo, edges } } });
      if (!edges.length) note('No matching events.');
      printTable(
        edges.map((edge) => edge.node),
        [
          { header: 'AT', value: (e) => formatInstant(e.at) },
          { header: 'ACTION', value: (e) => e.action },
          { header: 'ACTOR', value: (e) => e.actor?.email ?? '-' },
          { header: 'SUBJECT', value: (e) => e.subject?.email ?? '-' },
          { header: 'WORKSPACE', value: (e) => e.workspace?.name ?? '-' },
        ],
        { header: edges.length > 0 },
      );
      if (more && pageInfo.endCursor) note(`More: add --after ${pageInfo.endCursor} (or --all).`);
    });
}

function parseInstant(raw: string): number {
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw usageError(`--since must be an ISO 8601 instant, e.g. 2026-11-28T09:00:00Z, not "${raw}".`);
  return ms;
}

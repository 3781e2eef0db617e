/** DataLoader key of an (agent, tenant) pair: loaders keyed this way never mix tenants. */
export const pairKey = (tenantId: string, agentId: string) => `${tenantId}:${agentId}`;

/** Pair keys grouped by tenant, so a batch costs one statement per tenant (in practice one). */
export function groupByTenant(keys: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const [tenantId, agentId] = key.split(':');
    groups.set(tenantId, [...(groups.get(tenantId) ?? []), agentId]);
  }
  return groups;
}

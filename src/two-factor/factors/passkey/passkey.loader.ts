import DataLoader from 'dataloader';
import type { Database } from '../../../db/database';
import { PasskeyEntity } from '../../../db/entities';
import { groupByTenant, pairKey } from '../../../tenancy/pair-key';

/** Per request: pairKey(tenantId, agentId) → the pair's passkeys, oldest first; one statement per tenant in the batch. */
export function createPasskeyLoader(db: Database) {
  return new DataLoader<string, PasskeyEntity[]>(async (keys) => {
    const found = new Map<string, PasskeyEntity[]>();
    for (const [tenantId, agentIds] of groupByTenant(keys)) {
      const rows = await db.manager
        .createQueryBuilder(PasskeyEntity, 'p')
        .where('p.tenantId = :tenantId AND p.agentId IN (:...agentIds)', { tenantId, agentIds })
        .orderBy('p.createdAt', 'ASC')
        .addOrderBy('p.id', 'ASC')
        .getMany();
      for (const row of rows) {
        const key = pairKey(tenantId, row.agentId);
        found.set(key, [...(found.get(key) ?? []), row]);
      }
    }
    return keys.map((key) => found.get(key) ?? []);
  });
}

import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { Database } from '../db/database';
import { AgentEntity, TenantEntity, WorkspaceEntity } from '../db/entities';
import { loadByIds } from '../db/load-by-ids';

export type TenancyLoaders = ReturnType<typeof createTenancyLoaders>;

export function createTenancyLoaders(db: Database) {
  return {
    tenant: new DataLoader(loadByIds(db, TenantEntity)),
    workspace: new DataLoader(loadByIds(db, WorkspaceEntity)),
    agent: new DataLoader(loadByIds(db, AgentEntity)),
    /** A tenant's workspaces, oldest first. */
    workspacesOfTenant: new DataLoader(async (tenantIds: readonly string[]) => {
      const rows = await db.manager.find(WorkspaceEntity, { where: { tenantId: In([...tenantIds]) }, order: { id: 'ASC' } });
      return tenantIds.map((tenantId) => rows.filter((w) => w.tenantId === tenantId));
    }),
  };
}

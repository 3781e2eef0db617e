import { AgentEntity } from '../db/entities';
import type { Services } from '../services';

export const DEMO_PASSWORD = 'demo-password';
export const DEMO_OWNER_EMAIL = 'owner@demo.test';

/**
 * A small demo so a newcomer can try the gateway at once. Does nothing when any account exists.
 *   Acme Support (tenant 2FA on): Billing requires 2FA, Lobby does not.  Globex (tenant 2FA off): Sales.
 *   owner@demo.test is OWNER of Acme and AGENT of Globex; agent@demo.test is AGENT of Acme;
 *   globex@demo.test is OWNER of Globex. Every password is DEMO_PASSWORD.
 * Returns whether it seeded.
 */
export async function seedDemoData({ db, accounts, tenancy }: Services): Promise<boolean> {
  if ((await db.manager.count(AgentEntity)) > 0) return false;
  const owner = await accounts.signUp(DEMO_OWNER_EMAIL, DEMO_PASSWORD, 'Olivia Owner');
  const agent = await accounts.signUp('agent@demo.test', DEMO_PASSWORD, 'Aaron Agent');
  const globexOwner = await accounts.signUp('globex@demo.test', DEMO_PASSWORD, 'Gina Globex');
  // Services trust their callers to have passed the gate; the seed acts as each tenant's owner.
  const asOwner = { sessionId: '', agentId: owner.agent.id, clientIp: null };
  const asGlobexOwner = { sessionId: '', agentId: globexOwner.agent.id, clientIp: null };

  const acme = await tenancy.createTenant(asOwner, 'Acme Support', null);
  const billing = await tenancy.createWorkspace(acme.id, 'Billing');
  const lobby = await tenancy.createWorkspace(acme.id, 'Lobby');
  await tenancy.addTenantMember(asOwner, 'OWNER', acme.id, agent.agent.email, 'AGENT');
  for (const workspace of [billing, lobby]) {
    await tenancy.addWorkspaceMember(asOwner, workspace, owner.agent.id);
    await tenancy.addWorkspaceMember(asOwner, workspace, agent.agent.id);
  }
  await tenancy.setTenantTwoFactor(asOwner, acme.id, true);
  await tenancy.setWorkspaceTwoFactor(asOwner, billing, true);

  const globex = await tenancy.createTenant(asGlobexOwner, 'Globex', null);
  const sales = await tenancy.createWorkspace(globex.id, 'Sales');
  await tenancy.addTenantMember(asGlobexOwner, 'OWNER', globex.id, owner.agent.email, 'AGENT');
  await tenancy.addWorkspaceMember(asGlobexOwner, sales, owner.agent.id);
  return true;
}

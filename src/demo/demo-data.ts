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
  // Accounts and nothing else: no session (signing up would open one, listed in the profile as an unknown
  // device) and no verification e-mail (the demo's addresses count as verified).
  const demoAccount = (email: string, name: string) => accounts.createAccount({ email, password: DEMO_PASSWORD, name }, { emailVerified: true });
  const owner = await demoAccount(DEMO_OWNER_EMAIL, 'Olivia Owner');
  const agent = await demoAccount('agent@demo.test', 'Aaron Agent');
  const globexOwner = await demoAccount('globex@demo.test', 'Gina Globex');
  // Services trust their callers to have passed the gate; the seed acts as each tenant's owner.
  const asOwner = { sessionId: '', agentId: owner.id, clientIp: null };
  const asGlobexOwner = { sessionId: '', agentId: globexOwner.id, clientIp: null };

  const acme = await tenancy.createTenant(asOwner, 'Acme Support', null);
  const billing = await tenancy.createWorkspace(acme.id, 'Billing');
  const lobby = await tenancy.createWorkspace(acme.id, 'Lobby');
  await tenancy.addTenantMember(asOwner, 'OWNER', acme.id, agent.email, 'AGENT');
  for (const workspace of [billing, lobby]) {
    await tenancy.addWorkspaceMember(asOwner, workspace, owner.id);
    await tenancy.addWorkspaceMember(asOwner, workspace, agent.id);
  }
  await tenancy.setTenantTwoFactor(asOwner, acme.id, true);
  await tenancy.setWorkspaceTwoFactor(asOwner, billing, true);

  const globex = await tenancy.createTenant(asGlobexOwner, 'Globex', null);
  const sales = await tenancy.createWorkspace(globex.id, 'Sales');
  await tenancy.addTenantMember(asGlobexOwner, 'OWNER', globex.id, owner.email, 'AGENT');
  await tenancy.addWorkspaceMember(asGlobexOwner, sales, owner.id);
  return true;
}

import { expect } from 'vitest';
import { EnterWorkspaceDocument, SignInDocument } from '../../src/client/generated/graphql';
import type { GraphQLClient } from './client';
import { addMember, createTenant, enrol, Enrolment, signUp, TestAgent, TestTenant } from './fixtures';
import type { TestGateway } from './gateway';

/** An agent enrolled in a tenant, with the raw secret and recovery codes it was given. */
export interface EnrolledAgent extends Enrolment {
  agent: TestAgent;
}

/** A new member of the tenant (both its workspaces), enrolled there; its first session has the tenant's standing. */
export async function enrolledAgent(t: TestGateway, tenant: TestTenant, label = 'agent'): Promise<EnrolledAgent> {
  const agent = await signUp(t, label);
  await addMember(tenant, agent);
  return { agent, ...(await enrol(t, agent, tenant.id)) };
}

/** Two tenants with 2FA on (each with a workspace requiring it and one that does not). */
export async function twoTenants(t: TestGateway): Promise<[TestTenant, TestTenant]> {
  return [await createTenant(t, { twoFactor: true, name: 'Tenant A' }), await createTenant(t, { twoFactor: true, name: 'Tenant B' })];
}

/** Another session of the same agent (a second sign-in), optionally through another gateway instance. */
export async function signInAgain(t: TestGateway, agent: TestAgent, via: GraphQLClient = t.client): Promise<TestAgent> {
  const { signIn } = await via.ok(SignInDocument, { email: agent.email, password: agent.password });
  return { ...agent, token: signIn.token, client: via.withToken(signIn.token) };
}

/** Enters the workspace and expects a challenge; returns its id. */
export async function openChallenge(session: TestAgent, workspaceId: string): Promise<string> {
  const { enterWorkspace } = await session.client.ok(EnterWorkspaceDocument, { workspaceId });
  expect(enterWorkspace.status).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
  return enterWorkspace.challenge!.id;
}

/** A fresh session of the agent with an open challenge for the workspace. */
export async function challengedSession(
  t: TestGateway,
  agent: TestAgent,
  workspaceId: string,
  via: GraphQLClient = t.client,
): Promise<{ session: TestAgent; challengeId: string }> {
  const session = await signInAgain(t, agent, via);
  return { session, challengeId: await openChallenge(session, workspaceId) };
}

/** The audit actions recorded about an agent in a tenant, oldest first, read straight from the table. */
export async function auditActions(t: TestGateway, tenantId: string, agentId: string): Promise<string[]> {
  const rows: Array<{ action: string }> = await t.gateway.db.manager.query(
    'SELECT action FROM audit_events WHERE tenant_id = ? AND subject_agent_id = ? ORDER BY id',
    [tenantId, agentId],
  );
  return rows.map((row) => row.action);
}

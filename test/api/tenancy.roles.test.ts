import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddTenantMemberDocument,
  AddWorkspaceMemberDocument,
  AuditLogDocument,
  CreateWorkspaceDocument,
  ResetAgentTwoFactorDocument,
  RevokeAgentSessionsDocument,
  SetTenantRecoveryCodeFormatDocument,
  SetTenantTwoFactorDocument,
  SetTenantTwoFactorPolicyDocument,
  SetWorkspaceTwoFactorDocument,
  TenantAgentsDocument,
} from '../../src/client/generated/graphql';
import { expectRefused } from '../helpers/access';
import type { GraphQLClient, GraphQLErrorBody } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';

describe.each(databaseKinds)('tenant roles on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let admin: TestAgent;
  let agent: TestAgent;
  let outsider: TestAgent;
  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t);
    [admin, agent, outsider] = [await signUp(t, 'admin'), await signUp(t, 'agent'), await signUp(t, 'outsider')];
    await addMember(tenant, admin, 'ADMIN');
    await addMember(tenant, agent, 'AGENT');
  });
  afterAll(() => t?.close());

  type Attempt = (client: GraphQLClient) => Promise<GraphQLErrorBody & { code?: string }>;
  const adminOperations: Array<[string, Attempt]> = [
    ['setTenantTwoFactor', (c) => c.fails(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: true })],
    ['setWorkspaceTwoFactor', (c) => c.fails(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.openWorkspaceId, required: false })],
    ['setTenantTwoFactorPolicy', (c) => c.fails(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'OPTIONAL' })],
    ['setTenantRecoveryCodeFormat', (c) => c.fails(SetTenantRecoveryCodeFormatDocument, { tenantId: tenant.id, format: 'XXXXX_XXXXX' })],
    ['createWorkspace', (c) => c.fails(CreateWorkspaceDocument, { tenantId: tenant.id, name: 'Side door' })],
    ['addTenantMember', (c) => c.fails(AddTenantMemberDocument, { tenantId: tenant.id, email: outsider.email, role: 'AGENT' })],
    ['addWorkspaceMember', (c) => c.fails(AddWorkspaceMemberDocument, { workspaceId: tenant.secureWorkspaceId, agentId: tenant.owner.id })],
    ['resetAgentTwoFactor', (c) => c.fails(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: admin.id })],
    ['revokeAgentSessions', (c) => c.fails(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: admin.id })],
    ['tenant.agents', (c) => c.fails(TenantAgentsDocument, { tenantId: tenant.id })],
    ['tenant.auditLog', (c) => c.fails(AuditLogDocument, { tenantId: tenant.id })],
  ];

  // Threat: a plain agent raises its own powers: turns enforcement off, resets a colleague's 2FA, reads the member list.
  it.each(adminOperations)('an AGENT gets FORBIDDEN on %s and nothing changes', async (_name, attempt) => {
    await expectRefused(t, 'FORBIDDEN', () => attempt(agent.client));
  });

  it('an ADMIN manages toggles, policy, recovery code format, workspaces, members, resets and reads the console', async () => {
    const { client } = admin;
    expect((await client.ok(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: true })).setTenantTwoFactor.twoFactorEnabled).toBe(true);
    await enrol(t, admin, tenant.id); // before the policy below covers admins
    await enrol(t, agent, tenant.id);
    await client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: true });
    const { setTenantTwoFactorPolicy } = await client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'REQUIRED_FOR_ADMINS' });
    expect(setTenantTwoFactorPolicy.twoFactorPolicy).toBe('REQUIRED_FOR_ADMINS');
    const { setTenantRecoveryCodeFormat } = await client.ok(SetTenantRecoveryCodeFormatDocument, { tenantId: tenant.id, format: 'XXXXX_XXXXX' });
    expect(setTenantRecoveryCodeFormat.recoveryCodeFormat).toBe('XXXXX_XXXXX');
    const { createWorkspace } = await client.ok(CreateWorkspaceDocument, { tenantId: tenant.id, name: 'Escalations' });
    const newcomer = await signUp(t, 'newcomer');
    expect((await client.ok(AddTenantMemberDocument, { tenantId: tenant.id, email: newcomer.email, role: 'AGENT' })).addTenantMember.role).toBe('AGENT');
    expect((await client.ok(AddWorkspaceMemberDocument, { workspaceId: createWorkspace.id, agentId: newcomer.id })).addWorkspaceMember.id).toBe(createWorkspace.id);
    expect((await client.ok(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agent.id })).resetAgentTwoFactor.state).toBe('NOT_CONFIGURED');
    expect((await client.ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: agent.id })).revokeAgentSessions).toBe(0);

    const { tenant: listed } = await client.ok(TenantAgentsDocument, { tenantId: tenant.id });
    expect(listed!.agents.edges.map((e) => e.node.agent.id)).toEqual([tenant.owner.id, admin.id, agent.id, newcomer.id]);
    const { tenant: logged } = await client.ok(AuditLogDocument, { tenantId: tenant.id, first: 1 });
    expect(logged!.auditLog.edges[0].node).toMatchObject({ action: 'SESSIONS_REVOKED', actor: { id: admin.id }, subject: { id: agent.id } });
  });

  // Threat: an admin raises a confederate to its own rank or above (OWNER, whom no admin could then remove or check).
  it.each(['OWNER', 'ADMIN'] as const)('an ADMIN cannot add an %s', async (role) => {
    const candidate = await signUp(t, 'would-be-owner');
    const admin2 = await signUp(t, 'admin2');
    const fresh = await createTenant(t);
    await addMember(fresh, admin2, 'ADMIN');
    await expectRefused(t, 'FORBIDDEN', () => admin2.client.fails(AddTenantMemberDocument, { tenantId: fresh.id, email: candidate.email, role }));
    const { addTenantMember } = await fresh.owner.client.ok(AddTenantMemberDocument, { tenantId: fresh.id, email: candidate.email, role });
    expect(addTenantMember).toEqual({ role, agent: { id: candidate.id, email: candidate.email } });
  });

  it('adding an agent who is already a member keeps its role', async () => {
    const fresh = await createTenant(t);
    const member = await signUp(t, 'member');
    await addMember(fresh, member, 'AGENT');
    const { addTenantMember } = await fresh.owner.client.ok(AddTenantMemberDocument, { tenantId: fresh.id, email: member.email, role: 'ADMIN' });
    expect(addTenantMember.role).toBe('AGENT');
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddTenantMemberDocument,
  AddWorkspaceMemberDocument,
  AuditLogDocument,
  BeginTotpEnrolmentDocument,
  ConfirmTotpEnrolmentDocument,
  CreateTenantDocument,
  CreateWorkspaceDocument,
  DisableTwoFactorDocument,
  EnterTenantDocument,
  EnterWorkspaceDocument,
  MeDocument,
  MyTwoFactorDocument,
  RegenerateRecoveryCodesDocument,
  ResetAgentTwoFactorDocument,
  RevokeAgentSessionsDocument,
  SetTenantRecoveryCodeFormatDocument,
  SetTenantTwoFactorDocument,
  SetTenantTwoFactorPolicyDocument,
  SetWorkspaceTwoFactorDocument,
  SignOutDocument,
  TenantAgentsDocument,
  TenantDocument,
  TenantsDocument,
  TenantWorkspaceIdsDocument,
  WorkspaceDocument,
} from '../../src/client/generated/graphql';
import { expectRefused } from '../helpers/access';
import type { GraphQLClient, GraphQLErrorBody } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { createTenant, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';

/** What an operation is aimed at: a tenant, one of its workspaces, one of its agents. */
interface Target {
  tenantId: string;
  workspaceId: string;
  agentId: string;
}
type Attempt = (client: GraphQLClient, target: Target) => Promise<GraphQLErrorBody & { code?: string }>;

const password = 'correct horse battery staple';
const tenantScopedOperations: Array<[string, Attempt]> = [
  ['tenant', (c, x) => c.fails(TenantDocument, { id: x.tenantId })],
  ['workspace', (c, x) => c.fails(WorkspaceDocument, { id: x.workspaceId })],
  ['createWorkspace', (c, x) => c.fails(CreateWorkspaceDocument, { tenantId: x.tenantId, name: 'Probe' })],
  ['addTenantMember', (c, x) => c.fails(AddTenantMemberDocument, { tenantId: x.tenantId, email: 'probe@example.test', role: 'AGENT' })],
  ['addWorkspaceMember', (c, x) => c.fails(AddWorkspaceMemberDocument, { workspaceId: x.workspaceId, agentId: x.agentId })],
  ['setTenantTwoFactor', (c, x) => c.fails(SetTenantTwoFactorDocument, { tenantId: x.tenantId, enabled: false })],
  ['setWorkspaceTwoFactor', (c, x) => c.fails(SetWorkspaceTwoFactorDocument, { workspaceId: x.workspaceId, required: false })],
  ['setTenantTwoFactorPolicy', (c, x) => c.fails(SetTenantTwoFactorPolicyDocument, { tenantId: x.tenantId, policy: 'OPTIONAL' })],
  ['setTenantRecoveryCodeFormat', (c, x) => c.fails(SetTenantRecoveryCodeFormatDocument, { tenantId: x.tenantId, format: 'XXXXX_XXXXX' })],
  ['enterTenant', (c, x) => c.fails(EnterTenantDocument, { tenantId: x.tenantId })],
  ['enterWorkspace', (c, x) => c.fails(EnterWorkspaceDocument, { workspaceId: x.workspaceId })],
  ['beginTotpEnrolment', (c, x) => c.fails(BeginTotpEnrolmentDocument, { tenantId: x.tenantId, password })],
  ['confirmTotpEnrolment', (c, x) => c.fails(ConfirmTotpEnrolmentDocument, { tenantId: x.tenantId, code: '123456' })],
  ['regenerateRecoveryCodes', (c, x) => c.fails(RegenerateRecoveryCodesDocument, { tenantId: x.tenantId, password })],
  ['disableTwoFactor', (c, x) => c.fails(DisableTwoFactorDocument, { tenantId: x.tenantId, password })],
  ['me.twoFactor', (c, x) => c.fails(MyTwoFactorDocument, { tenantId: x.tenantId })],
  ['resetAgentTwoFactor', (c, x) => c.fails(ResetAgentTwoFactorDocument, { tenantId: x.tenantId, agentId: x.agentId })],
  ['revokeAgentSessions', (c, x) => c.fails(RevokeAgentSessionsDocument, { tenantId: x.tenantId, agentId: x.agentId })],
  ['tenant.agents', (c, x) => c.fails(TenantAgentsDocument, { tenantId: x.tenantId })],
  ['tenant.auditLog', (c, x) => c.fails(AuditLogDocument, { tenantId: x.tenantId })],
];

describe.each(databaseKinds)('tenant isolation on %s', (kind) => {
  let t: TestGateway;
  let home: TestTenant;
  let other: TestTenant;
  let otherAgent: TestAgent;
  let otherTarget: Target;
  const unknownTarget: Target = { tenantId: randomUUID(), workspaceId: randomUUID(), agentId: randomUUID() };
  beforeAll(async () => {
    t = await startTestGateway(kind);
    home = await createTenant(t, { name: 'Home' });
    other = await createTenant(t, { name: 'Other', twoFactor: true });
    otherAgent = await signUp(t, 'other-agent');
    await other.owner.client.ok(AddTenantMemberDocument, { tenantId: other.id, email: otherAgent.email, role: 'AGENT' });
    await other.owner.client.ok(AddWorkspaceMemberDocument, { workspaceId: other.openWorkspaceId, agentId: otherAgent.id });
    otherTarget = { tenantId: other.id, workspaceId: other.secureWorkspaceId, agentId: otherAgent.id };
  });
  afterAll(() => t?.close());

  // Threat: an owner of one tenant probes ids to learn what other tenants exist, or acts on them.
  it.each(tenantScopedOperations)('%s on another tenant is NOT_FOUND, exactly as for an unknown id', async (_name, attempt) => {
    const foreign = await expectRefused(t, 'NOT_FOUND', () => attempt(home.owner.client, otherTarget));
    const unknown = await expectRefused(t, 'NOT_FOUND', () => attempt(home.owner.client, unknownTarget));
    expect(foreign).toEqual(unknown);
  });

  it('lists only the tenants the caller belongs to', async () => {
    const { tenants } = await home.owner.client.ok(TenantsDocument);
    expect(tenants.map((tenant) => tenant.id)).toEqual([home.id]);
  });

  it('an admin cannot pull an agent of another tenant into its own workspace', async () => {
    await expectRefused(t, 'NOT_FOUND', () => home.owner.client.fails(AddWorkspaceMemberDocument, { workspaceId: home.openWorkspaceId, agentId: otherAgent.id }));
  });

  it('an AGENT sees only its own workspaces, and the others of its tenant are NOT_FOUND', async () => {
    const { tenant } = await otherAgent.client.ok(TenantWorkspaceIdsDocument, { id: other.id });
    expect(tenant!.workspaces).toEqual([{ id: other.openWorkspaceId }]);
    const { workspace } = await otherAgent.client.ok(WorkspaceDocument, { id: other.openWorkspaceId });
    expect(workspace!.id).toBe(other.openWorkspaceId);

    const foreign = await expectRefused(t, 'NOT_FOUND', () => otherAgent.client.fails(WorkspaceDocument, { id: other.secureWorkspaceId }));
    expect(foreign).toEqual(await otherAgent.client.fails(WorkspaceDocument, { id: unknownTarget.workspaceId }));
    await expectRefused(t, 'NOT_FOUND', () => otherAgent.client.fails(EnterWorkspaceDocument, { workspaceId: other.secureWorkspaceId }));

    const { tenant: asOwner } = await other.owner.client.ok(TenantWorkspaceIdsDocument, { id: other.id });
    expect(asOwner!.workspaces.map((w) => w.id).sort()).toEqual([other.secureWorkspaceId, other.openWorkspaceId].sort());
  });

  const signedInOnly: Array<[string, Attempt]> = [
    ['tenants', (c) => c.fails(TenantsDocument)],
    ['createTenant', (c) => c.fails(CreateTenantDocument, { name: 'Anonymous' })],
    ['signOut', (c) => c.fails(SignOutDocument)],
    // me.twoFactor is left out: `me` itself answers null without a session.
    ...tenantScopedOperations.filter(([name]) => name !== 'me.twoFactor'),
  ];

  it.each(signedInOnly)('%s without a session is UNAUTHENTICATED', async (_name, attempt) => {
    await expectRefused(t, 'UNAUTHENTICATED', () => attempt(t.client, otherTarget));
    await expectRefused(t, 'UNAUTHENTICATED', () => attempt(t.client.withToken('forged-token'), otherTarget));
  });

  it('me answers null rather than an error without a session', async () => {
    expect((await t.client.ok(MeDocument)).me).toBeNull();
    expect((await t.client.ok(MyTwoFactorDocument, { tenantId: other.id })).me).toBeNull();
  });
});

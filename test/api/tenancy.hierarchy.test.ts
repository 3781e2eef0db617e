import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateWorkspaceDocument,
  SetTenantTwoFactorDocument,
  SetTenantTwoFactorPolicyDocument,
  SetWorkspaceTwoFactorDocument,
  TenantDocument,
  TwoFactorPolicy,
} from '../../src/client/generated/graphql';
import { expectRefused } from '../helpers/access';
import { databaseKinds } from '../helpers/databases';
import { createTenant, enrol, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { databaseSnapshot } from '../helpers/snapshot';

describe.each(databaseKinds)('the tenant 2FA hierarchy on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  /** A tenant with 2FA on, no workspace requiring it, and an owner enrolled (so a policy cannot lock it out). */
  async function tenantWithEnrolledOwner(): Promise<TestTenant> {
    const tenant = await createTenant(t);
    await tenant.owner.client.ok(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: true });
    await enrol(t, tenant.owner, tenant.id);
    return tenant;
  }

  const settings = async (tenant: TestTenant) => (await tenant.owner.client.ok(TenantDocument, { id: tenant.id })).tenant!;

  it('a workspace cannot require 2FA while its tenant has it off', async () => {
    const tenant = await createTenant(t);
    await expectRefused(t, 'TENANT_TWO_FACTOR_DISABLED', () =>
      tenant.owner.client.fails(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: true }),
    );
  });

  it.each<TwoFactorPolicy>(['REQUIRED_FOR_ADMINS', 'REQUIRED_FOR_EVERYONE'])('the policy cannot become %s while tenant 2FA is off', async (policy) => {
    const tenant = await createTenant(t);
    await expectRefused(t, 'TENANT_TWO_FACTOR_DISABLED', () => tenant.owner.client.fails(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy }));
  });

  it('tenant 2FA cannot go off while workspaces require it, and the error names exactly those workspaces', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id); // turning 2FA off needs step-up
    const { createWorkspace: third } = await tenant.owner.client.ok(CreateWorkspaceDocument, { tenantId: tenant.id, name: 'Escalations' });
    await tenant.owner.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: third.id, required: true });

    const error = await expectRefused(t, 'WORKSPACES_STILL_REQUIRE_TWO_FACTOR', () =>
      tenant.owner.client.fails(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: false }),
    );
    expect([...(error.extensions!.workspaceIds as string[])].sort()).toEqual([tenant.secureWorkspaceId, third.id].sort());
  });

  it('tenant 2FA cannot go off while the policy is not OPTIONAL', async () => {
    const tenant = await tenantWithEnrolledOwner();
    await tenant.owner.client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'REQUIRED_FOR_ADMINS' });
    await expectRefused(t, 'POLICY_STILL_REQUIRES_TWO_FACTOR', () => tenant.owner.client.fails(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: false }));
  });

  it('names the requiring workspaces first when both a workspace and the policy hold tenant 2FA on', async () => {
    const tenant = await tenantWithEnrolledOwner();
    await tenant.owner.client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'REQUIRED_FOR_EVERYONE' });
    await tenant.owner.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: true });
    const error = await expectRefused(t, 'WORKSPACES_STILL_REQUIRE_TWO_FACTOR', () =>
      tenant.owner.client.fails(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: false }),
    );
    expect(error.extensions!.workspaceIds).toEqual([tenant.secureWorkspaceId]);
  });

  it('every toggle succeeds in the right order: tenant on before workspace and policy, tenant off after them', async () => {
    const tenant = await tenantWithEnrolledOwner();
    const { owner } = tenant;
    await owner.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: true });
    await owner.client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'REQUIRED_FOR_EVERYONE' });
    const on = await settings(tenant);
    expect(on).toMatchObject({ twoFactorEnabled: true, twoFactorPolicy: 'REQUIRED_FOR_EVERYONE' });
    expect(on.workspaces.find((w) => w.id === tenant.secureWorkspaceId)!.twoFactorRequired).toBe(true);

    await owner.client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'OPTIONAL' });
    await owner.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: false });
    const { setTenantTwoFactor } = await owner.client.ok(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: false });
    expect(setTenantTwoFactor).toMatchObject({ twoFactorEnabled: false, twoFactorPolicy: 'OPTIONAL' });
    expect((await settings(tenant)).workspaces.every((w) => !w.twoFactorRequired)).toBe(true);
  });

  it('setting a toggle to the value it already has succeeds and writes nothing', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const before = await databaseSnapshot(t);
    await tenant.owner.client.ok(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: true });
    await tenant.owner.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: true });
    await tenant.owner.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.openWorkspaceId, required: false });
    await tenant.owner.client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'OPTIONAL' });
    expect(await databaseSnapshot(t)).toBe(before);
  });

  // Threat: racing admins both pass the rule on the same old state, leaving a requirement that nothing enforces.
  it('racing "tenant off" against "workspace requires" never ends with a requiring workspace under a tenant with 2FA off', async () => {
    for (let round = 0; round < 5; round++) {
      const tenant = await createTenant(t);
      await tenant.owner.client.ok(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: true });
      await Promise.all([
        tenant.owner.client.request(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: false }),
        tenant.owner.client.request(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: true }),
      ]);
      const after = await settings(tenant);
      const isRequiring = after.workspaces.some((w) => w.twoFactorRequired);
      expect(isRequiring && !after.twoFactorEnabled, `round ${round}`).toBe(false);
    }
  });
});

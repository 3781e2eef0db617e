// Threat: an ADMIN out-ranks its OWNER, and a stolen admin or agent password alone weakens the tenant's second factor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DisableTwoFactorDocument,
  MyTwoFactorDocument,
  RegenerateRecoveryCodesDocument,
  ResetAgentTwoFactorDocument,
  RevokeAgentSessionsDocument,
  SetTenantTwoFactorDocument,
  SetTenantTwoFactorPolicyDocument,
  SetWorkspaceTwoFactorDocument,
  TenantDocument,
} from '../../src/client/generated/graphql';
import { expectRefused, passChallenge } from '../helpers/access';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { holdRow } from '../helpers/held-row';
import { signInAgain } from '../helpers/two-factor';
import { startProductionGateway } from './harness';

describe.each(databaseKinds)('rank and step-up on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startProductionGateway(kind);
  });
  afterAll(() => t?.close());

  /** Tenant 2FA on (Billing requires it), every admin enrolled with standing, plus a second ADMIN and an AGENT. */
  async function staffedTenant(): Promise<{ tenant: TestTenant; ownerSecret: string; admin: TestAgent; otherAdmin: TestAgent; agent: TestAgent }> {
    const tenant = await createTenant(t, { twoFactor: true });
    const { secret: ownerSecret } = await enrol(t, tenant.owner, tenant.id);
    const [admin, otherAdmin, agent] = [await signUp(t, 'admin'), await signUp(t, 'admin2'), await signUp(t, 'agent')];
    await addMember(tenant, admin, 'ADMIN');
    await addMember(tenant, otherAdmin, 'ADMIN');
    await addMember(tenant, agent, 'AGENT');
    for (const member of [admin, otherAdmin, agent]) await enrol(t, member, tenant.id);
    return { tenant, ownerSecret, admin, otherAdmin, agent };
  }

  const reset = (actor: TestAgent, tenantId: string, agentId: string) => actor.client.fails(ResetAgentTwoFactorDocument, { tenantId, agentId });
  const revoke = (actor: TestAgent, tenantId: string, agentId: string) => actor.client.fails(RevokeAgentSessionsDocument, { tenantId, agentId });

  it('an ADMIN cannot reset or revoke the OWNER or another ADMIN: FORBIDDEN, nothing changed', async () => {
    const { tenant, admin, otherAdmin } = await staffedTenant();
    for (const target of [tenant.owner, otherAdmin]) {
      await expectRefused(t, 'FORBIDDEN', () => reset(admin, tenant.id, target.id));
      await expectRefused(t, 'FORBIDDEN', () => revoke(admin, tenant.id, target.id));
    }
    expect((await tenant.owner.client.ok(TenantDocument, { id: tenant.id })).tenant!.id).toBe(tenant.id); // the owner keeps its standing
  });

  it('an ADMIN acts on AGENTs and on itself; the OWNER acts on ADMINs', async () => {
    const { tenant, admin, otherAdmin, agent } = await staffedTenant();
    expect((await admin.client.ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: agent.id })).revokeAgentSessions).toBe(1);
    expect((await admin.client.ok(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agent.id })).resetAgentTwoFactor.state).toBe('NOT_CONFIGURED');
    expect((await tenant.owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: otherAdmin.id })).resetAgentTwoFactor.state).toBe('NOT_CONFIGURED');
    expect((await admin.client.ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: admin.id })).revokeAgentSessions).toBe(1);
  });

  // The review's case: an OWNER who never enrolled turned Billing's requirement off with a password alone.
  it('an un-enrolled OWNER cannot weaken 2FA: TWO_FACTOR_ENROLMENT_REQUIRED for each weakening, nothing changed', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const agent = await signUp(t, 'agent');
    await addMember(tenant, agent);
    await enrol(t, agent, tenant.id);
    const owner = tenant.owner;
    await expectRefused(t, 'TWO_FACTOR_ENROLMENT_REQUIRED', () => owner.client.fails(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: false }));
    await expectRefused(t, 'TWO_FACTOR_ENROLMENT_REQUIRED', () => owner.client.fails(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: false }));
    await expectRefused(t, 'TWO_FACTOR_ENROLMENT_REQUIRED', () => reset(owner, tenant.id, agent.id));

    // Strengthening needs no step-up: the policy's own gate asks for enrolment afterwards.
    expect((await owner.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.openWorkspaceId, required: true })).setWorkspaceTwoFactor.twoFactorRequired).toBe(true);
    expect((await owner.client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'REQUIRED_FOR_ADMINS' })).setTenantTwoFactorPolicy.twoFactorPolicy).toBe(
      'REQUIRED_FOR_ADMINS',
    );
    await expectRefused(t, 'TWO_FACTOR_ENROLMENT_REQUIRED', () => owner.client.fails(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'OPTIONAL' }));

    // Once enrolled (which passes the tenant's second factor for this session), the same changes go through.
    await enrol(t, owner, tenant.id);
    expect((await owner.client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'OPTIONAL' })).setTenantTwoFactorPolicy.twoFactorPolicy).toBe('OPTIONAL');
    expect((await owner.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: false })).setWorkspaceTwoFactor.twoFactorRequired).toBe(false);
    expect((await owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agent.id })).resetAgentTwoFactor.state).toBe('NOT_CONFIGURED');
  });

  it("an enrolled OWNER's new session must pass the challenge before weakening 2FA: TWO_FACTOR_REQUIRED, then it works", async () => {
    const { tenant, ownerSecret, agent } = await staffedTenant();
    const session = await signInAgain(t, tenant.owner);
    await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => session.client.fails(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: false }));
    await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => reset(session, tenant.id, agent.id));
    await passChallenge(t, session, ownerSecret, { tenantId: tenant.id });
    expect((await session.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: false })).setWorkspaceTwoFactor.twoFactorRequired).toBe(false);
  });

  // The review's race: an ADMIN with no second factor, whose request read "2FA off", undid the OWNER's concurrent "2FA on".
  it("an ADMIN without a second factor racing the OWNER's 2FA on cannot turn it off again: step-up is judged under the tenant's lock", async () => {
    const tenant = await createTenant(t); // tenant 2FA off
    const admin = await signUp(t, 'admin');
    await addMember(tenant, admin, 'ADMIN');
    for (const session of [tenant.owner, admin]) await session.client.ok(TenantDocument, { id: tenant.id }); // sessions used this minute

    // The owner's change takes the tenant's row lock first; the admin's request has passed the gate on "2FA off"
    // (nothing to step up with there) before that change commits, and is decided after it.
    const held = await holdRow(t, 'tenants', 'id = ?', [tenant.id]);
    const turningOn = tenant.owner.client.request(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: true });
    await held.queued(1);
    const turningOff = admin.client.request(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: false });
    await held.queued(2);
    await held.release();

    expect((await turningOn).data?.setTenantTwoFactor.twoFactorEnabled).toBe(true);
    const refused = await turningOff;
    expect(refused.errors?.[0].extensions?.code, JSON.stringify(refused)).toBe('TWO_FACTOR_ENROLMENT_REQUIRED');
    expect((await tenant.owner.client.ok(TenantDocument, { id: tenant.id })).tenant!.twoFactorEnabled).toBe(true);
    const changes = await t.gateway.db.manager.query("SELECT actor_agent_id FROM audit_events WHERE tenant_id = ? AND action = 'TENANT_TWO_FACTOR_CHANGED'", [tenant.id]);
    expect(changes.map((e: { actor_agent_id: string }) => e.actor_agent_id)).toEqual([tenant.owner.id]);
  }, 120_000);

  // Threat: a stolen password alone (a new session, never challenged) switches the agent's second factor off.
  it('disableTwoFactor and regenerateRecoveryCodes from a session that has not passed the challenge: TWO_FACTOR_REQUIRED, nothing changed', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const agent = await signUp(t, 'agent');
    await addMember(tenant, agent);
    const { secret } = await enrol(t, agent, tenant.id);
    const stolen = await signInAgain(t, agent);

    await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => stolen.client.fails(DisableTwoFactorDocument, { tenantId: tenant.id, password: agent.password }));
    await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => stolen.client.fails(RegenerateRecoveryCodesDocument, { tenantId: tenant.id, password: agent.password }));
    expect((await stolen.client.ok(MyTwoFactorDocument, { tenantId: tenant.id })).me!.twoFactor).toMatchObject({ state: 'ENABLED', recoveryCodesRemaining: 8 });

    await passChallenge(t, stolen, secret, { tenantId: tenant.id });
    expect((await stolen.client.ok(DisableTwoFactorDocument, { tenantId: tenant.id, password: agent.password })).disableTwoFactor.state).toBe('NOT_CONFIGURED');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EnterWorkspaceDocument,
  MyTwoFactorDocument,
  ResetAgentTwoFactorDocument,
  RevokeAgentSessionsDocument,
  SignOutDocument,
  TenantDocument,
  UseRecoveryCodeDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { expectRefused, passChallenge } from '../helpers/access';
import { databaseKinds } from '../helpers/databases';
import { addMember, currentCode, enrol, Enrolment, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { challengedSession, signInAgain, twoTenants } from '../helpers/two-factor';

describe.each(databaseKinds)('admin reset and session revocation on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  /** An agent enrolled in two tenants with 2FA on; its first session stands in both. */
  async function agentInTwoTenants(): Promise<{ home: TestTenant; other: TestTenant; agent: TestAgent; inHome: Enrolment; inOther: Enrolment }> {
    const [home, other] = await twoTenants(t);
    await enrol(t, home.owner, home.id); // resets weaken 2FA: the owner's session steps up first
    const agent = await signUp(t, 'agent');
    await addMember(home, agent);
    await addMember(other, agent);
    return { home, other, agent, inHome: await enrol(t, agent, home.id), inOther: await enrol(t, agent, other.id) };
  }

  const countRows = async (table: 'authenticators' | 'recovery_codes', tenantId: string, agentId: string) => {
    const [row] = await t.gateway.db.manager.query(`SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = ? AND agent_id = ?`, [tenantId, agentId]);
    return Number(row.n);
  };
  const status = async (session: TestAgent, tenantId: string) => (await session.client.ok(MyTwoFactorDocument, { tenantId })).me!.twoFactor;
  const enter = async (session: TestAgent, workspaceId: string) => (await session.client.ok(EnterWorkspaceDocument, { workspaceId })).enterWorkspace.status;

  // Threat: a lost or stolen authenticator keeps opening the tenant after an admin reset it.
  it("resetAgentTwoFactor removes the agent's authenticator, codes and standing in that tenant only", async () => {
    const { home, other, agent } = await agentInTwoTenants();
    const { resetAgentTwoFactor } = await home.owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: home.id, agentId: agent.id });
    expect(resetAgentTwoFactor).toEqual({ state: 'NOT_CONFIGURED', enabled: false, methods: [], recoveryCodesRemaining: 0, confirmedAt: null });

    expect([await countRows('authenticators', home.id, agent.id), await countRows('recovery_codes', home.id, agent.id)]).toEqual([0, 0]);
    expect([await countRows('authenticators', other.id, agent.id), await countRows('recovery_codes', other.id, agent.id)]).toEqual([1, 8]);
    expect((await status(agent, home.id)).state).toBe('NOT_CONFIGURED');
    expect(await status(agent, other.id)).toMatchObject({ state: 'ENABLED', recoveryCodesRemaining: 8 });

    expect(await enter(agent, home.secureWorkspaceId)).toBe('TWO_FACTOR_SETUP_REQUIRED');
    expect(await enter(agent, home.openWorkspaceId)).toBe('GRANTED');
    expect(await enter(agent, other.secureWorkspaceId)).toBe('GRANTED'); // the other tenant's standing is untouched
  });

  it('after a reset the agent re-enrols with a new secret and codes, and the old ones open nothing', async () => {
    const { home, agent, inHome } = await agentInTwoTenants();
    await home.owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: home.id, agentId: agent.id });
    const again = await enrol(t, agent, home.id);
    expect(again.secret).not.toBe(inHome.secret);
    expect(await enter(agent, home.secureWorkspaceId)).toBe('GRANTED');

    const { session, challengeId } = await challengedSession(t, agent, home.secureWorkspaceId);
    expect((await session.client.fails(UseRecoveryCodeDocument, { challengeId, code: inHome.recoveryCodes[0] })).code).toBe('INVALID_TWO_FACTOR_CODE');
    expect((await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, inHome.secret) })).code).toBe('INVALID_TWO_FACTOR_CODE');
    const { verifyTwoFactor } = await session.client.ok(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, again.secret) });
    expect(verifyTwoFactor.status).toBe('GRANTED');
  });

  // Threat: a session on a stolen laptop keeps its standing in the tenant after the admin has been told.
  it('revokeAgentSessions counts the live sessions that lost standing; they must pass the challenge again', async () => {
    const { home, other, agent, inHome } = await agentInTwoTenants();
    const passed = await signInAgain(t, agent);
    await passChallenge(t, passed, inHome.secret, { tenantId: home.id });
    const neverPassed = await signInAgain(t, agent);
    const signedOut = await signInAgain(t, agent);
    await passChallenge(t, signedOut, inHome.secret, { tenantId: home.id });
    await signedOut.client.ok(SignOutDocument);

    const { revokeAgentSessions } = await home.owner.client.ok(RevokeAgentSessionsDocument, { tenantId: home.id, agentId: agent.id });
    expect(revokeAgentSessions).toBe(2); // the first session and `passed`; not the one already signed out
    for (const session of [agent, passed, neverPassed]) {
      await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => session.client.fails(TenantDocument, { id: home.id }));
      expect(await enter(session, home.secureWorkspaceId)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    }
    expect(await enter(agent, other.secureWorkspaceId)).toBe('GRANTED');
    expect((await agent.client.ok(TenantDocument, { id: other.id })).tenant!.id).toBe(other.id);
    expect(await status(agent, home.id)).toMatchObject({ state: 'ENABLED', recoveryCodesRemaining: 8 }); // the authenticator stays

    expect((await home.owner.client.ok(RevokeAgentSessionsDocument, { tenantId: home.id, agentId: agent.id })).revokeAgentSessions).toBe(0);
    await passChallenge(t, passed, inHome.secret, { tenantId: home.id });
    expect(await enter(passed, home.secureWorkspaceId)).toBe('GRANTED');
  });

  // Threat: an admin of one tenant strips another tenant's agent of 2FA or signs it out there.
  it('an admin of one tenant gets NOT_FOUND for an agent who belongs only to another', async () => {
    const [home, other] = await twoTenants(t);
    await enrol(t, home.owner, home.id);
    const stranger = await signUp(t, 'stranger');
    await addMember(other, stranger);
    await enrol(t, stranger, other.id);
    await expectRefused(t, 'NOT_FOUND', () => home.owner.client.fails(ResetAgentTwoFactorDocument, { tenantId: home.id, agentId: stranger.id }));
    await expectRefused(t, 'NOT_FOUND', () => home.owner.client.fails(RevokeAgentSessionsDocument, { tenantId: home.id, agentId: stranger.id }));
    await expectRefused(t, 'NOT_FOUND', () => home.owner.client.fails(ResetAgentTwoFactorDocument, { tenantId: other.id, agentId: stranger.id }));
    expect(await enter(stranger, other.secureWorkspaceId)).toBe('GRANTED');
  });
});

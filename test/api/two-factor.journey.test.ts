import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BeginTotpEnrolmentDocument,
  ConfirmTotpEnrolmentDocument,
  EnterTenantDocument,
  EnterWorkspaceDocument,
  MyTwoFactorDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, currentCode, enrol, signUp, TestAgent, wrongCode } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { challengedSession, signInAgain, twoTenants } from '../helpers/two-factor';

describe.each(databaseKinds)('the two-factor journey of an agent in two tenants on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  const status = async (agent: TestAgent, tenantId: string) => (await agent.client.ok(MyTwoFactorDocument, { tenantId })).me!.twoFactor;

  it('reports NOT_CONFIGURED, then PENDING_CONFIRMATION, then ENABLED with the recovery codes counted', async () => {
    const a = await createTenant(t, { twoFactor: true });
    const agent = await signUp(t);
    await addMember(a, agent);
    expect(await status(agent, a.id)).toEqual({ state: 'NOT_CONFIGURED', enabled: false, methods: [], recoveryCodesRemaining: 0, confirmedAt: null });

    const { beginTotpEnrolment } = await agent.client.ok(BeginTotpEnrolmentDocument, { tenantId: a.id, password: agent.password });
    expect(await status(agent, a.id)).toEqual({ state: 'PENDING_CONFIRMATION', enabled: false, methods: [], recoveryCodesRemaining: 0, confirmedAt: null });

    const code = currentCode(t, beginTotpEnrolment.secret);
    const { confirmTotpEnrolment } = await agent.client.ok(ConfirmTotpEnrolmentDocument, { tenantId: a.id, code });
    const enabled = { state: 'ENABLED', enabled: true, methods: ['TOTP', 'RECOVERY_CODE'], recoveryCodesRemaining: 8, confirmedAt: t.clock.now().toISOString() };
    expect(confirmTotpEnrolment.status).toEqual(enabled);
    expect(await status(agent, a.id)).toEqual(enabled);
  });

  it('enrolling in tenant A leaves the agent NOT_CONFIGURED in tenant B', async () => {
    const [a, b] = await twoTenants(t);
    const agent = await signUp(t);
    await addMember(a, agent);
    await addMember(b, agent);
    await enrol(t, agent, a.id);

    expect((await status(agent, a.id)).state).toBe('ENABLED');
    expect(await status(agent, b.id)).toMatchObject({ state: 'NOT_CONFIGURED', enabled: false, recoveryCodesRemaining: 0 });
    const { enterWorkspace } = await agent.client.ok(EnterWorkspaceDocument, { workspaceId: b.secureWorkspaceId });
    expect(enterWorkspace.status).toBe('TWO_FACTOR_SETUP_REQUIRED');
  });

  it('challenges a new session once in tenant A, then grants every workspace of A without prompting', async () => {
    const [a, b] = await twoTenants(t);
    const agent = await signUp(t);
    await addMember(a, agent);
    await addMember(b, agent);
    const { secret } = await enrol(t, agent, a.id);
    const session = await signInAgain(t, agent);

    const { enterWorkspace } = await session.client.ok(EnterWorkspaceDocument, { workspaceId: a.secureWorkspaceId });
    expect(enterWorkspace).toMatchObject({
      status: 'TWO_FACTOR_CHALLENGE_REQUIRED',
      tenant: { id: a.id },
      workspace: { id: a.secureWorkspaceId },
      challenge: { tenant: { id: a.id }, methods: ['TOTP', 'RECOVERY_CODE'], attemptsRemaining: 5 },
    });
    expect(new Date(enterWorkspace.challenge!.expiresAt).getTime()).toBe(t.clock.epochMs + 5 * 60_000);

    const code = currentCode(t, secret);
    const { verifyTwoFactor } = await session.client.ok(VerifyTwoFactorDocument, { challengeId: enterWorkspace.challenge!.id, code });
    expect(verifyTwoFactor).toMatchObject({ status: 'GRANTED', tenant: { id: a.id }, workspace: { id: a.secureWorkspaceId }, challenge: null });

    t.clock.advance(60 * 60_000); // standing lasts for the session, not for the challenge's 5 minutes
    for (const workspaceId of [a.openWorkspaceId, a.secureWorkspaceId, a.openWorkspaceId]) {
      const entered = await session.client.ok(EnterWorkspaceDocument, { workspaceId });
      expect(entered.enterWorkspace).toMatchObject({ status: 'GRANTED', workspace: { id: workspaceId }, challenge: null });
    }
    expect((await session.client.ok(EnterTenantDocument, { tenantId: a.id })).enterTenant.status).toBe('GRANTED');
  });

  it('never prompts for a workspace that does not require 2FA where the agent is not enrolled', async () => {
    const [a, b] = await twoTenants(t);
    const agent = await signUp(t);
    await addMember(a, agent);
    await addMember(b, agent);
    await enrol(t, agent, a.id);
    const session = await signInAgain(t, agent);

    for (let i = 0; i < 3; i++) {
      const { enterWorkspace } = await session.client.ok(EnterWorkspaceDocument, { workspaceId: b.openWorkspaceId });
      expect(enterWorkspace).toMatchObject({ status: 'GRANTED', challenge: null });
    }
    expect((await session.client.ok(EnterTenantDocument, { tenantId: b.id })).enterTenant.status).toBe('GRANTED');
  });

  it("passing tenant A's challenge gives no standing in tenant B", async () => {
    const [a, b] = await twoTenants(t);
    const agent = await signUp(t);
    await addMember(a, agent);
    await addMember(b, agent);
    const inA = await enrol(t, agent, a.id);
    await enrol(t, agent, b.id);
    const { session, challengeId } = await challengedSession(t, agent, a.secureWorkspaceId);
    await session.client.ok(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, inA.secret) });

    const { enterWorkspace } = await session.client.ok(EnterWorkspaceDocument, { workspaceId: b.openWorkspaceId });
    expect(enterWorkspace).toMatchObject({ status: 'TWO_FACTOR_CHALLENGE_REQUIRED', challenge: { tenant: { id: b.id } } });
  });

  it("spending all attempts of tenant A's challenge leaves tenant B's challenge and status untouched", async () => {
    const [a, b] = await twoTenants(t);
    const agent = await signUp(t);
    await addMember(a, agent);
    await addMember(b, agent);
    const inA = await enrol(t, agent, a.id);
    const inB = await enrol(t, agent, b.id);
    const statusInB = await status(agent, b.id);
    const session = await signInAgain(t, agent);

    const challengeInA = (await session.client.ok(EnterWorkspaceDocument, { workspaceId: a.secureWorkspaceId })).enterWorkspace.challenge!.id;
    const challengeInB = (await session.client.ok(EnterWorkspaceDocument, { workspaceId: b.secureWorkspaceId })).enterWorkspace.challenge!;
    for (let i = 0; i < 5; i++) {
      const error = await session.client.fails(VerifyTwoFactorDocument, { challengeId: challengeInA, code: wrongCode(t, inA.secret) });
      expect(error.code).toBe('INVALID_TWO_FACTOR_CODE');
    }
    expect((await session.client.fails(VerifyTwoFactorDocument, { challengeId: challengeInA, code: currentCode(t, inA.secret) })).code).toBe('CHALLENGE_INVALIDATED');

    const again = await session.client.ok(EnterWorkspaceDocument, { workspaceId: b.secureWorkspaceId });
    expect(again.enterWorkspace.challenge).toMatchObject({ id: challengeInB.id, attemptsRemaining: 5 });
    const { verifyTwoFactor } = await session.client.ok(VerifyTwoFactorDocument, { challengeId: challengeInB.id, code: currentCode(t, inB.secret) });
    expect(verifyTwoFactor.status).toBe('GRANTED');
    expect(await status(agent, b.id)).toEqual(statusInB);
  });
});

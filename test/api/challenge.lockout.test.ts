import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnterTenantDocument, EnterWorkspaceDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { addMember, currentCode, enrol, signUp, TestAgent, TestTenant, wrongCode } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { challengedSession, openChallenge, signInAgain, twoTenants } from '../helpers/two-factor';

const LOCKOUT_SECONDS = 15 * 60;

describe.each(databaseKinds)('lock-out after consecutive failures across challenges on %s', (kind) => {
  let t: TestGateway;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    t = await startTestGateway(kind);
    [a, b] = await twoTenants(t);
  });
  afterAll(() => t?.close());

  /** An agent enrolled in both tenants, with each tenant's secret. */
  async function agentInBothTenants(): Promise<{ agent: TestAgent; secretA: string; secretB: string }> {
    const agent = await signUp(t);
    await addMember(a, agent);
    await addMember(b, agent);
    return { agent, secretA: (await enrol(t, agent, a.id)).secret, secretB: (await enrol(t, agent, b.id)).secret };
  }

  /** Spends `count` wrong answers on the challenge, checking each counts down. */
  async function failTimes(session: TestAgent, challengeId: string, secret: string, count: number) {
    for (let i = 0; i < count; i++) {
      const error = await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: wrongCode(t, secret) });
      expect(error.extensions).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE', attemptsRemaining: 4 - i });
    }
  }

  // Threat: chaining fresh challenges (5 guesses each) to brute-force the 10^6 codes without end.
  it('locks answers and new challenges of the pair for 15 minutes after 10 consecutive failures', async () => {
    const { agent, secretA } = await agentInBothTenants();
    const first = await challengedSession(t, agent, a.secureWorkspaceId);
    await failTimes(first.session, first.challengeId, secretA, 5);
    const second = await openChallenge(first.session, a.secureWorkspaceId);
    await failTimes(first.session, second, secretA, 4);
    const other = await challengedSession(t, agent, a.secureWorkspaceId); // opened before the lock, still open after

    const tenth = await first.session.client.fails(VerifyTwoFactorDocument, { challengeId: second, code: wrongCode(t, secretA) });
    expect(tenth.extensions).toEqual({ code: 'INVALID_TWO_FACTOR_CODE', attemptsRemaining: 0, retryAfterSeconds: LOCKOUT_SECONDS });

    const onAnswer = await other.session.client.fails(VerifyTwoFactorDocument, { challengeId: other.challengeId, code: currentCode(t, secretA) });
    expect(onAnswer.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: LOCKOUT_SECONDS });
    const onEnter = await first.session.client.fails(EnterWorkspaceDocument, { workspaceId: a.secureWorkspaceId });
    expect(onEnter.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: LOCKOUT_SECONDS });
    const newSession = await signInAgain(t, agent);
    expect((await newSession.client.fails(EnterTenantDocument, { tenantId: a.id })).code).toBe('RATE_LIMITED');

    t.clock.advance(5 * 60_000);
    const later = await first.session.client.fails(EnterWorkspaceDocument, { workspaceId: a.openWorkspaceId });
    expect(later.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: LOCKOUT_SECONDS - 5 * 60 });

    t.clock.advance(10 * 60_000);
    const afterLockOut = await openChallenge(first.session, a.secureWorkspaceId);
    const { verifyTwoFactor } = await first.session.client.ok(VerifyTwoFactorDocument, { challengeId: afterLockOut, code: currentCode(t, secretA) });
    expect(verifyTwoFactor.status).toBe('GRANTED');
  });

  it("leaves the agent's other tenant untouched while one tenant is locked", async () => {
    const { agent, secretA, secretB } = await agentInBothTenants();
    const { session, challengeId } = await challengedSession(t, agent, a.secureWorkspaceId);
    await failTimes(session, challengeId, secretA, 5);
    await failTimes(session, await openChallenge(session, a.secureWorkspaceId), secretA, 5);
    expect((await session.client.fails(EnterWorkspaceDocument, { workspaceId: a.secureWorkspaceId })).code).toBe('RATE_LIMITED');

    const { enterWorkspace } = await session.client.ok(EnterWorkspaceDocument, { workspaceId: b.secureWorkspaceId });
    expect(enterWorkspace.challenge).toMatchObject({ tenant: { id: b.id }, attemptsRemaining: 5 });
    const passed = await session.client.ok(VerifyTwoFactorDocument, { challengeId: enterWorkspace.challenge!.id, code: currentCode(t, secretB) });
    expect(passed.verifyTwoFactor.status).toBe('GRANTED');
    expect((await session.client.fails(EnterTenantDocument, { tenantId: a.id })).code).toBe('RATE_LIMITED');
  });

  it('resets the consecutive count when a challenge is passed', async () => {
    const { agent, secretA } = await agentInBothTenants();
    const first = await challengedSession(t, agent, a.secureWorkspaceId);
    await failTimes(first.session, first.challengeId, secretA, 5);
    const second = await openChallenge(first.session, a.secureWorkspaceId);
    await failTimes(first.session, second, secretA, 4);
    await first.session.client.ok(VerifyTwoFactorDocument, { challengeId: second, code: currentCode(t, secretA) });

    t.clock.advance(30_000); // a fresh code for the next pass
    const next = await challengedSession(t, agent, a.secureWorkspaceId);
    await failTimes(next.session, next.challengeId, secretA, 5);
    const last = await openChallenge(next.session, a.secureWorkspaceId);
    await failTimes(next.session, last, secretA, 4); // 9 since the pass: 18 in all, yet no lock-out
    const { verifyTwoFactor } = await next.session.client.ok(VerifyTwoFactorDocument, { challengeId: last, code: currentCode(t, secretA) });
    expect(verifyTwoFactor.status).toBe('GRANTED');
  });

  it('keeps counting across sign-ins and replaced challenges: entering again never resets the count', async () => {
    const { agent, secretA } = await agentInBothTenants();
    const first = await challengedSession(t, agent, a.secureWorkspaceId);
    await failTimes(first.session, first.challengeId, secretA, 5);
    const again = await challengedSession(t, agent, a.openWorkspaceId); // a new sign-in
    await failTimes(again.session, again.challengeId, secretA, 2);
    const replacement = await openChallenge(again.session, a.secureWorkspaceId); // entering elsewhere replaces it
    await failTimes(again.session, replacement, secretA, 2);

    const tenth = await again.session.client.fails(VerifyTwoFactorDocument, { challengeId: replacement, code: wrongCode(t, secretA) });
    expect(tenth.extensions).toEqual({ code: 'INVALID_TWO_FACTOR_CODE', attemptsRemaining: 2, retryAfterSeconds: LOCKOUT_SECONDS });
    expect((await again.session.client.fails(EnterWorkspaceDocument, { workspaceId: a.openWorkspaceId })).code).toBe('RATE_LIMITED');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeginTotpEnrolmentDocument, ConfirmTotpEnrolmentDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, currentCode, signUp, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { challengedSession, EnrolledAgent, enrolledAgent } from '../helpers/two-factor';

const STEP_MS = 30_000;

describe.each(databaseKinds)('TOTP clock drift and replay on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
  });
  afterAll(() => t?.close());

  /** Answers a fresh challenge of a new session with the code of the given step offset. */
  async function answerFresh(enrolled: EnrolledAgent, stepOffset: number) {
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    return session.client.request(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, enrolled.secret, stepOffset) });
  }

  it.each([-1, 0, 1])('accepts the code of step %i relative to the gateway clock', async (offset) => {
    const enrolled = await enrolledAgent(t, tenant);
    t.clock.advance(3 * STEP_MS); // every step in reach is later than the one that confirmed enrolment
    const result = await answerFresh(enrolled, offset);
    expect(result.errors).toBeUndefined();
    expect(result.data?.verifyTwoFactor.status).toBe('GRANTED');
  });

  it('accepts a code of each of steps -1, 0 and +1 in turn for one authenticator', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    for (const offset of [-1, 0, 1]) {
      t.clock.advance(3 * STEP_MS); // later than the step used last time, so not a replay
      expect((await answerFresh(enrolled, offset)).data?.verifyTwoFactor.status).toBe('GRANTED');
    }
  });

  // Threat: a wider window multiplies the codes an online guesser may hit and the lifetime of a stolen code.
  it.each([-2, 2])('refuses the code of step %i as INVALID_TWO_FACTOR_CODE', async (offset) => {
    const enrolled = await enrolledAgent(t, tenant);
    t.clock.advance(3 * STEP_MS);
    const window = [-1, 0, 1].map((inWindow) => currentCode(t, enrolled.secret, inWindow));
    expect(window).not.toContain(currentCode(t, enrolled.secret, offset)); // else this draw proves nothing

    const result = await answerFresh(enrolled, offset);
    expect(result.data).toBeNull();
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE', attemptsRemaining: 4 });
  });

  // Threat: a code observed once (shoulder-surfing, phishing proxy, logs) is replayed inside its validity window.
  it('refuses the same code replayed by a second session on a new challenge', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    t.clock.advance(STEP_MS);
    const code = currentCode(t, enrolled.secret);
    const first = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    expect((await first.session.client.ok(VerifyTwoFactorDocument, { challengeId: first.challengeId, code })).verifyTwoFactor.status).toBe('GRANTED');

    const second = await challengedSession(t, enrolled.agent, tenant.openWorkspaceId);
    const replayed = await second.session.client.fails(VerifyTwoFactorDocument, { challengeId: second.challengeId, code });
    expect(replayed.extensions).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE', attemptsRemaining: 4 });

    t.clock.advance(STEP_MS); // the used code is now step -1: still inside the window, still a replay
    const later = await second.session.client.fails(VerifyTwoFactorDocument, { challengeId: second.challengeId, code });
    expect(later.extensions).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE', attemptsRemaining: 3 });
  });

  // Threat: after a code of a later step was used, an older still-valid code (e.g. captured earlier) is replayed.
  it('refuses a code of an earlier step than one already used, and of that same step', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    t.clock.advance(3 * STEP_MS);
    expect((await answerFresh(enrolled, 1)).data?.verifyTwoFactor.status).toBe('GRANTED');

    for (const offset of [0, -1, 1]) {
      const result = await answerFresh(enrolled, offset);
      expect(result.errors?.[0].extensions?.code).toBe('INVALID_TWO_FACTOR_CODE');
    }
    t.clock.advance(2 * STEP_MS);
    expect((await answerFresh(enrolled, 0)).data?.verifyTwoFactor.status).toBe('GRANTED');
  });

  // Threat: the code typed to confirm enrolment is captured and replayed to pass a challenge.
  it('refuses the code that confirmed enrolment as a challenge answer', async () => {
    const agent = await signUp(t);
    await addMember(tenant, agent);
    const { beginTotpEnrolment } = await agent.client.ok(BeginTotpEnrolmentDocument, { tenantId: tenant.id, password: agent.password });
    const code = currentCode(t, beginTotpEnrolment.secret);
    await agent.client.ok(ConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code });

    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    const replayed = await session.client.fails(VerifyTwoFactorDocument, { challengeId, code });
    expect(replayed.code).toBe('INVALID_TWO_FACTOR_CODE');
    t.clock.advance(STEP_MS);
    const fresh = await session.client.ok(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, beginTotpEnrolment.secret) });
    expect(fresh.verifyTwoFactor.status).toBe('GRANTED');
  });
});

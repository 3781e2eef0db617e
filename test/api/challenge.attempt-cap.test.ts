import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelChallengeDocument, EnterWorkspaceDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { createTenant, currentCode, signUp, TestTenant, wrongCode } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { auditActions, challengedSession, enrolledAgent, openChallenge } from '../helpers/two-factor';

/** One document answering the same challenge once per alias, as an attacker batching guesses would send it. */
function aliasedAnswers(challengeId: string, codes: string[]) {
  const fields = codes.map((code, i) => `a${i}: verifyTwoFactor(challengeId: ${JSON.stringify(challengeId)}, code: ${JSON.stringify(code)}) { status }`);
  return { query: `mutation Guesses {\n  ${fields.join('\n  ')}\n}` };
}

describe.each(databaseKinds)('challenge attempt cap on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
  });
  afterAll(() => t?.close());

  // Threat: online guessing of a 6-digit code within one challenge.
  it('counts down attemptsRemaining 4..0 on wrong answers, then refuses even the right code', async () => {
    const { agent, secret } = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);

    for (const attemptsRemaining of [4, 3, 2, 1, 0]) {
      const error = await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: wrongCode(t, secret) });
      expect(error.extensions).toEqual({ code: 'INVALID_TWO_FACTOR_CODE', attemptsRemaining });
    }
    const right = await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, secret) });
    expect(right.code).toBe('CHALLENGE_INVALIDATED');

    const { enterWorkspace } = await session.client.ok(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
    expect(enterWorkspace.challenge).toMatchObject({ attemptsRemaining: 5 });
    expect(enterWorkspace.challenge!.id).not.toBe(challengeId);
    const fresh = await session.client.ok(VerifyTwoFactorDocument, { challengeId: enterWorkspace.challenge!.id, code: currentCode(t, secret) });
    expect(fresh.verifyTwoFactor.status).toBe('GRANTED');
  });

  // Threat: many guesses smuggled into one HTTP request as aliased fields, to outrun a per-request limit.
  // The answers of a mutation run one at a time and each is non-null, so the first wrong one ends the document:
  // exactly one answer is judged, and a right code further down is never reached (it still works afterwards,
  // which proves it was not spent).
  it.each([
    ['last', (right: string, wrong: string) => [...Array(19).fill(wrong), right]],
    ['in the middle, after 5 wrong ones', (right: string, wrong: string) => [...Array(5).fill(wrong), right, ...Array(14).fill(wrong)]],
  ])('20 aliased answers in one document with the right code %s: only the first is judged, and nothing passes', async (_where, arrange) => {
    const { agent, secret } = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    const right = currentCode(t, secret);

    const result = await session.client.raw(aliasedAnswers(challengeId, arrange(right, wrongCode(t, secret))));
    expect(result.status).toBe(200);
    expect(result.data).toBeNull();
    expect(result.errors!.map((error) => ({ path: error.path, extensions: error.extensions }))).toEqual([
      { path: ['a0'], extensions: { code: 'INVALID_TWO_FACTOR_CODE', attemptsRemaining: 4 } },
    ]);
    const [row] = await t.gateway.db.manager.query('SELECT state, failed_attempts FROM challenges WHERE id = ?', [challengeId]);
    expect({ state: row.state, failedAttempts: Number(row.failed_attempts) }).toEqual({ state: 'OPEN', failedAttempts: 1 });

    const { verifyTwoFactor } = await session.client.ok(VerifyTwoFactorDocument, { challengeId, code: right });
    expect(verifyTwoFactor.status).toBe('GRANTED');
  });

  // Threat: many guesses sent as one batched HTTP request (an array of operations).
  it('refuses a batch of answers whole, before judging any of them', async () => {
    const { agent, secret } = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    const codes = [...Array(5).fill(wrongCode(t, secret)), currentCode(t, secret)];

    const result = await session.client.raw(codes.map((code) => aliasedAnswers(challengeId, [code])));
    expect(result.status).toBe(400);
    expect(JSON.stringify(result)).not.toContain('GRANTED');
    const [row] = await t.gateway.db.manager.query('SELECT state, failed_attempts FROM challenges WHERE id = ?', [challengeId]);
    expect({ state: row.state, failedAttempts: Number(row.failed_attempts) }).toEqual({ state: 'OPEN', failedAttempts: 0 });
  });

  it('hands back the open challenge with its spent attempts when the same workspace is entered again', async () => {
    const { agent, secret } = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: wrongCode(t, secret) });
    await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: wrongCode(t, secret) });

    const { enterWorkspace } = await session.client.ok(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
    expect(enterWorkspace.challenge).toMatchObject({ id: challengeId, attemptsRemaining: 3 });
  });

  it('invalidates the open challenge when another workspace of the tenant replaces it', async () => {
    const { agent, secret } = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    const replacement = await openChallenge(session, tenant.openWorkspaceId);
    expect(replacement).not.toBe(challengeId);

    const stale = await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, secret) });
    expect(stale.code).toBe('CHALLENGE_INVALIDATED');
    const { verifyTwoFactor } = await session.client.ok(VerifyTwoFactorDocument, { challengeId: replacement, code: currentCode(t, secret) });
    expect(verifyTwoFactor).toMatchObject({ status: 'GRANTED', workspace: { id: tenant.openWorkspaceId } });
  });

  it('refuses answers to a cancelled challenge as CHALLENGE_INVALIDATED', async () => {
    const { agent, secret } = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    expect((await session.client.ok(CancelChallengeDocument, { challengeId })).cancelChallenge).toBe(true);

    expect((await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, secret) })).code).toBe('CHALLENGE_INVALIDATED');
    expect((await session.client.fails(CancelChallengeDocument, { challengeId })).code).toBe('CHALLENGE_INVALIDATED');
  });

  it('refuses answers to a challenge after its 5 minutes as CHALLENGE_INVALIDATED, spending nothing', async () => {
    const { agent, secret } = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    t.clock.advance(5 * 60_000);

    expect((await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, secret) })).code).toBe('CHALLENGE_INVALIDATED');
    const fresh = await openChallenge(session, tenant.secureWorkspaceId);
    expect(fresh).not.toBe(challengeId);
    expect((await session.client.ok(VerifyTwoFactorDocument, { challengeId: fresh, code: currentCode(t, secret) })).verifyTwoFactor.status).toBe('GRANTED');
  });

  // Threat: a session (another person's, or a stolen second session) answers or spends a challenge it does not own.
  it("answers NOT_FOUND to any session but the challenge's own, and spends none of its attempts", async () => {
    const { agent, secret } = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    const stranger = await signUp(t, 'stranger');
    const sameAgentOtherSession = (await challengedSession(t, agent, tenant.openWorkspaceId)).session;

    for (const other of [stranger, sameAgentOtherSession]) {
      expect((await other.client.fails(VerifyTwoFactorDocument, { challengeId, code: wrongCode(t, secret) })).code).toBe('NOT_FOUND');
      expect((await other.client.fails(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, secret) })).code).toBe('NOT_FOUND');
      expect((await other.client.fails(CancelChallengeDocument, { challengeId })).code).toBe('NOT_FOUND');
    }
    expect((await t.client.fails(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, secret) })).code).toBe('UNAUTHENTICATED');

    const { enterWorkspace } = await session.client.ok(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
    expect(enterWorkspace.challenge).toMatchObject({ id: challengeId, attemptsRemaining: 5 });
    expect((await session.client.ok(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, secret) })).verifyTwoFactor.status).toBe('GRANTED');
  });

  it('writes CHALLENGE_FAILED for each wrong answer and CHALLENGE_INVALIDATED once, in the tenant', async () => {
    const { agent, secret } = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    for (let i = 0; i < 5; i++) await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: wrongCode(t, secret) });

    const actions = await auditActions(t, tenant.id, agent.id);
    expect(actions.filter((action) => action === 'CHALLENGE_FAILED')).toHaveLength(5);
    expect(actions.filter((action) => action === 'CHALLENGE_INVALIDATED')).toHaveLength(1);
    const rows: Array<{ workspace_id: string; actor_agent_id: string }> = await t.gateway.db.manager.query(
      "SELECT workspace_id, actor_agent_id FROM audit_events WHERE subject_agent_id = ? AND action IN ('CHALLENGE_FAILED', 'CHALLENGE_INVALIDATED')",
      [agent.id],
    );
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row).toEqual({ workspace_id: tenant.secureWorkspaceId, actor_agent_id: agent.id });
  });
});

// Threat: a guesser holding the password keeps guessing TOTP codes through the locks, 10 every 15 minutes, without end.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EnterWorkspaceDocument, ResetAgentTwoFactorDocument, UseRecoveryCodeDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import { expectRefused, passChallenge } from '../helpers/access';
import { databaseKinds } from '../helpers/databases';
import { createTenant, currentCode, enrol, TestAgent, TestTenant, wrongCode } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { addPasskey, answerWithPasskey, PASSKEY_ENV, TEST_ORIGIN } from '../helpers/passkeys';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';
import { auditActions, challengedSession, EnrolledAgent, enrolledAgent, openChallenge, signInAgain } from '../helpers/two-factor';

const MINUTE_S = 60;

describe.each(databaseKinds)('the lock escalates, and 100 failures in a row close TOTP, on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startTestGateway(kind, PASSKEY_ENV);
  });
  beforeEach(async () => {
    tenant = await createTenant(t, { twoFactor: true }); // the clock moves days on: each test's owner signs in fresh
  });
  afterAll(() => t?.close());

  /** 10 wrong TOTP codes over two challenges of a fresh session: the session, and the 10th answer's extensions. */
  async function lockOnce(enrolled: EnrolledAgent): Promise<{ session: TestAgent; locking: Record<string, unknown> }> {
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    const wrong = (id: string) => session.client.fails(VerifyTwoFactorDocument, { challengeId: id, code: wrongCode(t, enrolled.secret) });
    for (let i = 0; i < 5; i++) expect((await wrong(challengeId)).code).toBe('INVALID_TWO_FACTOR_CODE');
    const second = await openChallenge(session, tenant.secureWorkspaceId);
    for (let i = 0; i < 4; i++) expect((await wrong(second)).code).toBe('INVALID_TWO_FACTOR_CODE');
    return { session, locking: (await wrong(second)).extensions! };
  }

  /** Locks the pair `times` times in a row, waiting out each lock; answers the last locking answer's extensions. */
  async function lockRepeatedly(enrolled: EnrolledAgent, times: number): Promise<Record<string, unknown>> {
    let locking: Record<string, unknown> = {};
    for (let n = 0; n < times; n++) {
      ({ locking } = await lockOnce(enrolled));
      t.clock.advance(Number(locking.retryAfterSeconds) * 1000);
    }
    return locking;
  }

  it('each lock in a row lasts twice the one before, and holds until its end', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    const durations: unknown[] = [];
    for (let n = 0; n < 4; n++) {
      const { session, locking } = await lockOnce(enrolled);
      durations.push(locking.retryAfterSeconds);
      t.clock.advance((Number(locking.retryAfterSeconds) - 1) * 1000);
      const stillLocked = await session.client.fails(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
      expect(stillLocked.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
      t.clock.advance(1000);
    }
    expect(durations).toEqual([15, 30, 60, 120].map((minutes) => minutes * MINUTE_S));
  });

  it('a right answer starts the escalation again', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    expect(await lockRepeatedly(enrolled, 2)).toMatchObject({ retryAfterSeconds: 30 * MINUTE_S });
    await passChallenge(t, await signInAgain(t, enrolled.agent), enrolled.secret, { workspaceId: tenant.secureWorkspaceId });
    expect((await lockOnce(enrolled)).locking).toMatchObject({ retryAfterSeconds: 15 * MINUTE_S });
  });

  it('after 100 failures in a row a TOTP code is refused unjudged, and a recovery code opens the pair again', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    const tenth = await lockRepeatedly(enrolled, 10);
    expect(tenth).toEqual({ code: 'INVALID_TWO_FACTOR_CODE', attemptsRemaining: 0, retryAfterSeconds: 15 * MINUTE_S });

    // Every lock is recorded when it is set (TWO_FACTOR_LOCKED, which also tells the agent by e-mail), and only then.
    expect((await auditActions(t, tenant.id, enrolled.agent.id)).filter((action) => action === 'TWO_FACTOR_LOCKED')).toHaveLength(10);
    const [pair] = await t.gateway.db.manager.query('SELECT consecutive_locks FROM authenticators WHERE tenant_id = ? AND agent_id = ?', [tenant.id, enrolled.agent.id]);
    expect(Number(pair.consecutive_locks)).toBe(10);

    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId); // challenges open again
    for (const code of [currentCode(t, enrolled.secret), wrongCode(t, enrolled.secret)]) {
      const refused = await expectRefused(t, 'RATE_LIMITED', () => session.client.fails(VerifyTwoFactorDocument, { challengeId, code }));
      expect(refused.extensions).toEqual({ code: 'RATE_LIMITED', reason: 'TOTP_CLOSED' });
    }
    const { useRecoveryCode } = await session.client.ok(UseRecoveryCodeDocument, { challengeId, code: enrolled.recoveryCodes[0] });
    expect(useRecoveryCode.status).toBe('GRANTED');

    // TOTP answers again, and the next run of failures starts at the first lock.
    await passChallenge(t, await signInAgain(t, enrolled.agent), enrolled.secret, { workspaceId: tenant.secureWorkspaceId });
    expect((await lockOnce(enrolled)).locking).toMatchObject({ retryAfterSeconds: 15 * MINUTE_S });
  }, 120_000);

  it('after 100 failures in a row a passkey opens the pair again', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    const authenticator = new SoftwareAuthenticator(TEST_ORIGIN);
    await addPasskey(enrolled.agent, tenant.id, authenticator); // beside TOTP, from the enrolling session
    await lockRepeatedly(enrolled, 10);

    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    expect((await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, enrolled.secret) })).extensions).toMatchObject({ reason: 'TOTP_CLOSED' });
    expect((await answerWithPasskey(session, challengeId, authenticator)).data?.verifyPasskey.status).toBe('GRANTED');
    await passChallenge(t, await signInAgain(t, enrolled.agent), enrolled.secret, { workspaceId: tenant.secureWorkspaceId });
  }, 120_000);

  it('after 100 failures in a row an admin reset opens the pair again', async () => {
    const { secret: ownerSecret } = await enrol(t, tenant.owner, tenant.id);
    const enrolled = await enrolledAgent(t, tenant);
    await lockRepeatedly(enrolled, 10);

    const owner = await signInAgain(t, tenant.owner); // the owner's first session has expired meanwhile
    await passChallenge(t, owner, ownerSecret, { tenantId: tenant.id });
    await owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: enrolled.agent.id });
    const session = await signInAgain(t, enrolled.agent);
    const { secret } = await enrol(t, session, tenant.id);
    await passChallenge(t, await signInAgain(t, enrolled.agent), secret, { workspaceId: tenant.secureWorkspaceId });
  }, 120_000);
});

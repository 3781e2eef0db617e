// Threat: a guesser queues answers behind a row lock so that the right one is judged on a row read before the 10th failure locked the pair.
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UseRecoveryCodeDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import type { GraphQLResponse } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { createTenant, currentCode, TestTenant, wrongCode } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { challengedSession, EnrolledAgent, enrolledAgent } from '../helpers/two-factor';
import { sleep, startProductionGateway } from './harness';

type Method = 'TOTP' | 'RECOVERY_CODE';
const codeOf = (response: GraphQLResponse<unknown>) => response.errors?.[0]?.extensions?.code ?? 'OK';

describe.each(databaseKinds)('the 10-failure lock against answers in flight on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startProductionGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
  });
  afterAll(() => t?.close());

  async function column(sql: string, params: unknown[]): Promise<unknown> {
    const [row] = await t.gateway.db.manager.query(sql, params);
    return Object.values(row)[0];
  }

  /**
   * 10 wrong answers over two challenges, then one right answer on a third, all judged after `hold` lets go.
   * On MariaDB, `hold` keeps the pair's authenticator row locked FOR UPDATE from another connection until all
   * 11 answers wait on it (in that order), so each has read the challenge and the unlocked pair before the 10th
   * failure commits the lock. SQLite has a single writer and runs each answer's transaction (its read included)
   * whole, one at a time, so no answer can be judged on a stale read there: the same order, sent one by one,
   * checks the same promise without the race.
   */
  async function tenWrongThenRight(enrolled: EnrolledAgent, method: Method) {
    const [first, second, third] = [
      await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId),
      await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId),
      await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId),
    ];
    const wrong = wrongCode(t, enrolled.secret);
    const wrongAnswers = [first, second, first, second, first, second, first, second, first, second].map(
      ({ session, challengeId }) => () => session.client.request(VerifyTwoFactorDocument, { challengeId, code: wrong }),
    );
    const rightAnswer = () =>
      method === 'TOTP'
        ? third.session.client.request(VerifyTwoFactorDocument, { challengeId: third.challengeId, code: currentCode(t, enrolled.secret) })
        : third.session.client.request(UseRecoveryCodeDocument, { challengeId: third.challengeId, code: enrolled.recoveryCodes[0] });

    if (kind === 'sqlite') {
      const wrongs = [];
      for (const answer of wrongAnswers) wrongs.push(await answer());
      return { wrongs, right: await rightAnswer(), rightChallengeId: third.challengeId };
    }

    const holder = await createConnection({ uri: t.database.url!, timezone: 'Z' });
    try {
      await holder.beginTransaction();
      await holder.query('SELECT id FROM authenticators WHERE tenant_id = ? AND agent_id = ? FOR UPDATE', [tenant.id, enrolled.agent.id]);
      // Statements of this scratch database stuck on the held row: every answer's first write is to it (sent
      // as a prepared statement, 'Execute', or as text, 'Query').
      const waiting = async (n: number) => {
        for (const deadline = Date.now() + 45_000; Date.now() < deadline; await sleep(20)) {
          const [rows] = await holder.query(
            "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND IN ('Query', 'Execute') AND INFO LIKE 'UPDATE authenticators%'",
          );
          if (Number((rows as Array<{ n: unknown }>)[0].n) >= n) return;
        }
        throw new Error(`fewer than ${n} answers waiting on the authenticator row`);
      };
      const wrongs = Promise.all(wrongAnswers.map((answer) => answer()));
      await waiting(10);
      const right = rightAnswer();
      await waiting(11);
      await holder.commit();
      return { wrongs: await wrongs, right: await right, rightChallengeId: third.challengeId };
    } finally {
      await holder.end();
    }
  }

  it.each<Method>(['TOTP', 'RECOVERY_CODE'])('a right %s answer queued behind the 10th failure does not pass: RATE_LIMITED, nothing spent', async (method) => {
    const enrolled = await enrolledAgent(t, tenant);
    const { wrongs, right, rightChallengeId } = await tenWrongThenRight(enrolled, method);

    expect(wrongs.map(codeOf)).toEqual(Array(10).fill('INVALID_TWO_FACTOR_CODE'));
    expect(codeOf(right), JSON.stringify(right)).toBe('RATE_LIMITED');
    expect(right.errors![0].extensions!.retryAfterSeconds).toBe(15 * 60);

    // Nothing of the right answer stuck: no standing, the challenge still open, the recovery code unused.
    expect(Number(await column('SELECT COUNT(*) FROM tenant_standings WHERE agent_id = ? AND tenant_id = ? AND method <> ?', [enrolled.agent.id, tenant.id, 'ENROLMENT']))).toBe(0);
    expect(await column('SELECT state FROM challenges WHERE id = ?', [rightChallengeId])).toBe('OPEN');
    expect(Number(await column('SELECT COUNT(*) FROM recovery_codes WHERE agent_id = ? AND tenant_id = ? AND used_at IS NULL', [enrolled.agent.id, tenant.id]))).toBe(8);
    expect(await column('SELECT locked_until FROM authenticators WHERE agent_id = ? AND tenant_id = ?', [enrolled.agent.id, tenant.id])).not.toBeNull();

    // Once the lock has passed, the same right answer works.
    t.clock.advance(15 * 60_000 + 1000);
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    const again =
      method === 'TOTP'
        ? await session.client.ok(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, enrolled.secret) }).then((r) => r.verifyTwoFactor)
        : await session.client.ok(UseRecoveryCodeDocument, { challengeId, code: enrolled.recoveryCodes[0] }).then((r) => r.useRecoveryCode);
    expect(again.status).toBe('GRANTED');
    t.clock.advance(30_000);
  }, 120_000);
});

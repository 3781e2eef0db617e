// What one request costs the database, counted at the driver: on MariaDB every statement and every BEGIN/COMMIT
// is a round trip on the socket (the gateway's largest per-request cost there, bench/README.md); on SQLite the
// statements run in process and transaction control is shared by group commit, so statements are counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnterWorkspaceDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import { rawDate } from '../../src/db/raw';
import { databaseKinds } from '../helpers/databases';
import { createTenant, currentCode, TestTenant, wrongCode } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { challengedSession, enrolledAgent } from '../helpers/two-factor';

/** The ceilings: round trips on MariaDB, statements on SQLite (the goals of bench/README.md). */
const CEILING = {
  mariadb: { validAnswer: 3, wrongAnswer: 3, gate: 2 },
  sqlite: { validAnswer: 6, wrongAnswer: 5, gate: 2 },
};

describe.each(databaseKinds)('round trips per request on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  beforeAll(async () => {
    // The per-IP answer budget is on, as in production (and in the bench). No mail is sent: the outbox sender's
    // transactions run on timers of their own and would land in a request's count.
    t = await startTestGateway(kind, { RATE_LIMIT_ANSWERS_PER_MINUTE: '1000000', MAIL_DELIVERY: 'off' });
    tenant = await createTenant(t, { twoFactor: true });
  });
  afterAll(() => t?.close());

  /**
   * The client address's answer budget exists after its first answer: spend from it once (an unknown challenge is
   * NOT_FOUND, after the spend), so the counts are those of the steady state, as under load.
   */
  async function openBudget(session: { client: { request: (...args: never[]) => unknown } }) {
    await (session.client.request as (d: unknown, v: unknown) => Promise<unknown>)(VerifyTwoFactorDocument, { challengeId: '00000000-0000-7000-8000-000000000000', code: '000000' });
  }

  /** Statements and transaction control of one request alone; `roundTrips` is what MariaDB's socket sees. */
  async function counted<T>(request: () => Promise<T>): Promise<{ result: T; statements: number; roundTrips: number; sql: string[] }> {
    t.statements.reset();
    const result = await request();
    const { statements, transactionControl } = t.statements;
    return { result, statements: statements.length, roundTrips: statements.length + transactionControl, sql: [...statements] };
  }

  it('a valid answer', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    await openBudget(session);
    const answer = await counted(() => session.client.request(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, enrolled.secret) }));
    expect(answer.result.errors).toBeUndefined();
    expect(answer.result.data?.verifyTwoFactor.status).toBe('GRANTED');
    if (kind === 'mariadb') expect(answer.roundTrips, answer.sql.join('\n')).toBeLessThanOrEqual(CEILING.mariadb.validAnswer);
    else expect(answer.statements, answer.sql.join('\n')).toBeLessThanOrEqual(CEILING.sqlite.validAnswer);
  });

  it('a valid answer from a session last used over a minute ago: its use is recorded in the same round trips on MariaDB', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    await openBudget(session);
    t.clock.advance(61_000);
    const answer = await counted(() => session.client.request(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, enrolled.secret) }));
    expect(answer.result.data?.verifyTwoFactor.status).toBe('GRANTED');
    const [row] = await t.gateway.db.manager.query('SELECT MAX(last_used_at) AS last_used_at FROM sessions');
    expect(rawDate(row.last_used_at)?.getTime()).toBe(t.clock.epochMs);
    // SQLite records the use with a statement of its own (its lookup carries the budget by UPDATE … RETURNING).
    if (kind === 'mariadb') expect(answer.roundTrips, answer.sql.join('\n')).toBeLessThanOrEqual(CEILING.mariadb.validAnswer);
    else expect(answer.statements, answer.sql.join('\n')).toBeLessThanOrEqual(CEILING.sqlite.validAnswer + 1);
  });

  it('a wrong answer, counted on the pair and the challenge and audited', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    await openBudget(session);
    const answer = await counted(() => session.client.request(VerifyTwoFactorDocument, { challengeId, code: wrongCode(t, enrolled.secret) }));
    expect(answer.result.errors?.[0].extensions).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE', attemptsRemaining: 4 });
    if (kind === 'mariadb') expect(answer.roundTrips, answer.sql.join('\n')).toBeLessThanOrEqual(CEILING.mariadb.wrongAnswer);
    else expect(answer.statements, answer.sql.join('\n')).toBeLessThanOrEqual(CEILING.sqlite.wrongAnswer);
    const [pair] = await t.gateway.db.manager.query('SELECT consecutive_failures FROM authenticators WHERE agent_id = ? AND tenant_id = ?', [enrolled.agent.id, tenant.id]);
    const [challenge] = await t.gateway.db.manager.query('SELECT failed_attempts, state FROM challenges WHERE id = ?', [challengeId]);
    const events = await t.gateway.db.manager.query("SELECT action FROM audit_events WHERE subject_agent_id = ? AND action LIKE 'CHALLENGE_%'", [enrolled.agent.id]);
    expect([Number(pair.consecutive_failures), Number(challenge.failed_attempts), challenge.state]).toEqual([1, 1, 'OPEN']);
    expect(events.map((event: { action: string }) => event.action)).toEqual(['CHALLENGE_FAILED']);
  });

  it('a gate check by a session that stands in the tenant', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    await session.client.ok(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, enrolled.secret) });
    const gate = await counted(() => session.client.request(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId }));
    expect(gate.result.data?.enterWorkspace.status).toBe('GRANTED');
    if (kind === 'mariadb') expect(gate.roundTrips, gate.sql.join('\n')).toBeLessThanOrEqual(CEILING.mariadb.gate);
    else expect(gate.statements, gate.sql.join('\n')).toBeLessThanOrEqual(CEILING.sqlite.gate);
  });
});

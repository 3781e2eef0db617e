// Threat: one phished TOTP or recovery code replayed at once through many gateway processes behind a load balancer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddTenantMemberDocument,
  AddWorkspaceMemberDocument,
  BeginTotpEnrolmentDocument,
  ConfirmTotpEnrolmentDocument,
  EnterWorkspaceDocument,
  SignUpDocument,
  UseRecoveryCodeDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { hashSessionToken, newSessionToken } from '../../src/crypto/tokens';
import { newId } from '../../src/db/ids';
import { GraphQLClient, GraphQLResponse } from '../helpers/client';
import { scratchDatabase, ScratchDatabase } from '../helpers/databases';
import { createTenant, PASSWORD, TestTenant, uniqueEmail } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { totpCode } from '../helpers/totp';
import { GatewayProcess, mysqlReader, productionEnv, sleep, spawnGateway } from './harness';

const hasMariaDb = Boolean(process.env.TEST_MYSQL_URL);
/** 100 sessions, each with its own open challenge, half signed in through each process. */
const SESSIONS = 100;
const STEP_MS = 30_000;

interface Enrolled {
  agentId: string;
  secret: string;
  recoveryCodes: string[];
  /** The time step the confirming code belonged to: later answers need a later step. */
  confirmedStep: number;
}

describe.skipIf(!hasMariaDb)('two gateway processes on one MariaDB (real clock; skipped without TEST_MYSQL_URL, which CI sets)', () => {
  let database: ScratchDatabase;
  let gateways: GatewayProcess[] = [];
  let clients: GraphQLClient[];
  let tenant: TestTenant;
  let reader: Awaited<ReturnType<typeof mysqlReader>>;

  beforeAll(async () => {
    database = await scratchDatabase('mariadb');
    reader = await mysqlReader(database.url!);
    const env = productionEnv(database);
    // Started together: the migration lock makes them take turns.
    gateways = await Promise.all([0, 1].map(() => spawnGateway(env)));
    clients = gateways.map((g) => new GraphQLClient(g.url));
    tenant = await createTenant({ client: clients[0] } as TestGateway, { twoFactor: true });
  });
  afterAll(async () => {
    const exitCodes = await Promise.all(gateways.map((g) => g.stop()));
    await reader?.close();
    await database?.drop();
    expect(exitCodes).toEqual(gateways.map(() => 0)); // SIGTERM is a graceful exit
  });

  const query = (sql: string, params: unknown[] = []) => reader.query(sql, params);

  /** Signs an agent up through process 0 and enrols it with a code at the real time, never at a step's very end. */
  async function enrolledAgent(): Promise<Enrolled> {
    const email = uniqueEmail('raced');
    const { signUp } = await clients[0].ok(SignUpDocument, { email, password: PASSWORD, name: 'Raced' });
    await tenant.owner.client.ok(AddTenantMemberDocument, { tenantId: tenant.id, email, role: 'AGENT' });
    await tenant.owner.client.ok(AddWorkspaceMemberDocument, { workspaceId: tenant.secureWorkspaceId, agentId: signUp.agent.id });
    const agent = clients[0].withToken(signUp.token);
    const { beginTotpEnrolment } = await agent.ok(BeginTotpEnrolmentDocument, { tenantId: tenant.id, password: PASSWORD });
    if (Date.now() % STEP_MS > STEP_MS - 3000) await sleep(STEP_MS - (Date.now() % STEP_MS) + 100);
    const confirmedStep = Math.floor(Date.now() / STEP_MS);
    const code = totpCode(beginTotpEnrolment.secret, confirmedStep * STEP_MS);
    const { confirmTotpEnrolment } = await agent.ok(ConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code });
    return { agentId: signUp.agent.id, secret: beginTotpEnrolment.secret, recoveryCodes: confirmTotpEnrolment.codes, confirmedStep };
  }

  /**
   * SESSIONS fresh sessions of the agent, each with an open challenge entered through one process or the other.
   * The session rows are written straight into the table (a token and its SHA-256, as sign-in stores them):
   * 100 argon2 sign-ins would spend seconds on the first factor, which is not under test here.
   */
  async function challengedSessions(agent: Enrolled): Promise<Array<{ client: GraphQLClient; challengeId: string }>> {
    const tokens = Array.from({ length: SESSIONS }, () => newSessionToken());
    const now = Date.now();
    const rows = tokens.map((token) => [newId(), agent.agentId, hashSessionToken(token), new Date(now), new Date(now + 3600_000), null]);
    await query('INSERT INTO sessions (id, agent_id, token_hash, created_at, expires_at, ended_at) VALUES ?', [rows]);
    return Promise.all(
      tokens.map(async (token, i) => {
        const client = clients[i % 2].withToken(token);
        const { enterWorkspace } = await client.ok(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
        expect(enterWorkspace.status).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
        return { client, challengeId: enterWorkspace.challenge!.id };
      }),
    );
  }

  const codeOf = (a: GraphQLResponse<unknown>) => a.errors?.[0]?.extensions?.code ?? 'GRANTED';
  const tally = (answers: Array<GraphQLResponse<unknown>>) =>
    answers.map(codeOf).reduce<Record<string, number>>((all, code) => ({ ...all, [code]: (all[code] ?? 0) + 1 }), {});

  /**
   * One winner; every loser is a wrong answer to its own challenge, so the losers count toward the pair's
   * lock-out: the 10th locks it and the rest meet RATE_LIMITED. The winner always comes first (a loser only
   * loses once the code is spent), so the outcome is exact.
   */
  async function expectOneWinner(agent: Enrolled, sessions: Array<{ challengeId: string }>, answers: Array<GraphQLResponse<unknown>>) {
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(tally(answers)).toEqual({ GRANTED: 1, INVALID_TWO_FACTOR_CODE: 10, RATE_LIMITED: SESSIONS - 11 });
    const ids = sessions.map((s) => s.challengeId);
    const rows = await query(
      `SELECT state, failed_attempts FROM challenges WHERE id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    expect(rows.filter((r) => r.state === 'PASSED')).toHaveLength(1);
    expect(rows.reduce((sum, r) => sum + Number(r.failed_attempts), 0)).toBe(10);
    const [authenticator] = await query('SELECT consecutive_failures, locked_until FROM authenticators WHERE agent_id = ?', [agent.agentId]);
    expect(Number(authenticator.consecutive_failures)).toBe(0); // reset when the 10th failure locked the pair
    expect(authenticator.locked_until).not.toBeNull();
    const [{ n }] = await query("SELECT COUNT(*) AS n FROM audit_events WHERE subject_agent_id = ? AND action = 'CHALLENGE_FAILED'", [agent.agentId]);
    expect(Number(n)).toBe(10);
  }

  it(`lets exactly one of ${SESSIONS} answers with the same TOTP code through, across both processes`, async () => {
    const agent = await enrolledAgent();
    const sessions = await challengedSessions(agent);
    // A step after the confirming one (still within ±1 of now), or the current one once time has moved on.
    const step = Math.max(agent.confirmedStep + 1, Math.floor(Date.now() / STEP_MS));
    const code = totpCode(agent.secret, step * STEP_MS);
    const answers = await Promise.all(sessions.map(({ client, challengeId }) => client.request(VerifyTwoFactorDocument, { challengeId, code })));
    await expectOneWinner(agent, sessions, answers);
    const [{ last_used_step }] = await query('SELECT last_used_step FROM authenticators WHERE agent_id = ?', [agent.agentId]);
    expect(Number(last_used_step)).toBe(step);
  });

  it(`lets exactly one of ${SESSIONS} uses of the same recovery code through, across both processes`, async () => {
    const agent = await enrolledAgent();
    const sessions = await challengedSessions(agent);
    const code = agent.recoveryCodes[0];
    const answers = await Promise.all(sessions.map(({ client, challengeId }) => client.request(UseRecoveryCodeDocument, { challengeId, code })));
    await expectOneWinner(agent, sessions, answers);
    const [{ n }] = await query('SELECT COUNT(*) AS n FROM recovery_codes WHERE agent_id = ? AND used_at IS NOT NULL', [agent.agentId]);
    expect(Number(n)).toBe(1);
  });
});

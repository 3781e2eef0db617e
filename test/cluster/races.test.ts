// Threat: the races of the hardening tests (one phished code replayed through many gateways, parallel guessing,
// concurrent admins) split over the nodes of a Galera cluster, where row locks are local to a node and a
// conflicting commit on another node surfaces as a deadlock that the gateway must retry.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EnterWorkspaceDocument,
  SetTenantTwoFactorDocument,
  SetWorkspaceTwoFactorDocument,
  UseRecoveryCodeDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { hashSessionToken, newSessionToken } from '../../src/crypto/tokens';
import { newId } from '../../src/db/ids';
import { GraphQLClient, GraphQLResponse } from '../helpers/client';
import { createTenant, currentCode, TestTenant, wrongCode } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { totpCode } from '../helpers/totp';
import { challengedSession, EnrolledAgent, enrolledAgent, signInAgain } from '../helpers/two-factor';
import { GatewayProcess, mysqlReader, sleep } from '../hardening/harness';
import { ClusterDatabase, clusterDatabase, conflictCount, gatewaysOn, realClockGateway, theCluster } from './galera';

const cluster = theCluster();
const SESSIONS = 99; // 33 through each node
const STEP_MS = 30_000;

const codeOf = (a: GraphQLResponse<unknown>) => a.errors?.[0]?.extensions?.code ?? 'OK';
const tallyOf = (codes: string[]) => codes.reduce<Record<string, number>>((all, code) => ({ ...all, [code]: (all[code] ?? 0) + 1 }), {});
const tally = (answers: Array<GraphQLResponse<unknown>>) => tallyOf(answers.map((a) => String(codeOf(a))));

describe('three gateways on three Galera nodes act as one', () => {
  let database: ClusterDatabase;
  let gateways: GatewayProcess[] = [];
  /** One client per gateway, gateway i on node i + 1. */
  let clients: GraphQLClient[];
  /** The fixtures' view of gateway 0 (real clock). */
  let t: TestGateway;
  let tenant: TestTenant;
  let reader: Awaited<ReturnType<typeof mysqlReader>>;
  const conflicts: string[] = [];

  beforeAll(async () => {
    database = await clusterDatabase(cluster);
    gateways = await gatewaysOn(database, [1, 2, 3], { LOG_LEVEL: 'error' });
    clients = gateways.map((g) => new GraphQLClient(g.url));
    t = realClockGateway(clients[0]);
    tenant = await createTenant(t, { twoFactor: true });
    reader = await mysqlReader(database.on(3).url!); // reads wait for the cluster's earlier commits (wsrep_sync_wait)
  });
  afterAll(async () => {
    console.log(`certification conflicts retried by the gateways:\n  ${conflicts.join('\n  ')}`);
    await Promise.all(gateways.map((g) => g.stop()));
    await reader?.close();
    await database?.drop();
  });

  const query = (sql: string, params: unknown[] = []) => reader.query(sql, params);

  /** The agent the running test raced, for the report of a failed race. */
  let raced: { agentId: string; answers: Array<{ node: number; code: string }> } | null = null;
  beforeEach(({ onTestFailed }) => {
    raced = null;
    onTestFailed(async () => console.log(await raceReport()));
  });

  /**
   * What a failed race leaves to read: each node's answers by code, the pair's row, its challenges and audit
   * events as the cluster committed them, and what the gateways logged.
   */
  async function raceReport(): Promise<string> {
    const lines = ['race report:'];
    if (raced) {
      const { agentId, answers } = raced;
      for (const node of [1, 2, 3]) lines.push(`  node ${node} answered: ${JSON.stringify(tallyOf(answers.filter((a) => a.node === node).map((a) => a.code)))}`);
      lines.push(`  authenticator: ${JSON.stringify(await query('SELECT consecutive_failures, consecutive_locks, locked_until, last_used_step FROM authenticators WHERE agent_id = ?', [agentId]))}`);
      lines.push(`  challenges: ${JSON.stringify(await query('SELECT state, failed_attempts, COUNT(*) AS n FROM challenges WHERE agent_id = ? GROUP BY state, failed_attempts', [agentId]))}`);
      lines.push(`  audit: ${JSON.stringify(await query('SELECT action, COUNT(*) AS n FROM audit_events WHERE subject_agent_id = ? GROUP BY action', [agentId]))}`);
      lines.push(`  recovery codes used: ${JSON.stringify(await query('SELECT COUNT(*) AS n FROM recovery_codes WHERE agent_id = ? AND used_at IS NOT NULL', [agentId]))}`);
    }
    gateways.forEach((g, i) => lines.push(`  gateway ${i} (node ${i + 1}) logged:`, ...g.output().split('\n').filter((l) => l && !l.startsWith('GATEWAY_PORT')).slice(-20).map((l) => `    ${l}`)));
    return lines.join('\n');
  }

  /** Records which node gave each answer, for raceReport. */
  function noteAnswers(agentId: string, nodes: number[], answers: Array<GraphQLResponse<unknown>>): void {
    raced = { agentId, answers: answers.map((a, i) => ({ node: nodes[i], code: String(codeOf(a)) })) };
  }

  const via = (i: number) => clients[i % clients.length];

  /** Runs a race of `requests` requests and records how many transactions lost certification and were retried. */
  async function counted<T>(name: string, requests: number, race: () => Promise<T>): Promise<T> {
    const before = await conflictCount(cluster);
    const result = await race();
    const retried = (await conflictCount(cluster)) - before;
    conflicts.push(`${name}: ${retried} conflicts for ${requests} requests (${(retried / requests).toFixed(2)} per request)`);
    return result;
  }

  /**
   * SESSIONS sessions of the agent, each with an open challenge entered through gateway i % 3. The session rows
   * are written straight into the table, as two-processes.test.ts does (100 argon2 sign-ins are not under test).
   */
  async function challengedSessions(agent: EnrolledAgent): Promise<Array<{ client: GraphQLClient; challengeId: string }>> {
    const tokens = Array.from({ length: SESSIONS }, () => newSessionToken());
    const now = Date.now();
    const rows = tokens.map((token) => [newId(), agent.agent.id, hashSessionToken(token), new Date(now), new Date(now + 3600_000), null]);
    await query('INSERT INTO sessions (id, agent_id, token_hash, created_at, expires_at, ended_at) VALUES ?', [rows]);
    return Promise.all(
      tokens.map(async (token, i) => {
        const client = via(i).withToken(token);
        const { enterWorkspace } = await client.ok(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
        expect(enterWorkspace.status).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
        return { client, challengeId: enterWorkspace.challenge!.id };
      }),
    );
  }

  /** One winner; the losers are wrong answers to their own challenges: the 10th locks the pair, the rest meet the lock. */
  async function expectOneWinner(agent: EnrolledAgent, sessions: Array<{ challengeId: string }>, answers: Array<GraphQLResponse<unknown>>) {
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(tally(answers)).toEqual({ OK: 1, INVALID_TWO_FACTOR_CODE: 10, RATE_LIMITED: SESSIONS - 11 });
    const ids = sessions.map((s) => s.challengeId);
    const rows = await query(`SELECT state, failed_attempts FROM challenges WHERE id IN (${ids.map(() => '?').join(',')})`, ids);
    expect(rows.filter((r) => r.state === 'PASSED')).toHaveLength(1);
    expect(rows.reduce((sum, r) => sum + Number(r.failed_attempts), 0)).toBe(10);
    const [{ n }] = await query("SELECT COUNT(*) AS n FROM audit_events WHERE subject_agent_id = ? AND action = 'CHALLENGE_FAILED'", [agent.agent.id]);
    expect(Number(n)).toBe(10);
  }

  it(`lets exactly one of ${SESSIONS} answers with the same TOTP code through, across three nodes`, async () => {
    const agent = await enrolledAgent(t, tenant);
    const confirmedStep = Math.floor(Date.now() / STEP_MS); // enrolled just now, with this step's code (or the one before)
    const sessions = await challengedSessions(agent);
    const step = Math.max(confirmedStep + 1, Math.floor(Date.now() / STEP_MS));
    const code = totpCode(agent.secret, step * STEP_MS);
    const answers = await counted('one TOTP code, 99 answers', SESSIONS, () =>
      Promise.all(sessions.map(({ client, challengeId }) => client.request(VerifyTwoFactorDocument, { challengeId, code }))),
    );
    noteAnswers(agent.agent.id, sessions.map((_, i) => (i % 3) + 1), answers);
    await expectOneWinner(agent, sessions, answers);
    const [{ last_used_step }] = await query('SELECT last_used_step FROM authenticators WHERE agent_id = ?', [agent.agent.id]);
    expect(Number(last_used_step)).toBe(step);
  });

  it(`lets exactly one of ${SESSIONS} uses of the same recovery code through, across three nodes`, async () => {
    const agent = await enrolledAgent(t, tenant);
    const sessions = await challengedSessions(agent);
    const code = agent.recoveryCodes[0];
    const answers = await counted('one recovery code, 99 answers', SESSIONS, () =>
      Promise.all(sessions.map(({ client, challengeId }) => client.request(UseRecoveryCodeDocument, { challengeId, code }))),
    );
    noteAnswers(agent.agent.id, sessions.map((_, i) => (i % 3) + 1), answers);
    await expectOneWinner(agent, sessions, answers);
    const [{ n }] = await query('SELECT COUNT(*) AS n FROM recovery_codes WHERE agent_id = ? AND used_at IS NOT NULL', [agent.agent.id]);
    expect(Number(n)).toBe(1);
  });

  it('judges exactly 5 of 50 parallel wrong answers to one challenge sent through three nodes', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    const code = wrongCode(t, enrolled.secret);
    const answers = await counted('50 wrong answers, one challenge', 50, () =>
      Promise.all(Array.from({ length: 50 }, (_, i) => via(i).withToken(session.token).request(VerifyTwoFactorDocument, { challengeId, code }))),
    );
    noteAnswers(enrolled.agent.id, answers.map((_, i) => (i % 3) + 1), answers);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(tally(answers)).toEqual({ INVALID_TWO_FACTOR_CODE: 5, CHALLENGE_INVALIDATED: 45 });
    const [row] = await query('SELECT failed_attempts, state FROM challenges WHERE id = ?', [challengeId]);
    expect(Number(row.failed_attempts)).toBe(5);
    expect(row.state).toBe('INVALIDATED');
  });

  it('locks the pair after exactly 10 failures spread over three challenges and three nodes, and every node refuses it', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    const sessions = await Promise.all([0, 1, 2].map((i) => challengedSession(t, enrolled.agent, tenant.secureWorkspaceId, via(i))));
    const code = wrongCode(t, enrolled.secret);
    const answers = await counted('18 wrong answers, three challenges of one pair', 18, () =>
      Promise.all(
        sessions.flatMap(({ session, challengeId }) =>
          Array.from({ length: 6 }, (_, i) => via(i).withToken(session.token).request(VerifyTwoFactorDocument, { challengeId, code })),
        ),
      ),
    );
    noteAnswers(enrolled.agent.id, answers.map((_, i) => ((i % 6) % 3) + 1), answers);
    const codes = tally(answers);
    expect(Object.keys(codes).filter((c) => !['INVALID_TWO_FACTOR_CODE', 'CHALLENGE_INVALIDATED', 'RATE_LIMITED'].includes(c))).toEqual([]);
    expect(codes.INVALID_TWO_FACTOR_CODE).toBe(10);
    expect((codes.CHALLENGE_INVALIDATED ?? 0) + (codes.RATE_LIMITED ?? 0)).toBe(8);
    const [authenticator] = await query('SELECT locked_until FROM authenticators WHERE agent_id = ?', [enrolled.agent.id]);
    expect(authenticator.locked_until).not.toBeNull();

    // Locked on every node: the right code is refused, and no fresh challenge is issued.
    for (const [i, { session, challengeId }] of sessions.entries()) {
      for (const client of clients) {
        const refused = await client.withToken(session.token).fails(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, enrolled.secret) });
        expect(['RATE_LIMITED', 'CHALLENGE_INVALIDATED']).toContain(refused.code);
      }
      const entered = await via(i).withToken(session.token).fails(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
      expect(entered.code).toBe('RATE_LIMITED');
    }
  });

  it('answers concurrent enters of one session through three nodes without an error, and keeps one open challenge', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    const sessions = await Promise.all(Array.from({ length: 6 }, (_, i) => signInAgain(t, enrolled.agent, via(i))));
    // Each session enters the secure workspace through every gateway at once, four times over.
    const enters = await counted('enters: 6 sessions × 3 nodes × 4', 72, () =>
      Promise.all(
        sessions.flatMap((session) =>
          Array.from({ length: 12 }, (_, i) => via(i).withToken(session.token).request(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId })),
        ),
      ),
    );
    expect(enters.map((e) => e.errors ?? e.data?.enterWorkspace.status)).toEqual(enters.map(() => 'TWO_FACTOR_CHALLENGE_REQUIRED'));
    const open = await query("SELECT session_id, COUNT(*) AS n FROM challenges WHERE agent_id = ? AND state = 'OPEN' GROUP BY session_id", [enrolled.agent.id]);
    expect(open.map((r) => Number(r.n))).toEqual(sessions.map(() => 1));
  });

  it('keeps the hierarchy rule when two admins on two nodes switch tenant 2FA off and a workspace on at once', async () => {
    for (let round = 0; round < 5; round++) {
      const raced = await createTenant(t, { twoFactor: false });
      await raced.owner.client.ok(SetTenantTwoFactorDocument, { tenantId: raced.id, enabled: true });
      await sleep(50);
      const [off, required] = await counted(`hierarchy round ${round + 1}`, 2, () =>
        Promise.all([
          via(1).withToken(raced.owner.token).request(SetTenantTwoFactorDocument, { tenantId: raced.id, enabled: false }),
          via(2).withToken(raced.owner.token).request(SetWorkspaceTwoFactorDocument, { workspaceId: raced.secureWorkspaceId, required: true }),
        ]),
      );
      const [tenantRow] = await query('SELECT two_factor_enabled FROM tenants WHERE id = ?', [raced.id]);
      const [workspaceRow] = await query('SELECT two_factor_required FROM workspaces WHERE id = ?', [raced.secureWorkspaceId]);
      // Either order is fine; both at once would leave a workspace requiring 2FA under a tenant that has it off.
      expect(Number(tenantRow.two_factor_enabled) === 0 && Number(workspaceRow.two_factor_required) === 1).toBe(false);
      expect([codeOf(off), codeOf(required)]).toContain('OK');
    }
  });
});

// Threat: one phished code, or one client's budget, spread over several gateway processes that share nothing but
// the database: a read-then-write bug lets two processes both win, and a per-process budget multiplies.
// On SQLite the processes share the database file, as several gateways on one host would.
import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddTenantMemberDocument,
  AddWorkspaceMemberDocument,
  BeginTotpEnrolmentDocument,
  ConfirmTotpEnrolmentDocument,
  EnterWorkspaceDocument,
  SignInDocument,
  SignUpDocument,
  UseRecoveryCodeDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { anonymousBadInput } from '../helpers/anonymous-bad-input';
import { GraphQLClient, GraphQLResponse } from '../helpers/client';
import { DatabaseKind, databaseKinds, scratchDatabase, ScratchDatabase } from '../helpers/databases';
import { createTenant, PASSWORD, TestTenant, uniqueEmail } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { totpCode } from '../helpers/totp';
import { GatewayProcess, productionEnv, sleep, spawnGateway } from './harness';

/** Rounds per race, each on a fresh agent or code: enough for an unguarded read-then-write to lose once. */
const ROUNDS = 8;
/** Concurrent answers per round, half through each process. */
const RACERS = 4;
const STEP_MS = 30_000;

const codeOf = (response: GraphQLResponse<unknown>) => response.errors?.[0]?.extensions?.code ?? 'GRANTED';

/** Two gateway processes on one database, started one after the other (the first one migrates). */
async function twoProcesses(database: ScratchDatabase, env: Record<string, string> = {}): Promise<GatewayProcess[]> {
  // Errors logged, so a failed round shows what the processes met.
  env = { LOG_LEVEL: 'error', ...env };
  const first = await spawnGateway(productionEnv(database, env));
  return [first, await spawnGateway(productionEnv(database, env))];
}

describe.each(databaseKinds)('two gateway processes on one %s database (real clock)', (kind: DatabaseKind) => {
  let database: ScratchDatabase;
  let gateways: GatewayProcess[] = [];
  let clients: GraphQLClient[];
  let tenant: TestTenant;

  beforeAll(async () => {
    database = await scratchDatabase(kind);
    gateways = await twoProcesses(database);
    clients = gateways.map((g) => new GraphQLClient(g.url));
    tenant = await createTenant({ client: clients[0] } as TestGateway, { twoFactor: true });
  });
  afterAll(async () => {
    const exitCodes = await Promise.all(gateways.map((g) => g.stop()));
    await database?.drop();
    expect(exitCodes).toEqual(gateways.map(() => 0));
  });

  /** An agent enrolled through process 0 at the real time (never at a step's very end), with RACERS open challenges. */
  async function racers() {
    const email = uniqueEmail('raced');
    const { signUp } = await clients[0].ok(SignUpDocument, { email, password: PASSWORD, name: 'Raced' });
    await tenant.owner.client.ok(AddTenantMemberDocument, { tenantId: tenant.id, email, role: 'AGENT' });
    await tenant.owner.client.ok(AddWorkspaceMemberDocument, { workspaceId: tenant.secureWorkspaceId, agentId: signUp.agent.id });
    const agent = clients[0].withToken(signUp.token);
    const { beginTotpEnrolment } = await agent.ok(BeginTotpEnrolmentDocument, { tenantId: tenant.id, password: PASSWORD });
    if (Date.now() % STEP_MS > STEP_MS - 3000) await sleep(STEP_MS - (Date.now() % STEP_MS) + 100);
    const confirmedStep = Math.floor(Date.now() / STEP_MS);
    const { confirmTotpEnrolment } = await agent.ok(ConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code: totpCode(beginTotpEnrolment.secret, confirmedStep * STEP_MS) });
    const sessions = await challenges(email);
    return { secret: beginTotpEnrolment.secret, recoveryCodes: confirmTotpEnrolment.codes, confirmedStep, sessions, email };
  }

  /** RACERS fresh sessions of the agent, alternately through each process, each with its own open challenge. */
  async function challenges(email: string) {
    return Promise.all(
      Array.from({ length: RACERS }, async (_, i) => {
        const via = clients[i % 2];
        const { signIn } = await via.ok(SignInDocument, { email, password: PASSWORD });
        const client = via.withToken(signIn.token);
        const { enterWorkspace } = await client.ok(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
        return { client, challengeId: enterWorkspace.challenge!.id };
      }),
    );
  }

  // Threat: one anonymous request ends a gateway process (an unhandled rejection is fatal in Node).
  it('survives anonymous requests with bad arguments to every operation, and keeps serving', async () => {
    for (const [label, send] of anonymousBadInput) {
      const response = await send({ anonymous: clients[0], tenantId: tenant.id, workspaceId: tenant.openWorkspaceId, challengeId: randomUUID(), agentId: tenant.owner.id, email: tenant.owner.email });
      expect(response.errors?.[0]?.extensions?.code, label).toBeTruthy();
    }
    await sleep(200); // an unhandled rejection ends the process on the next turns of its event loop
    expect(gateways[0].child.exitCode, gateways[0].output()).toBeNull();
    expect((await fetch(`${gateways[0].url}/healthz`)).status).toBe(200);
  });

  it(`lets exactly one of ${RACERS} concurrent answers with one TOTP code through, in each of ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { secret, confirmedStep, sessions } = await racers();
      const code = totpCode(secret, Math.max(confirmedStep + 1, Math.floor(Date.now() / STEP_MS)) * STEP_MS);
      const answers = await Promise.all(sessions.map(({ client, challengeId }) => client.request(VerifyTwoFactorDocument, { challengeId, code })));
      expect(answers.map(codeOf).sort(), `round ${round}: ${JSON.stringify(answers.map((a) => a.errors?.[0]?.message))} ${gateways.map((g) => g.output().slice(-1500)).join('\n')}`).toEqual(['GRANTED', ...Array(RACERS - 1).fill('INVALID_TWO_FACTOR_CODE')]);
    }
  });

  it(`lets exactly one of ${RACERS} concurrent uses of one recovery code through, for each of an agent's 8 codes`, async () => {
    const { email, recoveryCodes, sessions: first } = await racers();
    for (const [round, code] of recoveryCodes.entries()) {
      // Wrong answers count toward the pair's lock (10): a passed challenge resets the count, so 3 per round never lock.
      const sessions = round === 0 ? first : await challenges(email);
      const answers = await Promise.all(sessions.map(({ client, challengeId }) => client.request(UseRecoveryCodeDocument, { challengeId, code })));
      expect(answers.map(codeOf).sort(), `code ${round}: ${gateways.map((g) => g.output().slice(-1500)).join('\n')}`).toEqual(['GRANTED', ...Array(RACERS - 1).fill('INVALID_TWO_FACTOR_CODE')]);
    }
  });
});

describe.each(databaseKinds)('per-client-IP budgets across two gateway processes on %s', (kind: DatabaseKind) => {
  let database: ScratchDatabase;
  let gateways: GatewayProcess[] = [];
  beforeAll(async () => {
    database = await scratchDatabase(kind);
    gateways = await twoProcesses(database, { RATE_LIMIT_SIGN_IN_PER_MINUTE: '4' });
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await database?.drop();
  });

  it('spends one budget from both processes, sign-up included: the 5th sign-in of the minute is RATE_LIMITED wherever it lands', async () => {
    const [a, b] = gateways.map((g) => new GraphQLClient(g.url));
    const email = uniqueEmail('budget');
    const signIn = (via: GraphQLClient) => via.raw({ query: print(SignInDocument), variables: { email, password: PASSWORD } });
    await a.ok(SignUpDocument, { email, password: PASSWORD, name: 'Budget' });
    expect([await signIn(b), await signIn(a), await signIn(b)].map(codeOf)).toEqual(['GRANTED', 'GRANTED', 'GRANTED']);
    const refused = [await signIn(a), await signIn(b)];
    expect(refused.map(codeOf)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect(refused[0].errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
  });
});

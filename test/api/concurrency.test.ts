import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MyTwoFactorDocument, UseRecoveryCodeDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import type { GraphQLClient, GraphQLResponse } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { createTenant, currentCode, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { challengedSession, EnrolledAgent, enrolledAgent } from '../helpers/two-factor';

const ROUNDS = 8;

type Answer = GraphQLResponse<{ verifyTwoFactor?: { status: string }; useRecoveryCode?: { status: string } }>;

/** How a race ended: the GRANTED answers, and the error codes of the others. */
function outcome(answers: Answer[]) {
  const granted = answers.filter((a) => (a.data?.verifyTwoFactor ?? a.data?.useRecoveryCode)?.status === 'GRANTED');
  const refused = answers.filter((a) => a.errors?.length).map((a) => a.errors![0].extensions?.code);
  return { granted: granted.length, refused };
}

describe.each(databaseKinds)('racing answers on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let peer: GraphQLClient;
  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
    peer = (await t.startPeer()).client;
  });
  afterAll(() => t?.close());

  /** Two sessions of the agent, each with its own open challenge, signed in through the given gateways. */
  async function twoChallengedSessions(enrolled: EnrolledAgent, via: [GraphQLClient, GraphQLClient]) {
    return Promise.all(via.map((client) => challengedSession(t, enrolled.agent, tenant.secureWorkspaceId, client)));
  }

  async function raceTotp(via: [GraphQLClient, GraphQLClient]) {
    const enrolled = await enrolledAgent(t, tenant);
    for (let round = 0; round < ROUNDS; round++) {
      t.clock.advance(30_000); // a code no earlier round used
      const [first, second] = await twoChallengedSessions(enrolled, via);
      const code = currentCode(t, enrolled.secret);
      const answers = await Promise.all([first, second].map(({ session, challengeId }) => session.client.request(VerifyTwoFactorDocument, { challengeId, code })));
      expect(outcome(answers)).toEqual({ granted: 1, refused: ['INVALID_TWO_FACTOR_CODE'] });
    }
  }

  async function raceRecoveryCode(via: [GraphQLClient, GraphQLClient]) {
    const enrolled = await enrolledAgent(t, tenant);
    for (let round = 0; round < ROUNDS; round++) {
      const [first, second] = await twoChallengedSessions(enrolled, via);
      const code = enrolled.recoveryCodes[round];
      const answers = await Promise.all([first, second].map(({ session, challengeId }) => session.client.request(UseRecoveryCodeDocument, { challengeId, code })));
      expect(outcome(answers)).toEqual({ granted: 1, refused: ['INVALID_TWO_FACTOR_CODE'] });
    }
    const { me } = await enrolled.agent.client.ok(MyTwoFactorDocument, { tenantId: tenant.id });
    expect(me!.twoFactor.recoveryCodesRemaining).toBe(8 - ROUNDS);
    const [{ n }] = await t.gateway.db.manager.query('SELECT COUNT(*) AS n FROM recovery_codes WHERE agent_id = ? AND used_at IS NOT NULL', [enrolled.agent.id]);
    expect(Number(n)).toBe(ROUNDS);
  }

  // Threat: a phished TOTP code replayed at the same moment as the victim's own use, hoping both win.
  it('lets exactly one of two concurrent answers with the same TOTP code through, on one gateway', async () => {
    await raceTotp([t.client, t.client]);
  });

  // Threat: a stolen recovery code used at the same moment as the victim's own use, hoping both win.
  it('lets exactly one of two concurrent uses of the same recovery code through, on one gateway', async () => {
    await raceRecoveryCode([t.client, t.client]);
  });

  // Threat: the same replay split across two gateway processes, each with its own memory and pool.
  it('lets exactly one of two concurrent answers with the same TOTP code through, across two gateways', async () => {
    await raceTotp([t.client, peer]);
  });

  it('lets exactly one of two concurrent uses of the same recovery code through, across two gateways', async () => {
    await raceRecoveryCode([t.client, peer]);
  });
});

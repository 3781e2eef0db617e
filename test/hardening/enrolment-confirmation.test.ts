// Threat: guessing the confirmation code of a pending enrolment without limit, or confirming another session's enrolment to take its recovery codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeginTotpEnrolmentDocument, ConfirmTotpEnrolmentDocument, MyTwoFactorDocument } from '../../src/client/generated/graphql';
import type { GraphQLResponse } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, currentCode, signUp, TestAgent, TestTenant, wrongCode } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { signInAgain } from '../helpers/two-factor';
import { startProductionGateway } from './harness';

const codeOf = (response: GraphQLResponse<unknown>) => response.errors?.[0]?.extensions?.code ?? 'OK';
const tally = (codes: string[]) => codes.reduce<Record<string, number>>((all, code) => ({ ...all, [code]: (all[code] ?? 0) + 1 }), {});

describe.each(databaseKinds)('confirming a TOTP enrolment on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startProductionGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
  });
  afterAll(() => t?.close());

  async function member(): Promise<TestAgent> {
    const agent = await signUp(t);
    await addMember(tenant, agent);
    return agent;
  }
  const begin = async (session: TestAgent) => (await session.client.ok(BeginTotpEnrolmentDocument, { tenantId: tenant.id, password: session.password })).beginTotpEnrolment.secret;
  const confirm = (session: TestAgent, code: string) => session.client.request(ConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code });
  const state = async (session: TestAgent) => (await session.client.ok(MyTwoFactorDocument, { tenantId: tenant.id })).me!.twoFactor.state;

  it('works only from the session that began it: another session of the agent gets NO_PENDING_ENROLMENT', async () => {
    const agent = await member();
    const secret = await begin(agent);
    const other = await signInAgain(t, agent);
    expect(codeOf(await confirm(other, currentCode(t, secret)))).toBe('NO_PENDING_ENROLMENT');
    expect(await state(agent)).toBe('PENDING_CONFIRMATION');
    const confirmed = await confirm(agent, currentCode(t, secret));
    expect(confirmed.data?.confirmTotpEnrolment.codes).toHaveLength(8);
  });

  it('discards the pending secret after 5 wrong codes: the right one is then NO_PENDING_ENROLMENT', async () => {
    const agent = await member();
    const secret = await begin(agent);
    const wrong = wrongCode(t, secret);
    const remaining: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await confirm(agent, wrong);
      expect(codeOf(answer)).toBe('INVALID_TWO_FACTOR_CODE');
      remaining.push(answer.errors![0].extensions!.attemptsRemaining);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    expect(codeOf(await confirm(agent, currentCode(t, secret)))).toBe('NO_PENDING_ENROLMENT');
    expect(await state(agent)).toBe('NOT_CONFIGURED');
  });

  it('judges exactly 5 of 30 parallel wrong codes', async () => {
    const agent = await member();
    const wrong = wrongCode(t, await begin(agent));
    const answers = await Promise.all(Array.from({ length: 30 }, () => confirm(agent, wrong)));
    expect(tally(answers.map(codeOf))).toEqual({ INVALID_TWO_FACTOR_CODE: 5, NO_PENDING_ENROLMENT: 25 });
  });

  it("counts wrong codes toward the pair's 10-failure lock, which then refuses confirmation for 15 minutes", async () => {
    const agent = await member();
    let last: GraphQLResponse<unknown> | undefined;
    for (let round = 0; round < 2; round++) {
      const wrong = wrongCode(t, await begin(agent));
      for (let i = 0; i < 5; i++) expect(codeOf((last = await confirm(agent, wrong)))).toBe('INVALID_TWO_FACTOR_CODE');
    }
    expect(last!.errors![0].extensions!.retryAfterSeconds).toBe(15 * 60);

    const secret = await begin(agent);
    const locked = await confirm(agent, currentCode(t, secret));
    expect(codeOf(locked)).toBe('RATE_LIMITED');
    expect(await state(agent)).toBe('PENDING_CONFIRMATION');

    t.clock.advance(15 * 60_000);
    const fresh = await begin(agent);
    expect((await confirm(agent, currentCode(t, fresh))).data?.confirmTotpEnrolment.status.state).toBe('ENABLED');
  });
});

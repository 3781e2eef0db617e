// Threat: the password re-check of sensitive mutations used as an unlimited oracle for guessing the password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeginTotpEnrolmentDocument, DisableTwoFactorDocument, RegenerateRecoveryCodesDocument } from '../../src/client/generated/graphql';
import type { GraphQLResponse } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { auditActions } from '../helpers/two-factor';
import { startProductionGateway } from './harness';

const codeOf = (response: GraphQLResponse<unknown>) => response.errors?.[0]?.extensions?.code ?? 'OK';
const tally = (codes: string[]) => codes.reduce<Record<string, number>>((all, code) => ({ ...all, [code]: (all[code] ?? 0) + 1 }), {});
const WRONG = 'not the password';

describe.each(databaseKinds)('re-authentication on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startProductionGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
  });
  afterAll(() => t?.close());

  async function member(inTenant = tenant): Promise<TestAgent> {
    const agent = await signUp(t);
    await addMember(inTenant, agent);
    return agent;
  }
  const begin = (agent: TestAgent, password: string, tenantId = tenant.id, client = agent.client) => client.request(BeginTotpEnrolmentDocument, { tenantId, password });
  const reauthFailures = async (agent: TestAgent, tenantId = tenant.id) => (await auditActions(t, tenantId, agent.id)).filter((a) => a === 'REAUTH_FAILED').length;

  it('decides state errors before the password: ALREADY_ENROLLED and TWO_FACTOR_NOT_ENABLED say nothing about a guess', async () => {
    const enrolled = await member();
    await enrol(t, enrolled, tenant.id);
    expect(codeOf(await begin(enrolled, WRONG))).toBe('ALREADY_ENROLLED');
    expect(codeOf(await begin(enrolled, enrolled.password))).toBe('ALREADY_ENROLLED');

    const unenrolled = await member();
    for (const password of [WRONG, unenrolled.password]) {
      expect(codeOf(await unenrolled.client.request(DisableTwoFactorDocument, { tenantId: tenant.id, password }))).toBe('TWO_FACTOR_NOT_ENABLED');
      expect(codeOf(await unenrolled.client.request(RegenerateRecoveryCodesDocument, { tenantId: tenant.id, password }))).toBe('TWO_FACTOR_NOT_ENABLED');
    }
    expect([await reauthFailures(enrolled), await reauthFailures(unenrolled)]).toEqual([0, 0]);
  });

  it('5 wrong passwords lock re-authentication for 15 minutes, in every tenant, the right password included; each is audited', async () => {
    const other = await createTenant(t, { twoFactor: true });
    const agent = await member();
    await addMember(other, agent);
    for (let i = 0; i < 5; i++) expect(codeOf(await begin(agent, WRONG))).toBe('INVALID_PASSWORD');

    const locked = await begin(agent, agent.password);
    expect(codeOf(locked)).toBe('RATE_LIMITED');
    expect(locked.errors![0].extensions!.retryAfterSeconds).toBe(15 * 60);
    expect(codeOf(await begin(agent, agent.password, other.id))).toBe('RATE_LIMITED');
    expect([await reauthFailures(agent), await reauthFailures(agent, other.id)]).toEqual([5, 0]);

    t.clock.advance(15 * 60_000);
    expect(codeOf(await begin(agent, agent.password))).toBe('OK');
  });

  it('wrong passwords older than 15 minutes no longer count, and right ones never do', async () => {
    const agent = await member();
    for (let i = 0; i < 4; i++) expect(codeOf(await begin(agent, WRONG))).toBe('INVALID_PASSWORD');
    for (let i = 0; i < 3; i++) expect(codeOf(await begin(agent, agent.password))).toBe('OK');
    t.clock.advance(15 * 60_000 + 1000);
    for (let i = 0; i < 4; i++) expect(codeOf(await begin(agent, WRONG))).toBe('INVALID_PASSWORD');
    expect(codeOf(await begin(agent, agent.password))).toBe('OK');
  });

  it('judges exactly 5 of 20 parallel wrong passwords and refuses the rest before checking them', async () => {
    const agent = await member();
    const answers = await Promise.all(Array.from({ length: 20 }, () => begin(agent, WRONG)));
    expect(tally(answers.map(codeOf))).toEqual({ INVALID_PASSWORD: 5, RATE_LIMITED: 15 });
    expect(await reauthFailures(agent)).toBe(5);
  });

  it('counts in the database: wrong passwords through two gateway processes add up', async () => {
    const agent = await member();
    const peer = await t.startPeer();
    const viaPeer = peer.client.withToken(agent.token);
    for (const client of [agent.client, viaPeer, agent.client, viaPeer, agent.client]) expect(codeOf(await begin(agent, WRONG, tenant.id, client))).toBe('INVALID_PASSWORD');
    expect(codeOf(await begin(agent, agent.password, tenant.id, viaPeer))).toBe('RATE_LIMITED');
  });
});

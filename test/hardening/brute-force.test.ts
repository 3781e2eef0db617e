// Threat: guessing a 6-digit code by brute force through parallel requests, chained challenges and many client IPs.
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnterWorkspaceDocument, SignInDocument, SignUpDocument, UseRecoveryCodeDocument, VerifyPasskeyDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import type { GraphQLErrorBody, GraphQLResponse } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, currentCode, PASSWORD, signUp, TestAgent, TestTenant, uniqueEmail, wrongCode } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { addPasskey, assertion, PASSKEY_ENV, TEST_ORIGIN } from '../helpers/passkeys';
import { rowCount } from '../helpers/snapshot';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';
import { challengedSession, enrolledAgent } from '../helpers/two-factor';
import { startProductionGateway } from './harness';

const firstError = (response: GraphQLResponse<unknown>): GraphQLErrorBody | undefined => response.errors?.[0];
const codeOf = (response: GraphQLResponse<unknown>) => firstError(response)?.extensions?.code ?? 'OK';
const tally = (codes: string[]) => codes.reduce<Record<string, number>>((all, code) => ({ ...all, [code]: (all[code] ?? 0) + 1 }), {});

async function column(t: TestGateway, sql: string, params: unknown[]): Promise<unknown> {
  const [row] = await t.gateway.db.manager.query(sql, params);
  return Object.values(row)[0];
}

/** A signIn sent as a client behind a proxy would send it (an X-Forwarded-For header), or directly. */
function signInFrom(t: TestGateway, agent: TestAgent, forwardedFor?: string) {
  const headers: Record<string, string> = forwardedFor ? { 'x-forwarded-for': forwardedFor } : {};
  return t.client.raw({ query: print(SignInDocument), variables: { email: agent.email, password: agent.password } }, headers);
}

describe.each(databaseKinds)('brute force against challenges on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startProductionGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
  });
  afterAll(() => t?.close());

  it('judges exactly 5 of 50 parallel wrong answers to one challenge and refuses the other 45', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    const code = wrongCode(t, enrolled.secret);
    const answers = await Promise.all(Array.from({ length: 50 }, () => session.client.request(VerifyTwoFactorDocument, { challengeId, code })));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(tally(answers.map(codeOf))).toEqual({ INVALID_TWO_FACTOR_CODE: 5, CHALLENGE_INVALIDATED: 45 });
    const remaining = answers.filter((a) => codeOf(a) === 'INVALID_TWO_FACTOR_CODE').map((a) => firstError(a)!.extensions!.attemptsRemaining);
    expect(remaining.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(Number(await column(t, 'SELECT failed_attempts FROM challenges WHERE id = ?', [challengeId]))).toBe(5);
    expect(await column(t, 'SELECT state FROM challenges WHERE id = ?', [challengeId])).toBe('INVALIDATED');
  });

  it('locks the (agent, tenant) pair after exactly 10 failures spread over parallel answers to 3 challenges', async () => {
    const enrolled = await enrolledAgent(t, tenant);
    const sessions = await Promise.all([0, 1, 2].map(() => challengedSession(t, enrolled.agent, tenant.secureWorkspaceId)));
    const code = wrongCode(t, enrolled.secret);
    const answers = await Promise.all(
      sessions.flatMap(({ session, challengeId }) => Array.from({ length: 6 }, () => session.client.request(VerifyTwoFactorDocument, { challengeId, code }))),
    );
    const codes = tally(answers.map(codeOf));
    expect(codes.INVALID_TWO_FACTOR_CODE).toBe(10);
    expect((codes.CHALLENGE_INVALIDATED ?? 0) + (codes.RATE_LIMITED ?? 0)).toBe(8);
    expect(answers.filter((a) => firstError(a)?.extensions?.retryAfterSeconds === 900 && codeOf(a) === 'INVALID_TWO_FACTOR_CODE')).toHaveLength(1);
    const ids = sessions.map((s) => s.challengeId);
    expect(Number(await column(t, `SELECT SUM(failed_attempts) FROM challenges WHERE id IN (?, ?, ?)`, ids))).toBe(10);
    expect(await column(t, 'SELECT locked_until FROM authenticators WHERE agent_id = ?', [enrolled.agent.id])).not.toBeNull();

    // Locked: the right code is refused on a challenge still open, and no fresh challenge is issued.
    const right = currentCode(t, enrolled.secret);
    for (const { session, challengeId } of sessions) {
      const refused = await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: right });
      expect(['RATE_LIMITED', 'CHALLENGE_INVALIDATED']).toContain(refused.code);
    }
    const entered = await sessions[0].session.client.fails(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
    expect(entered.code).toBe('RATE_LIMITED');
    expect(entered.extensions!.retryAfterSeconds).toBeGreaterThan(800);
  });
});

describe.each(databaseKinds)('per-client-IP limits on %s', (kind) => {
  let direct: TestGateway;
  let proxied: TestGateway;
  const limits = { RATE_LIMIT_SIGN_IN_PER_MINUTE: '3', RATE_LIMIT_ANSWERS_PER_MINUTE: '3' };
  beforeAll(async () => {
    direct = await startProductionGateway(kind, { ...limits, ...PASSKEY_ENV, TRUSTED_PROXY_HOPS: '0' });
    proxied = await startProductionGateway(kind, { ...limits, TRUSTED_PROXY_HOPS: '1' });
  });
  afterAll(async () => {
    await direct?.close();
    await proxied?.close();
  });

  it('refuses the 4th sign-in of a minute from one IP without starting a session, and a forged X-Forwarded-For buys nothing', async () => {
    const agent = await signUp(direct);
    direct.clock.advance(61_000); // a fresh window
    for (let i = 0; i < 3; i++) expect(codeOf(await signInFrom(direct, agent))).toBe('OK');
    const sessions = await rowCount(direct, 'sessions');
    const fourth = await signInFrom(direct, agent);
    expect(codeOf(fourth)).toBe('RATE_LIMITED');
    expect(firstError(fourth)!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect(codeOf(await signInFrom(direct, agent, '203.0.113.7'))).toBe('RATE_LIMITED');
    expect(await rowCount(direct, 'sessions')).toBe(sessions);
    direct.clock.advance(61_000);
    expect(codeOf(await signInFrom(direct, agent))).toBe('OK');
  });

  it('refuses the 4th answer of a minute from one IP without judging it, so the challenge keeps its attempts', async () => {
    direct.clock.advance(61_000);
    const tenant = await createTenant(direct, { twoFactor: true });
    const enrolled = await enrolledAgent(direct, tenant);
    direct.clock.advance(61_000);
    const { session, challengeId } = await challengedSession(direct, enrolled.agent, tenant.secureWorkspaceId);
    const wrong = wrongCode(direct, enrolled.secret);
    for (const left of [4, 3, 2]) expect((await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: wrong })).extensions?.attemptsRemaining).toBe(left);
    const limited = await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: currentCode(direct, enrolled.secret) });
    expect(limited.code).toBe('RATE_LIMITED');
    expect(limited.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect(Number(await column(direct, 'SELECT failed_attempts FROM challenges WHERE id = ?', [challengeId]))).toBe(3);
    direct.clock.advance(61_000);
    const { verifyTwoFactor } = await session.client.ok(VerifyTwoFactorDocument, { challengeId, code: currentCode(direct, enrolled.secret) });
    expect(verifyTwoFactor.status).toBe('GRANTED');
  });

  it('behind one trusted proxy, gives each X-Forwarded-For client its own budget, which prepended entries cannot escape', async () => {
    const agent = await signUp(proxied);
    proxied.clock.advance(61_000);
    for (let i = 0; i < 3; i++) expect(codeOf(await signInFrom(proxied, agent, '198.51.100.1'))).toBe('OK');
    expect(codeOf(await signInFrom(proxied, agent, '198.51.100.1'))).toBe('RATE_LIMITED');
    // The proxy appends the real peer; whatever the client wrote before it is not believed.
    expect(codeOf(await signInFrom(proxied, agent, '192.0.2.99, 198.51.100.1'))).toBe('RATE_LIMITED');
    expect(codeOf(await signInFrom(proxied, agent, '198.51.100.2'))).toBe('OK');
  });
  // Threat: one client behind a proxy that writes ports (ip:port) in X-Forwarded-For, a fresh budget per port.
  it('behind one trusted proxy, counts every port of one forwarded address against that address, IPv4 and IPv6', async () => {
    const agent = await signUp(proxied);
    proxied.clock.advance(61_000);
    for (const spellings of [
      ['203.0.113.9:1001', '203.0.113.9:1002', '203.0.113.9', '203.0.113.9:1004'],
      ['[2001:db8:5::1]:443', '[2001:db8:5::1]:444', '[2001:db8:5::1]', '2001:db8:5::1'],
    ]) {
      for (const forwardedFor of spellings.slice(0, 3)) expect(codeOf(await signInFrom(proxied, agent, forwardedFor)), forwardedFor).toBe('OK');
      expect(codeOf(await signInFrom(proxied, agent, spellings[3])), spellings[3]).toBe('RATE_LIMITED');
    }
    expect(codeOf(await signInFrom(proxied, agent, '203.0.113.10:1001'))).toBe('OK'); // another address, its own budget
  });

  it('behind one trusted proxy, takes the proxy itself for a forwarded value that is no address', async () => {
    const agent = await signUp(proxied);
    proxied.clock.advance(61_000);
    for (const forwardedFor of ['unknown', '_hidden', 'not an address:80']) expect(codeOf(await signInFrom(proxied, agent, forwardedFor)), forwardedFor).toBe('OK');
    expect(codeOf(await signInFrom(proxied, agent, 'garbage'))).toBe('RATE_LIMITED');
    expect(codeOf(await signInFrom(proxied, agent))).toBe('RATE_LIMITED'); // the proxy's own address: the same budget
  });

  // Threat: a guesser whose malformed requests are free, so the budget only limits the well-formed ones.
  it('spends the budget on malformed requests too: three refused as bad input leave no room for a fourth', async () => {
    direct.clock.advance(61_000);
    const tenant = await createTenant(direct, { twoFactor: true });
    const enrolled = await enrolledAgent(direct, tenant);
    direct.clock.advance(61_000);
    const malformedSignIn = () => direct.client.raw({ query: print(SignInDocument), variables: { email: enrolled.agent.email, password: 'p'.repeat(257) } });
    for (let i = 0; i < 3; i++) expect(codeOf(await malformedSignIn())).toBe('BAD_USER_INPUT');
    expect(codeOf(await signInFrom(direct, enrolled.agent))).toBe('RATE_LIMITED');

    direct.clock.advance(61_000);
    const { session, challengeId } = await challengedSession(direct, enrolled.agent, tenant.secureWorkspaceId);
    for (let i = 0; i < 3; i++) expect((await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: '1234567' })).code).toBe('BAD_USER_INPUT');
    expect((await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: currentCode(direct, enrolled.secret) })).code).toBe('RATE_LIMITED');
  });

  // Threat: sign-up used as a free password oracle or session mint once sign-in is over budget.
  it('counts sign-ups against the sign-in budget', async () => {
    direct.clock.advance(61_000);
    const agents = [await signUp(direct), await signUp(direct), await signUp(direct)];
    expect(codeOf(await signInFrom(direct, agents[0]))).toBe('RATE_LIMITED');
    const fourth = await direct.client.raw({ query: print(SignUpDocument), variables: { email: uniqueEmail('over'), password: PASSWORD, name: 'Over' } });
    expect(codeOf(fourth)).toBe('RATE_LIMITED');
  });

  // Threat: the per-IP answer budget held for TOTP codes only, so guesses went on through the other factors.
  it('counts recovery codes against the answer budget: the right one after three wrong is RATE_LIMITED, from any session of the address', async () => {
    direct.clock.advance(61_000);
    const tenant = await createTenant(direct, { twoFactor: true });
    const enrolled = await enrolledAgent(direct, tenant);
    direct.clock.advance(61_000);
    const { session, challengeId } = await challengedSession(direct, enrolled.agent, tenant.secureWorkspaceId);
    const other = await challengedSession(direct, enrolled.agent, tenant.secureWorkspaceId); // another session, the same address
    for (let i = 0; i < 3; i++) expect((await other.session.client.fails(UseRecoveryCodeDocument, { challengeId: other.challengeId, code: 'ABCD-EFGH' })).code).toBe('INVALID_TWO_FACTOR_CODE');
    const [code] = enrolled.recoveryCodes;
    expect((await session.client.fails(UseRecoveryCodeDocument, { challengeId, code })).code).toBe('RATE_LIMITED');
    direct.clock.advance(61_000);
    expect((await session.client.ok(UseRecoveryCodeDocument, { challengeId, code })).useRecoveryCode.status).toBe('GRANTED');
  });

  it('counts passkey assertions against the answer budget: the right one after a begin and two malformed is RATE_LIMITED', async () => {
    direct.clock.advance(61_000);
    const tenant = await createTenant(direct, { twoFactor: true });
    const agent = await signUp(direct);
    await addMember(tenant, agent);
    const authenticator = new SoftwareAuthenticator(TEST_ORIGIN);
    await addPasskey(agent, tenant.id, authenticator);
    direct.clock.advance(61_000);
    const { session, challengeId } = await challengedSession(direct, agent, tenant.secureWorkspaceId);
    const credential = await assertion(session, challengeId, authenticator); // beginPasskeyAssertion: one of the three
    // Malformed answers are refused without judging them (BAD_USER_INPUT), and spend the budget all the same.
    for (let i = 0; i < 2; i++) expect((await session.client.fails(VerifyPasskeyDocument, { challengeId, credential: { not: 'an assertion' } })).code).toBe('BAD_USER_INPUT');
    expect((await session.client.fails(VerifyPasskeyDocument, { challengeId, credential })).code).toBe('RATE_LIMITED');
    direct.clock.advance(61_000);
    expect((await session.client.ok(VerifyPasskeyDocument, { challengeId, credential })).verifyPasskey.status).toBe('GRANTED');
  });

  it('behind one trusted proxy, gives each X-Forwarded-For client its own answer budget', async () => {
    proxied.clock.advance(61_000);
    const tenant = await createTenant(proxied, { twoFactor: true });
    const enrolled = await enrolledAgent(proxied, tenant);
    proxied.clock.advance(61_000);
    const { session, challengeId } = await challengedSession(proxied, enrolled.agent, tenant.secureWorkspaceId);
    const answerFrom = (client: string, code: string) =>
      session.client.raw({ query: print(VerifyTwoFactorDocument), variables: { challengeId, code } }, { 'x-forwarded-for': client });
    const wrong = wrongCode(proxied, enrolled.secret);
    for (let i = 0; i < 3; i++) expect(codeOf(await answerFrom('198.51.100.7', wrong))).toBe('INVALID_TWO_FACTOR_CODE');
    expect(codeOf(await answerFrom('198.51.100.7', currentCode(proxied, enrolled.secret)))).toBe('RATE_LIMITED');
    expect(codeOf(await answerFrom('192.0.2.1, 198.51.100.7', currentCode(proxied, enrolled.secret)))).toBe('RATE_LIMITED');
    const other = await answerFrom('198.51.100.8', currentCode(proxied, enrolled.secret));
    expect((other.data as { verifyTwoFactor?: { status: string } })?.verifyTwoFactor?.status).toBe('GRANTED');
  });
});

import { randomUUID } from 'node:crypto';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, MySessionsDocument, SignInDocument, SignInMutation, SignOutOtherSessionsDocument, SignOutSessionDocument } from '../../src/client/generated/graphql';
import { hashSessionToken } from '../../src/crypto/tokens';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, signUp, TestAgent } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';

describe.each(databaseKinds)("the agent's own sessions on %s", (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    // In production mode, behind one proxy, so the test can sign in "from" chosen addresses.
    t = await startTestGateway(kind, { NODE_ENV: 'production', LOG_LEVEL: 'silent', TRUSTED_PROXY_HOPS: '1' });
  });
  afterAll(() => t?.close());

  /** A sign-in from `clientIp` with `userAgent`, as a browser behind the proxy would make it. */
  async function signInFrom(agent: TestAgent, clientIp: string, userAgent: string): Promise<TestAgent> {
    const response = await t.client.raw<SignInMutation>(
      { query: print(SignInDocument), variables: { email: agent.email, password: agent.password } },
      { 'x-forwarded-for': clientIp, 'user-agent': userAgent },
    );
    const token = response.data!.signIn.token;
    return { ...agent, token, client: t.client.withToken(token) };
  }
  const sessionsOf = async (session: TestAgent) => (await session.client.ok(MySessionsDocument)).me!.sessions;

  it('lists the live sessions newest first, with where and when each began and which one is asking', async () => {
    const agent = await signUp(t);
    t.clock.advance(1_000);
    const laptop = await signInFrom(agent, '203.0.113.10', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0');
    t.clock.advance(1_000);
    const phone = await signInFrom(agent, '2001:db8::77', 'Mozilla/5.0 (iPhone) Safari/605.1');

    const sessions = await sessionsOf(laptop);
    expect(sessions).toHaveLength(3);
    expect(sessions.map((s) => s.createdAt)).toEqual([...sessions.map((s) => s.createdAt)].sort().reverse());
    const [newest, middle] = sessions;
    expect(newest).toMatchObject({ clientIp: '2001:db8::77', userAgent: 'Mozilla/5.0 (iPhone) Safari/605.1', current: false });
    expect(middle).toMatchObject({ clientIp: '203.0.113.10', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0', current: true });
    expect(new Date(middle.expiresAt).getTime() - new Date(middle.createdAt).getTime()).toBe(12 * 3600_000);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect((await sessionsOf(phone)).find((s) => s.current)!.id).toBe(newest.id);

    // The ids name sessions without being (or revealing) their tokens.
    for (const token of [agent.token, laptop.token, phone.token]) {
      const ids = JSON.stringify(sessions);
      expect(ids).not.toContain(token);
      expect(ids).not.toContain(hashSessionToken(token));
    }
  });

  it('keeps at most 256 characters of the user agent', async () => {
    const agent = await signUp(t);
    const session = await signInFrom(agent, '203.0.113.11', `Agent/${'x'.repeat(1_000)}`);
    const current = (await sessionsOf(session)).find((s) => s.current)!;
    expect(current.userAgent).toHaveLength(256);
  });

  it('moves lastUsedAt on at most once a minute', async () => {
    const agent = await signUp(t);
    const signedUpAt = t.clock.now().toISOString();
    const lastUsed = async () => (await sessionsOf(agent)).find((s) => s.current)!.lastUsedAt;
    expect(await lastUsed()).toBe(signedUpAt);
    t.clock.advance(59_000);
    expect(await lastUsed()).toBe(signedUpAt);
    t.clock.advance(1_000);
    const usedAt = t.clock.now().toISOString();
    expect(await lastUsed()).toBe(usedAt);
    t.clock.advance(30_000);
    expect(await lastUsed()).toBe(usedAt);
  });

  it('answers FORBIDDEN to anyone reading another agent’s sessions, an admin of its tenant included', async () => {
    const tenant = await createTenant(t);
    const agent = await signUp(t);
    await addMember(tenant, agent);
    const response = await tenant.owner.client.raw({
      query: `query($tenantId: ID!) { tenant(id: $tenantId) { agents(first: 10) { edges { node { agent { id sessions { id } } } } } } }`,
      variables: { tenantId: tenant.id },
    });
    expect(response.errors?.length).toBeGreaterThan(0);
    expect(new Set(response.errors?.map((e) => e.extensions?.code))).toEqual(new Set(['FORBIDDEN']));
    expect(JSON.stringify(response.data)).not.toMatch(/"sessions":\[/);
    expect((await t.client.raw({ query: '{ me { sessions { id } } }' })).data).toEqual({ me: null });
  });

  it('signs out one session by its id, and NOT_FOUND for another agent’s, an ended or an unknown one', async () => {
    const agent = await signUp(t);
    const other = await signInFrom(agent, '203.0.113.12', 'Other/1');
    const otherId = (await sessionsOf(other)).find((s) => s.current)!.id;
    const stranger = await signUp(t, 'stranger');

    expect((await stranger.client.fails(SignOutSessionDocument, { sessionId: otherId })).code).toBe('NOT_FOUND');
    expect((await other.client.ok(MeDocument)).me).not.toBeNull(); // the stranger ended nothing

    expect((await agent.client.ok(SignOutSessionDocument, { sessionId: otherId })).signOutSession).toBe(true);
    expect((await other.client.ok(MeDocument)).me).toBeNull();
    expect((await sessionsOf(agent)).map((s) => s.id)).not.toContain(otherId);
    expect((await agent.client.fails(SignOutSessionDocument, { sessionId: otherId })).code).toBe('NOT_FOUND');
    expect((await agent.client.fails(SignOutSessionDocument, { sessionId: randomUUID() })).code).toBe('NOT_FOUND');
    expect((await t.client.fails(SignOutSessionDocument, { sessionId: otherId })).code).toBe('UNAUTHENTICATED');
  });

  it('signs out every other live session of the agent and says how many', async () => {
    const agent = await signUp(t);
    t.clock.advance(6 * 3600_000);
    const stranger = await signUp(t, 'stranger');
    const others = [await signInFrom(agent, '203.0.113.13', 'A/1'), await signInFrom(agent, '203.0.113.14', 'B/1')];
    const current = await signInFrom(agent, '203.0.113.15', 'C/1');
    t.clock.advance(6 * 3600_000 + 1); // the sign-up sessions have expired: they are not live and do not count
    expect((await current.client.ok(SignOutOtherSessionsDocument)).signOutOtherSessions).toBe(2);
    for (const session of others) expect((await session.client.ok(MeDocument)).me).toBeNull();
    expect((await current.client.ok(MeDocument)).me).not.toBeNull();
    expect((await sessionsOf(current)).map((s) => s.current)).toEqual([true]);
    expect((await current.client.ok(SignOutOtherSessionsDocument)).signOutOtherSessions).toBe(0);
    expect((await stranger.client.ok(MeDocument)).me?.id).toBe(stranger.id); // another agent's session lives on
  });
});

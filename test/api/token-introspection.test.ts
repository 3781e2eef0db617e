import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MintAccessTokenDocument, MySessionsDocument, ResetAgentTwoFactorDocument, RevokeAgentSessionsDocument, SignOutDocument, SignOutSessionDocument } from '../../src/client/generated/graphql';
import { hs256WithPublicKey, INTROSPECTION_TOKEN, introspect, kidOf, payloadOf, tampered, TOKEN_ENV, unsigned } from '../helpers/access-tokens';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { passChallenge } from '../helpers/access';
import { enrolledAgent, EnrolledAgent, signInAgain } from '../helpers/two-factor';

describe.each(databaseKinds)('token introspection (RFC 7662) on %s', (kind) => {
  let t: TestGateway;
  let plain: TestTenant;
  let secure: TestTenant;
  beforeAll(async () => {
    t = await startTestGateway(kind, { ...TOKEN_ENV, ACCESS_TOKEN_TTL_SECONDS: '120' });
    plain = await createTenant(t, { name: 'Plain' });
    secure = await createTenant(t, { twoFactor: true, name: 'Secure' });
    await enrol(t, secure.owner, secure.id); // an admin holding the second factor may reset and revoke
  });
  afterAll(() => t?.close());

  const mint = async (agent: TestAgent, tenantId: string, workspaceId?: string) =>
    (await agent.client.ok(MintAccessTokenDocument, { tenantId, workspaceId })).mintAccessToken.token;
  const isActive = async (token: string) => (await introspect(t.url, token)).body.active;

  /** An agent enrolled in `secure` and a member of `plain`, with a fresh session that passed secure's challenge. */
  async function passedAgent(): Promise<EnrolledAgent & { session: TestAgent }> {
    const enrolled = await enrolledAgent(t, secure, 'introspected');
    await addMember(plain, enrolled.agent);
    const session = await signInAgain(t, enrolled.agent);
    await passChallenge(t, session, enrolled.secret, { tenantId: secure.id });
    return { ...enrolled, session };
  }

  it('answers active with the claims for a live token', async () => {
    const { session } = await passedAgent();
    const token = await mint(session, secure.id, secure.secureWorkspaceId);
    const { status, body } = await introspect(t.url, token);
    expect(status).toBe(200);
    expect(body).toEqual({ active: true, ...payloadOf(token) });
    expect(body).toMatchObject({ acr: 'aal2', wid: secure.secureWorkspaceId });
  });

  // Threat: a service that must act on a revocation at once keeps honouring a token until it expires.
  it('answers inactive once the session has signed out, or was signed out from another session', async () => {
    const { session, agent } = await passedAgent();
    const token = await mint(session, secure.id);
    expect(await isActive(token)).toBe(true);
    await session.client.ok(SignOutDocument);
    expect(await isActive(token)).toBe(false);

    const other = await signInAgain(t, agent);
    const otherToken = await mint(other, plain.id);
    const { me } = await agent.client.ok(MySessionsDocument);
    await agent.client.ok(SignOutSessionDocument, { sessionId: me!.sessions.find((s) => !s.current && payloadOf(otherToken).sid === s.id)!.id });
    expect(await isActive(otherToken)).toBe(false);
  });

  it('answers inactive for an aal2 token once revokeAgentSessions took the standing, and keeps the aal1 token of another tenant', async () => {
    const { session, agent, secret } = await passedAgent();
    const aal2 = await mint(session, secure.id);
    const elsewhere = await mint(session, plain.id);
    expect(payloadOf(elsewhere).acr).toBe('aal1');
    await secure.owner.client.ok(RevokeAgentSessionsDocument, { tenantId: secure.id, agentId: agent.id });
    expect(await isActive(aal2)).toBe(false);
    expect(await isActive(elsewhere)).toBe(true);
    // Passing again makes new tokens active; the revoked standing's tokens stay inactive.
    await passChallenge(t, session, secret, { tenantId: secure.id });
    expect(await isActive(await mint(session, secure.id))).toBe(true);
    expect(await isActive(aal2)).toBe(false);
  });

  it('answers inactive for an aal2 token once resetAgentTwoFactor ended the standing', async () => {
    const { session, agent } = await passedAgent();
    const token = await mint(session, secure.id);
    await secure.owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: secure.id, agentId: agent.id });
    expect(await isActive(token)).toBe(false);
  });

  it('answers inactive for an expired token', async () => {
    const member = await signUp(t, 'expiring');
    await addMember(plain, member);
    const token = await mint(member, plain.id);
    t.clock.advance(119_000);
    expect(await isActive(token)).toBe(true);
    t.clock.advance(1_000);
    expect(await isActive(token)).toBe(false);
  });

  // Threat: a forged token (changed claims, alg confusion, alg none, a key of the attacker's) accepted as the gateway's.
  it('answers inactive for forged tokens: a changed claim, HS256 keyed with the public key, alg none, another key under a known kid', async () => {
    const { session } = await passedAgent();
    const token = await mint(session, secure.id);
    expect(await isActive(token)).toBe(true);
    const attacker = await generateKeyPair('ES256');
    const foreign = await new SignJWT(payloadOf(token)).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: kidOf(token) }).sign(attacker.privateKey);
    const forgeries = {
      tampered: tampered(token, { tid: plain.id }),
      hs256: await hs256WithPublicKey(t.url, token),
      none: unsigned(token),
      foreign,
      garbage: 'not.a.token',
    };
    for (const [name, forged] of Object.entries(forgeries)) {
      expect(await introspect(t.url, forged), name).toEqual({ status: 200, body: { active: false } });
    }
  });

  it('answers 401 without its secret, and 400 to a request that is not a form with a token', async () => {
    const token = await mint(plain.owner, plain.id);
    for (const secret of [null, 'wrong-secret-of-the-same-size!!!!', `${INTROSPECTION_TOKEN}x`]) {
      const response = await fetch(`${t.url}/oauth/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
        body: new URLSearchParams({ token }).toString(),
      });
      expect(response.status, String(secret)).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
    const asJson = await fetch(`${t.url}/oauth/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${INTROSPECTION_TOKEN}` },
      body: JSON.stringify({ token }),
    });
    expect(asJson.status).toBe(400);
    expect(await asJson.json()).toMatchObject({ error: 'invalid_request' });
    expect((await introspect(t.url, '')).status).toBe(400);
    const get = await fetch(`${t.url}/oauth/introspect`, { headers: { authorization: `Bearer ${INTROSPECTION_TOKEN}` } });
    expect(get.status).toBe(405);
  });
});

describe.each(databaseKinds)('token introspection and the session lifetime on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind, { ...TOKEN_ENV, SESSION_TTL_HOURS: '1' });
  });
  afterAll(() => t?.close());

  it('answers inactive once the session has expired, even while the token has not', async () => {
    const tenant = await createTenant(t, { name: 'Short sessions' });
    t.clock.advance(3600_000 - 60_000);
    const token = (await tenant.owner.client.ok(MintAccessTokenDocument, { tenantId: tenant.id })).mintAccessToken.token;
    expect((await introspect(t.url, token)).body.active).toBe(true);
    t.clock.advance(60_000);
    expect(payloadOf(token).exp! * 1000).toBeGreaterThan(t.clock.epochMs);
    expect((await introspect(t.url, token)).body).toEqual({ active: false });
  });
});

describe.each(databaseKinds)('token introspection without INTROSPECTION_TOKEN on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it('is off (404), whatever the request carries', async () => {
    for (const secret of [null, INTROSPECTION_TOKEN]) expect((await introspect(t.url, 'x', secret)).status).toBe(404);
  });
});

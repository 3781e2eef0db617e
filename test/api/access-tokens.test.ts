import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddTenantMemberDocument,
  EnterTenantDocument,
  EnterTenantWithTokenDocument,
  EnterWorkspaceWithTokenDocument,
  MintAccessTokenDocument,
  SignOutDocument,
  UseRecoveryCodeWithTokenDocument,
  VerifyPasskeyWithTokenDocument,
  VerifyTwoFactorWithTokenDocument,
} from '../../src/client/generated/graphql';
import { expectRefused } from '../helpers/access';
import { DEFAULT_AUDIENCE, jwksKids, kidOf, TOKEN_ENV, verifyWithJwks } from '../helpers/access-tokens';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, currentCode, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { addPasskey, assertion, PASSKEY_ENV, TEST_ORIGIN } from '../helpers/passkeys';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';
import { enrolledAgent, openChallenge, signInAgain } from '../helpers/two-factor';

const CLAIM_NAMES = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'sid', 'tid', 'role', 'email', 'amr', 'acr'];
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

describe.each(databaseKinds)('access tokens on %s', (kind) => {
  let t: TestGateway;
  /** Tenant 2FA off. */
  let plain: TestTenant;
  /** Tenant 2FA on, the first workspace requiring it. */
  let secure: TestTenant;
  beforeAll(async () => {
    t = await startTestGateway(kind, { ...TOKEN_ENV, ...PASSKEY_ENV, ACCESS_TOKEN_TTL_SECONDS: '120' });
    plain = await createTenant(t, { name: 'Plain' });
    secure = await createTenant(t, { twoFactor: true, name: 'Secure' });
  });
  afterAll(() => t?.close());

  /** Mints through the API and verifies with the JWKS fetched over HTTP; answers the verified claims. */
  async function mintAndVerify(agent: TestAgent, tenantId: string, workspaceId?: string, audience?: string) {
    const { mintAccessToken } = await agent.client.ok(MintAccessTokenDocument, { tenantId, workspaceId, audience });
    const { payload, protectedHeader } = await verifyWithJwks(t, mintAccessToken.token, audience ?? DEFAULT_AUDIENCE);
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    expect(payload).toEqual(mintAccessToken.claims);
    expect(new Date(mintAccessToken.expiresAt).getTime()).toBe(payload.exp! * 1000);
    return payload;
  }

  it('signs exactly the claims RULES lists, verifiable with the published keys, for at most the configured lifetime', async () => {
    const member = await signUp(t, 'member');
    await addMember(plain, member);
    const mintedAt = seconds(t.clock.now());
    const claims = await mintAndVerify(member, plain.id);
    expect(Object.keys(claims).sort()).toEqual([...CLAIM_NAMES].sort());
    expect(claims).toEqual({
      iss: t.gateway.services.publicUrl.base,
      sub: member.id,
      aud: DEFAULT_AUDIENCE,
      iat: mintedAt,
      exp: mintedAt + 120,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sid: expect.any(String),
      tid: plain.id,
      role: 'AGENT',
      email: member.email,
      amr: ['pwd'],
      acr: 'aal1',
    });
    expect(await jwksKids(t.url)).toContain(kidOf((await member.client.ok(MintAccessTokenDocument, { tenantId: plain.id })).mintAccessToken.token));

    const inWorkspace = await mintAndVerify(member, plain.id, plain.openWorkspaceId);
    expect(inWorkspace).toMatchObject({ tid: plain.id, wid: plain.openWorkspaceId });
    expect(inWorkspace.jti).not.toBe(claims.jti);

    // Lifetime: valid up to its exp, refused from then on (the verifier runs at the test clock).
    const { mintAccessToken } = await member.client.ok(MintAccessTokenDocument, { tenantId: plain.id });
    t.clock.advance(119_000);
    await expect(verifyWithJwks(t, mintAccessToken.token)).resolves.toBeDefined();
    t.clock.advance(1_000);
    await expect(verifyWithJwks(t, mintAccessToken.token)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  it('takes aud from TOKEN_AUDIENCES: the first by default, another listed one on request, an unlisted one is BAD_USER_INPUT', async () => {
    const { owner } = plain;
    expect((await mintAndVerify(owner, plain.id)).aud).toBe(DEFAULT_AUDIENCE);
    expect((await mintAndVerify(owner, plain.id, undefined, 'https://billing.test')).aud).toBe('https://billing.test');
    const error = await expectRefused(t, 'BAD_USER_INPUT', () => owner.client.fails(MintAccessTokenDocument, { tenantId: plain.id, audience: 'https://evil.test' }));
    expect(error.extensions).toMatchObject({ field: 'audience' });
  });

  it('says aal1 in a tenant without 2FA, and in a 2FA tenant for a session that needs no second factor there', async () => {
    expect(await mintAndVerify(plain.owner, plain.id)).toMatchObject({ role: 'OWNER', amr: ['pwd'], acr: 'aal1' });
    const newcomer = await signUp(t, 'newcomer');
    await addMember(secure, newcomer);
    const claims = await mintAndVerify(newcomer, secure.id, secure.openWorkspaceId);
    expect(claims).toMatchObject({ acr: 'aal1', amr: ['pwd'], wid: secure.openWorkspaceId });
    expect(claims).not.toHaveProperty('second_factor_at');
  });

  it('says aal2 with otp after a TOTP pass, and when the second factor was TOTP enrolment itself', async () => {
    const enrolled = await enrolledAgent(t, secure, 'totp');
    // The enrolling session holds the tenant's second factor: its token says which factor.
    expect(await mintAndVerify(enrolled.agent, secure.id, secure.secureWorkspaceId)).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: 'aal2' });

    const session = await signInAgain(t, enrolled.agent);
    const challengeId = await openChallenge(session, secure.secureWorkspaceId);
    const passedAt = seconds(t.clock.now());
    const { verifyTwoFactor } = await session.client.ok(VerifyTwoFactorWithTokenDocument, { challengeId, code: currentCode(t, enrolled.secret) });
    t.clock.advance(30_000);
    // The answer's Access carries the token, for the workspace the challenge began in.
    const { payload } = await verifyWithJwks(t, verifyTwoFactor.accessToken!.token);
    expect(payload).toMatchObject({ wid: secure.secureWorkspaceId, amr: ['pwd', 'otp', 'mfa'], acr: 'aal2', second_factor_at: passedAt });
    expect(await mintAndVerify(session, secure.id)).toMatchObject({ acr: 'aal2', second_factor_at: passedAt });
  });

  it('reports the standing a pass made earlier in the same document (the gate judges the standing it reports)', async () => {
    const enrolled = await enrolledAgent(t, secure, 'one-document');
    const session = await signInAgain(t, enrolled.agent);
    const challengeId = (await session.client.ok(EnterTenantDocument, { tenantId: secure.id })).enterTenant.challenge!.id;
    // Entering the tenant again hands back the same challenge, and leaves the request's gate facts without a standing.
    const { data, errors } = await session.client.raw<{ enterTenant: { challenge: { id: string } }; verifyTwoFactor: { accessToken: { claims: Record<string, unknown> } } }>({
      query: `mutation($tenantId: ID!, $challengeId: ID!, $code: String!) {
        enterTenant(tenantId: $tenantId) { challenge { id } }
        verifyTwoFactor(challengeId: $challengeId, code: $code) { status accessToken { claims } }
      }`,
      variables: { tenantId: secure.id, challengeId, code: currentCode(t, enrolled.secret) },
    });
    t.clock.advance(30_000);
    expect(errors).toBeUndefined();
    expect(data!.enterTenant.challenge.id).toBe(challengeId);
    expect(data!.verifyTwoFactor.accessToken.claims).toMatchObject({ tid: secure.id, acr: 'aal2', amr: ['pwd', 'otp', 'mfa'] });
  });

  it('says otp after a recovery code', async () => {
    const enrolled = await enrolledAgent(t, secure, 'recovery');
    const session = await signInAgain(t, enrolled.agent);
    const challengeId = await openChallenge(session, secure.secureWorkspaceId);
    const { useRecoveryCode } = await session.client.ok(UseRecoveryCodeWithTokenDocument, { challengeId, code: enrolled.recoveryCodes[0] });
    expect((await verifyWithJwks(t, useRecoveryCode.accessToken!.token)).payload).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: 'aal2' });
  });

  it('says hwk after a passkey, and when the second factor was a passkey registration itself', async () => {
    const agent = await signUp(t, 'passkey');
    await addMember(secure, agent);
    const authenticator = new SoftwareAuthenticator(TEST_ORIGIN);
    await addPasskey(agent, secure.id, authenticator);
    expect(await mintAndVerify(agent, secure.id)).toMatchObject({ amr: ['pwd', 'hwk', 'mfa'], acr: 'aal2' });

    const session = await signInAgain(t, agent);
    const challengeId = await openChallenge(session, secure.secureWorkspaceId);
    const credential = await assertion(session, challengeId, authenticator);
    const { verifyPasskey } = await session.client.ok(VerifyPasskeyWithTokenDocument, { challengeId, credential });
    expect((await verifyWithJwks(t, verifyPasskey.accessToken!.token)).payload).toMatchObject({ amr: ['pwd', 'hwk', 'mfa'], acr: 'aal2', wid: secure.secureWorkspaceId });
  });

  it('hands a token with every GRANTED access, and none with a challenge or a set-up', async () => {
    const enrolled = await enrolledAgent(t, secure, 'access');
    const { enterTenant } = await enrolled.agent.client.ok(EnterTenantWithTokenDocument, { tenantId: secure.id });
    expect(enterTenant.status).toBe('GRANTED');
    expect((await verifyWithJwks(t, enterTenant.accessToken!.token)).payload).toMatchObject({ tid: secure.id, acr: 'aal2' });
    expect((await verifyWithJwks(t, enterTenant.accessToken!.token)).payload).not.toHaveProperty('wid');

    const session = await signInAgain(t, enrolled.agent);
    const { enterWorkspace } = await session.client.ok(EnterWorkspaceWithTokenDocument, { workspaceId: secure.openWorkspaceId });
    expect(enterWorkspace).toMatchObject({ status: 'TWO_FACTOR_CHALLENGE_REQUIRED', accessToken: null });
    const { enterWorkspace: setUp } = await secure.owner.client.ok(EnterWorkspaceWithTokenDocument, { workspaceId: secure.secureWorkspaceId });
    expect(setUp).toMatchObject({ status: 'TWO_FACTOR_SETUP_REQUIRED', accessToken: null });
  });

  // Threat: a token as a way around the gate, handed out where the session could not enter, or used to probe other tenants.
  it('mints nothing where entering would not be GRANTED now, and opens no challenge on the way', async () => {
    const enrolled = await enrolledAgent(t, secure, 'gated');
    const session = await signInAgain(t, enrolled.agent);
    for (const place of [{ tenantId: secure.id }, { tenantId: secure.id, workspaceId: secure.secureWorkspaceId }, { tenantId: secure.id, workspaceId: secure.openWorkspaceId }]) {
      await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => session.client.fails(MintAccessTokenDocument, place));
    }
    // Not enrolled where a workspace requires it: enrol first.
    await expectRefused(t, 'TWO_FACTOR_ENROLMENT_REQUIRED', () => secure.owner.client.fails(MintAccessTokenDocument, { tenantId: secure.id, workspaceId: secure.secureWorkspaceId }));
    // Another tenant, a workspace of another tenant, a workspace the AGENT was not added to: NOT_FOUND alike.
    await expectRefused(t, 'NOT_FOUND', () => session.client.fails(MintAccessTokenDocument, { tenantId: plain.id }));
    await expectRefused(t, 'NOT_FOUND', () => plain.owner.client.fails(MintAccessTokenDocument, { tenantId: plain.id, workspaceId: secure.openWorkspaceId }));
    const bystander = await signUp(t, 'bystander');
    await plain.owner.client.ok(AddTenantMemberDocument, { tenantId: plain.id, email: bystander.email, role: 'AGENT' });
    await expectRefused(t, 'NOT_FOUND', () => bystander.client.fails(MintAccessTokenDocument, { tenantId: plain.id, workspaceId: plain.openWorkspaceId }));
    expect(await mintAndVerify(bystander, plain.id)).toMatchObject({ role: 'AGENT' });
  });

  it('mints nothing after sign-out', async () => {
    const member = await signUp(t, 'leaving');
    await addMember(plain, member);
    await mintAndVerify(member, plain.id);
    await member.client.ok(SignOutDocument);
    await expectRefused(t, 'UNAUTHENTICATED', () => member.client.fails(MintAccessTokenDocument, { tenantId: plain.id }));
    await expectRefused(t, 'UNAUTHENTICATED', () => t.client.fails(MintAccessTokenDocument, { tenantId: plain.id }));
  });
});

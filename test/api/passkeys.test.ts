import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { SecretBox } from '../../src/crypto/secret-box';
import { rotateSecretsToCurrentKey } from '../../src/two-factor/key-rotation';
import {
  BeginPasskeyAssertionDocument,
  BeginPasskeyRegistrationDocument,
  BeginTotpEnrolmentDocument,
  ConfirmTotpEnrolmentDocument,
  DisableTwoFactorDocument,
  EnterTenantDocument,
  EnterWorkspaceDocument,
  FinishPasskeyRegistrationDocument,
  MyFactorsDocument,
  RemovePasskeyDocument,
  RemoveTotpAuthenticatorDocument,
  RenamePasskeyDocument,
  ResetAgentTwoFactorDocument,
  SetTenantTwoFactorPolicyDocument,
  SetWorkspaceTwoFactorDocument,
  TenantAgentFactorsDocument,
  TenantAgentsFactorsDocument,
  VerifyPasskeyDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { expectRefused } from '../helpers/access';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, currentCode, enrol, signUp, TestAgent, TestTenant, wrongCode } from '../helpers/fixtures';
import { startTestGateway, TEST_ENCRYPTION_KEYS, TestGateway } from '../helpers/gateway';
import { addPasskey, answerWithPasskey, assertion, PASSKEY_ENV, TEST_ORIGIN } from '../helpers/passkeys';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';
import { auditActions, challengedSession, openChallenge, twoTenants } from '../helpers/two-factor';
import { totpCode } from '../helpers/totp';

const LOCKOUT_SECONDS = 15 * 60;

describe.each(databaseKinds)('passkeys as a second factor on %s', (kind) => {
  let t: TestGateway;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    t = await startTestGateway(kind, PASSKEY_ENV);
    [a, b] = await twoTenants(t);
  });
  afterAll(() => t?.close());

  /** A member of tenant A (and B) with only a passkey in A. */
  async function passkeyAgent(options: { counting?: boolean; synced?: boolean } = {}) {
    const agent = await signUp(t);
    await addMember(a, agent);
    await addMember(b, agent);
    const authenticator = new SoftwareAuthenticator(TEST_ORIGIN, options);
    const added = await addPasskey(agent, a.id, authenticator);
    return { agent, authenticator, added };
  }

  async function methodAudit(tenantId: string, agentId: string): Promise<Array<{ action: string; method: string | null }>> {
    return t.gateway.db.manager.query('SELECT action, method FROM audit_events WHERE tenant_id = ? AND subject_agent_id = ? ORDER BY id', [tenantId, agentId]);
  }

  describe('registration', () => {
    it('offers creation options for the pair: issuer as RP name, an opaque stable user handle, its passkeys excluded', async () => {
      const agent = await signUp(t);
      await addMember(a, agent);
      const first = (await agent.client.ok(BeginPasskeyRegistrationDocument, { tenantId: a.id, password: agent.password })).beginPasskeyRegistration;
      const options = first.options as Record<string, any>;
      expect(options.rp).toEqual({ name: 'Tenant A', id: 'localhost' });
      expect(options.user.id).not.toContain(agent.email);
      expect(Buffer.from(options.user.id, 'base64url').toString()).not.toContain(agent.email);
      expect(options.user.name).toBe(agent.email);
      expect(options.attestation).toBe('none');
      expect(options.authenticatorSelection).toMatchObject({ residentKey: 'preferred', userVerification: 'preferred' });
      expect(options.excludeCredentials).toEqual([]);
      expect(new Date(first.expiresAt).getTime() - t.clock.epochMs).toBe(5 * 60_000);

      const authenticator = new SoftwareAuthenticator(TEST_ORIGIN);
      const credential = authenticator.register(options);
      await agent.client.ok(FinishPasskeyRegistrationDocument, { tenantId: a.id, name: 'Laptop', credential });
      const again = (await agent.client.ok(BeginPasskeyRegistrationDocument, { tenantId: a.id, password: agent.password })).beginPasskeyRegistration.options as Record<string, any>;
      expect(again.user.id).toBe(options.user.id);
      expect(again.challenge).not.toBe(options.challenge);
      expect(again.excludeCredentials).toEqual([{ id: credential.id, type: 'public-key', transports: ['internal'] }]);
    });

    it('the first passkey turns 2FA on and issues recovery codes; a second one and TOTP afterwards issue none', async () => {
      const { agent, authenticator, added } = await passkeyAgent({ synced: true });
      expect(added.recoveryCodes).toHaveLength(8);
      expect(added.passkey).toMatchObject({ name: 'Laptop', lastUsedAt: null, backedUp: true });
      expect(added.status).toMatchObject({ state: 'ENABLED', enabled: true, totpEnabled: false, methods: ['PASSKEY', 'RECOVERY_CODE'], recoveryCodesRemaining: 8 });

      const second = await addPasskey(agent, a.id, new SoftwareAuthenticator(TEST_ORIGIN), 'Phone');
      expect(second.recoveryCodes).toEqual([]);
      expect(second.passkey.backedUp).toBe(false);
      expect(second.status.passkeys.map((p) => p.name)).toEqual(['Laptop', 'Phone']);

      const { beginTotpEnrolment } = await agent.client.ok(BeginTotpEnrolmentDocument, { tenantId: a.id, password: agent.password });
      const { confirmTotpEnrolment } = await agent.client.ok(ConfirmTotpEnrolmentDocument, { tenantId: a.id, code: totpCode(beginTotpEnrolment.secret, t.clock.epochMs) });
      t.clock.advance(30_000);
      expect(confirmTotpEnrolment.codes).toEqual([]);
      expect(confirmTotpEnrolment.status).toMatchObject({ methods: ['TOTP', 'PASSKEY', 'RECOVERY_CODE'], recoveryCodesRemaining: 8 });
      expect(authenticator).toBeDefined();

      const actions = await methodAudit(a.id, agent.id);
      expect(actions.filter((e) => e.action !== 'MEMBER_ADDED' && e.action !== 'WORKSPACE_MEMBER_ADDED')).toEqual([
        { action: 'TWO_FACTOR_ENABLED', method: null },
        { action: 'PASSKEY_ADDED', method: 'PASSKEY' },
        { action: 'PASSKEY_ADDED', method: 'PASSKEY' },
        { action: 'TWO_FACTOR_ENROLMENT_STARTED', method: null },
        { action: 'TOTP_ADDED', method: 'TOTP' }, // an authenticator app beside passkeys
      ]);
    });

    it('refuses an attestation from another origin, for another RP id, for a spent or expired challenge, or of a credential already registered', async () => {
      const agent = await signUp(t);
      await addMember(a, agent);
      const authenticator = new SoftwareAuthenticator(TEST_ORIGIN);
      const begin = async () => (await agent.client.ok(BeginPasskeyRegistrationDocument, { tenantId: a.id, password: agent.password })).beginPasskeyRegistration.options;
      const finish = (credential: Record<string, unknown>) => () => agent.client.fails(FinishPasskeyRegistrationDocument, { tenantId: a.id, name: 'Key', credential });

      const options = await begin();
      await expectRefused(t, 'PASSKEY_REJECTED', finish(authenticator.register(options, { origin: 'https://evil.example' })));
      await expectRefused(t, 'PASSKEY_REJECTED', finish(authenticator.register(options, { rpId: 'evil.example' })));
      await expectRefused(t, 'PASSKEY_REJECTED', finish(authenticator.register(options, { challenge: Buffer.from('made up').toString('base64url') })));
      const good = authenticator.register(options);
      await agent.client.ok(FinishPasskeyRegistrationDocument, { tenantId: a.id, name: 'Key', credential: good });
      await expectRefused(t, 'PASSKEY_REJECTED', finish(good)); // the same response again: its challenge is spent
      await expectRefused(t, 'PASSKEY_REJECTED', finish(authenticator.register(options))); // a fresh key, the spent challenge

      // The same credential again, in another tenant: refused (credential ids are unique across tenants).
      await addMember(b, agent);
      const inB = (await agent.client.ok(BeginPasskeyRegistrationDocument, { tenantId: b.id, password: agent.password })).beginPasskeyRegistration.options;
      const again = authenticator.register(inB, { reuseCredentialId: good.id as string });
      const taken = await expectRefused(t, 'PASSKEY_REJECTED', () => agent.client.fails(FinishPasskeyRegistrationDocument, { tenantId: b.id, name: 'Key', credential: again }));
      expect(taken.extensions).toMatchObject({ reason: 'ALREADY_REGISTERED' });

      const late = await begin();
      t.clock.advance(5 * 60_000 + 1);
      await expectRefused(t, 'PASSKEY_REJECTED', finish(authenticator.register(late)));
    });

    it('re-checks the password after the state, needs tenant 2FA on, and the challenge passed once the pair is enabled', async () => {
      const noTwoFactor = await createTenant(t);
      const outsider = noTwoFactor.owner;
      await expectRefused(t, 'TENANT_TWO_FACTOR_DISABLED', () => outsider.client.fails(BeginPasskeyRegistrationDocument, { tenantId: noTwoFactor.id, password: 'wrong password!' }));
      const agent = await signUp(t);
      await addMember(a, agent);
      const wrong = await agent.client.fails(BeginPasskeyRegistrationDocument, { tenantId: a.id, password: 'not the password' });
      expect(wrong.code).toBe('INVALID_PASSWORD');
      expect(await auditActions(t, a.id, agent.id)).toContain('REAUTH_FAILED');

      const { agent: enabled } = await passkeyAgent();
      const { session } = await challengedSession(t, enabled, a.secureWorkspaceId);
      await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => session.client.fails(BeginPasskeyRegistrationDocument, { tenantId: a.id, password: enabled.password }));
    });
  });

  describe('answering a challenge', () => {
    it('lists PASSKEY, allows only the pair passkeys, passes, and records the use', async () => {
      const { agent, authenticator, added } = await passkeyAgent();
      await enrol(t, agent, b.id);
      // A passkey after TOTP: a later factor, no new codes.
      expect((await addPasskey(agent, b.id, new SoftwareAuthenticator(TEST_ORIGIN), 'In B')).recoveryCodes).toEqual([]);
      const { session, challengeId } = await challengedSession(t, agent, a.secureWorkspaceId);
      const { enterWorkspace } = await session.client.ok(EnterWorkspaceDocument, { workspaceId: a.secureWorkspaceId });
      expect(enterWorkspace.challenge!.methods).toEqual(['PASSKEY', 'RECOVERY_CODE']);

      const { beginPasskeyAssertion } = await session.client.ok(BeginPasskeyAssertionDocument, { challengeId });
      const options = beginPasskeyAssertion.options as Record<string, any>;
      expect(options.allowCredentials.map((c: { id: string }) => c.id)).toEqual([added.credentialId]);
      expect(options.rpId).toBe('localhost');
      expect(options.userVerification).toBe('preferred');

      const { verifyPasskey } = await session.client.ok(VerifyPasskeyDocument, { challengeId, credential: authenticator.assert(options) });
      expect(verifyPasskey.status).toBe('GRANTED');
      expect(verifyPasskey.workspace?.id).toBe(a.secureWorkspaceId);
      const after = (await session.client.ok(MyFactorsDocument, { tenantId: a.id })).me!.twoFactor.passkeys[0];
      expect(after.lastUsedAt).toBe(new Date(t.clock.epochMs).toISOString());
      expect((await methodAudit(a.id, agent.id)).at(-1)).toEqual({ action: 'CHALLENGE_PASSED', method: 'PASSKEY' });
    });

    it('rejects a wrong origin, a wrong RP id, a bad signature and another tenant credential, each spending an attempt', async () => {
      const { agent, authenticator, added } = await passkeyAgent();
      const inB = await addPasskey(agent, b.id, authenticator, 'In B');
      expect(inB.credentialId).not.toBe(added.credentialId);
      const { session, challengeId } = await challengedSession(t, agent, a.secureWorkspaceId);
      const switches = [{ origin: 'https://evil.example' }, { rpId: 'evil.example' }, { badSignature: true }, { credentialId: inB.credentialId }];
      for (const [i, s] of switches.entries()) {
        const result = await answerWithPasskey(session, challengeId, authenticator, s);
        expect(result.errors?.[0].extensions, JSON.stringify(s)).toEqual({ code: 'PASSKEY_REJECTED', attemptsRemaining: 4 - i });
      }
      const failed = (await methodAudit(a.id, agent.id)).filter((e) => e.action === 'CHALLENGE_FAILED');
      expect(failed).toEqual(switches.map(() => ({ action: 'CHALLENGE_FAILED', method: 'PASSKEY' })));
      const right = await answerWithPasskey(session, challengeId, authenticator);
      expect(right.data?.verifyPasskey.status).toBe('GRANTED');
    });

    it('rejects a replayed assertion, one made for another challenge, and a counter that does not grow (audited)', async () => {
      const { agent, authenticator } = await passkeyAgent({ counting: true });
      const first = await challengedSession(t, agent, a.secureWorkspaceId);
      const used = await assertion(first.session, first.challengeId, authenticator);
      expect((await first.session.client.ok(VerifyPasskeyDocument, { challengeId: first.challengeId, credential: used })).verifyPasskey.status).toBe('GRANTED');
      expect((await first.session.client.fails(VerifyPasskeyDocument, { challengeId: first.challengeId, credential: used })).code).toBe('CHALLENGE_INVALIDATED');

      const second = await challengedSession(t, agent, a.secureWorkspaceId);
      const replay = await second.session.client.fails(VerifyPasskeyDocument, { challengeId: second.challengeId, credential: used });
      expect(replay.extensions).toEqual({ code: 'PASSKEY_REJECTED', attemptsRemaining: 4 });

      const third = await challengedSession(t, agent, a.secureWorkspaceId);
      const forThird = await assertion(third.session, third.challengeId, authenticator);
      const crossed = await second.session.client.fails(VerifyPasskeyDocument, { challengeId: second.challengeId, credential: forThird });
      expect(crossed.extensions).toEqual({ code: 'PASSKEY_REJECTED', attemptsRemaining: 3 });

      const stale = await answerWithPasskey(second.session, second.challengeId, authenticator, { counter: 1 });
      expect(stale.errors?.[0].extensions).toEqual({ code: 'PASSKEY_REJECTED', attemptsRemaining: 2 });
      expect(await auditActions(t, a.id, agent.id)).toContain('PASSKEY_COUNTER_STALE');
      // Written inside the factor's claim: it still records the answering request's address.
      const [staleEvent] = await t.gateway.db.manager.query(
        "SELECT client_ip FROM audit_events WHERE tenant_id = ? AND subject_agent_id = ? AND action = 'PASSKEY_COUNTER_STALE'",
        [a.id, agent.id],
      );
      expect(staleEvent.client_ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
      const grown = await answerWithPasskey(second.session, second.challengeId, authenticator);
      expect(grown.data?.verifyPasskey.status).toBe('GRANTED');
    });

    // A second proof of the single-use ceremony (beside the replays above): spent by a rejected answer too, in any process.
    it("spends an assertion's ceremony whatever the verdict: the same options signed again are refused, through another process too", async () => {
      const { agent, authenticator } = await passkeyAgent();
      const { session, challengeId } = await challengedSession(t, agent, a.secureWorkspaceId);
      const { beginPasskeyAssertion } = await session.client.ok(BeginPasskeyAssertionDocument, { challengeId });
      const wrongOrigin = authenticator.assert(beginPasskeyAssertion.options, { origin: 'https://evil.example' });
      expect((await session.client.fails(VerifyPasskeyDocument, { challengeId, credential: wrongOrigin })).extensions).toEqual({ code: 'PASSKEY_REJECTED', attemptsRemaining: 4 });

      const peer = await t.startPeer();
      try {
        const signedAgain = authenticator.assert(beginPasskeyAssertion.options);
        const refused = await peer.client.withToken(session.token).fails(VerifyPasskeyDocument, { challengeId, credential: signedAgain });
        expect(refused.extensions).toEqual({ code: 'PASSKEY_REJECTED', attemptsRemaining: 3 });
      } finally {
        await peer.close();
      }
      expect((await answerWithPasskey(session, challengeId, authenticator)).data?.verifyPasskey.status).toBe('GRANTED');
    });

    it('counts rejected assertions toward the 10-failure lock of the pair, with wrong codes alike', async () => {
      const { agent, authenticator } = await passkeyAgent();
      const { secret } = await enrolTotpBeside(agent);
      const first = await challengedSession(t, agent, a.secureWorkspaceId);
      for (let i = 0; i < 5; i++) {
        const result = await answerWithPasskey(first.session, first.challengeId, authenticator, { origin: 'https://evil.example' });
        expect(result.errors?.[0].extensions).toMatchObject({ code: 'PASSKEY_REJECTED', attemptsRemaining: 4 - i });
      }
      const second = await openChallenge(first.session, a.secureWorkspaceId);
      for (let i = 0; i < 4; i++) {
        const error = await first.session.client.fails(VerifyTwoFactorDocument, { challengeId: second, code: wrongCode(t, secret) });
        expect(error.extensions).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE', attemptsRemaining: 4 - i });
      }
      const other = await challengedSession(t, agent, a.secureWorkspaceId);
      const tenth = await answerWithPasskey(first.session, second, authenticator, { badSignature: true });
      expect(tenth.errors?.[0].extensions).toEqual({ code: 'PASSKEY_REJECTED', attemptsRemaining: 0, retryAfterSeconds: LOCKOUT_SECONDS });
      const locked = await other.session.client.fails(BeginPasskeyAssertionDocument, { challengeId: other.challengeId });
      expect(locked.code).toBe('RATE_LIMITED');
      t.clock.advance(LOCKOUT_SECONDS * 1000);
      const fresh = await openChallenge(other.session, a.secureWorkspaceId);
      const afterLock = await answerWithPasskey(other.session, fresh, authenticator);
      expect(afterLock.data?.verifyPasskey.status).toBe('GRANTED');
    });

    it('answers an assertion that is not one as bad input, spending nothing', async () => {
      const { agent } = await passkeyAgent();
      const { session, challengeId } = await challengedSession(t, agent, a.secureWorkspaceId);
      for (const credential of [{}, { id: 'x' }, { id: 5, response: {} }, { id: 'x', response: 'nope' }]) {
        const error = await expectRefused(t, 'BAD_USER_INPUT', () => session.client.fails(VerifyPasskeyDocument, { challengeId, credential }));
        expect(error.extensions).toMatchObject({ field: 'credential' });
      }
      const made = await session.client.fails(VerifyPasskeyDocument, { challengeId, credential: { id: 'made-up', response: { clientDataJSON: 'e30' } } });
      expect(made.extensions).toEqual({ code: 'PASSKEY_REJECTED', attemptsRemaining: 4 });
      const other = await signUp(t);
      await addMember(a, other);
      await expectRefused(t, 'NOT_FOUND', () => other.client.fails(BeginPasskeyAssertionDocument, { challengeId }));
    });

    it('lets exactly one of two gateway processes pass one assertion', async () => {
      const { agent, authenticator } = await passkeyAgent();
      const peer = await t.startPeer();
      for (let round = 0; round < 3; round++) {
        const { session, challengeId } = await challengedSession(t, agent, a.secureWorkspaceId);
        const credential = await assertion(session, challengeId, authenticator);
        const results = await Promise.all([session.client, peer.client.withToken(session.token)].map((c) => c.request(VerifyPasskeyDocument, { challengeId, credential })));
        expect(results.filter((r) => r.data?.verifyPasskey.status === 'GRANTED')).toHaveLength(1);
        const loser = results.find((r) => r.errors)!;
        expect(['CHALLENGE_INVALIDATED', 'PASSKEY_REJECTED']).toContain(loser.errors![0].extensions?.code);
      }
    });

    it('finishes on one gateway process a registration begun on another', async () => {
      const agent = await signUp(t);
      await addMember(a, agent);
      const peer = await t.startPeer();
      const { beginPasskeyRegistration } = await peer.client.withToken(agent.token).ok(BeginPasskeyRegistrationDocument, { tenantId: a.id, password: agent.password });
      const credential = new SoftwareAuthenticator(TEST_ORIGIN).register(beginPasskeyRegistration.options);
      const { finishPasskeyRegistration } = await agent.client.ok(FinishPasskeyRegistrationDocument, { tenantId: a.id, name: 'Key', credential });
      expect(finishPasskeyRegistration.status.methods).toEqual(['PASSKEY', 'RECOVERY_CODE']);
      await peer.close();
    });

    it('lets an admin with a passkey only step up with it to weaken 2FA', async () => {
      const tenant = await createTenant(t, { twoFactor: true, name: 'Step-up' });
      const authenticator = new SoftwareAuthenticator(TEST_ORIGIN);
      await addPasskey(tenant.owner, tenant.id, authenticator);
      const { session, challengeId } = await challengedSession(t, tenant.owner, tenant.secureWorkspaceId);
      const early = await session.client.fails(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: false });
      expect(early.code).toBe('TWO_FACTOR_REQUIRED');
      expect((await answerWithPasskey(session, challengeId, authenticator)).data?.verifyPasskey.status).toBe('GRANTED');
      const { setWorkspaceTwoFactor } = await session.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: false });
      expect(setWorkspaceTwoFactor.twoFactorRequired).toBe(false);
    });

    it('treats a passkey-only pair as enrolled under a policy that requires 2FA', async () => {
      const tenant = await createTenant(t, { twoFactor: true, name: 'Strict' });
      const agent = await signUp(t);
      await addMember(tenant, agent);
      await tenant.owner.client.ok(EnterTenantDocument, { tenantId: tenant.id });
      await enrol(t, tenant.owner, tenant.id);
      await tenant.owner.client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'REQUIRED_FOR_EVERYONE' });
      expect((await agent.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant.status).toBe('TWO_FACTOR_SETUP_REQUIRED');
      const authenticator = new SoftwareAuthenticator(TEST_ORIGIN);
      await addPasskey(agent, tenant.id, authenticator);
      expect((await agent.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant.status).toBe('GRANTED');
      const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
      expect((await answerWithPasskey(session, challengeId, authenticator)).data?.verifyPasskey.status).toBe('GRANTED');
    });
  });

  /** Adds TOTP beside the agent's passkey in tenant A. */
  async function enrolTotpBeside(agent: TestAgent): Promise<{ secret: string }> {
    const { beginTotpEnrolment } = await agent.client.ok(BeginTotpEnrolmentDocument, { tenantId: a.id, password: agent.password });
    await agent.client.ok(ConfirmTotpEnrolmentDocument, { tenantId: a.id, code: totpCode(beginTotpEnrolment.secret, t.clock.epochMs) });
    t.clock.advance(30_000);
    return { secret: beginTotpEnrolment.secret };
  }

  describe('managing factors', () => {
    it('renames a passkey of the caller only', async () => {
      const { agent, added } = await passkeyAgent();
      const renamed = await agent.client.ok(RenamePasskeyDocument, { tenantId: a.id, passkeyId: added.passkey.id, name: 'Work laptop' });
      expect(renamed.renamePasskey.name).toBe('Work laptop');
      const other = await signUp(t);
      await addMember(a, other);
      await expectRefused(t, 'NOT_FOUND', () => other.client.fails(RenamePasskeyDocument, { tenantId: a.id, passkeyId: added.passkey.id, name: 'Mine' }));
      await expectRefused(t, 'BAD_USER_INPUT', () => agent.client.fails(RenamePasskeyDocument, { tenantId: a.id, passkeyId: added.passkey.id, name: 'x'.repeat(65) }));
    });

    it('refuses to remove the last factor, re-checks the password, and removes TOTP beside passkeys', async () => {
      const { agent, added } = await passkeyAgent();
      await expectRefused(t, 'LAST_FACTOR', () => agent.client.fails(RemovePasskeyDocument, { tenantId: a.id, passkeyId: added.passkey.id, password: 'wrong password!' }));
      await expectRefused(t, 'TWO_FACTOR_NOT_ENABLED', () => agent.client.fails(RemoveTotpAuthenticatorDocument, { tenantId: a.id, password: agent.password }));
      const { secret } = await enrolTotpBeside(agent);

      expect((await agent.client.fails(RemovePasskeyDocument, { tenantId: a.id, passkeyId: added.passkey.id, password: 'wrong password!' })).code).toBe('INVALID_PASSWORD');
      const { removePasskey } = await agent.client.ok(RemovePasskeyDocument, { tenantId: a.id, passkeyId: added.passkey.id, password: agent.password });
      expect(removePasskey).toMatchObject({ state: 'ENABLED', totpEnabled: true, methods: ['TOTP', 'RECOVERY_CODE'], passkeys: [] });
      await expectRefused(t, 'LAST_FACTOR', () => agent.client.fails(RemoveTotpAuthenticatorDocument, { tenantId: a.id, password: agent.password }));

      const key = await addPasskey(agent, a.id, new SoftwareAuthenticator(TEST_ORIGIN), 'Key');
      const { removeTotpAuthenticator } = await agent.client.ok(RemoveTotpAuthenticatorDocument, { tenantId: a.id, password: agent.password });
      expect(removeTotpAuthenticator).toMatchObject({ state: 'ENABLED', totpEnabled: false, methods: ['PASSKEY', 'RECOVERY_CODE'] });
      expect(removeTotpAuthenticator.passkeys.map((p) => p.id)).toEqual([key.passkey.id]);
      const { session, challengeId } = await challengedSession(t, agent, a.secureWorkspaceId);
      const oldCode = await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, secret) });
      expect(oldCode.code).toBe('INVALID_TWO_FACTOR_CODE');
      await expectRefused(t, 'LAST_FACTOR', () => agent.client.fails(RemovePasskeyDocument, { tenantId: a.id, passkeyId: key.passkey.id, password: agent.password }));
      const actions = await auditActions(t, a.id, agent.id);
      expect(actions).toEqual(expect.arrayContaining(['PASSKEY_REMOVED', 'TOTP_REMOVED']));
    });

    it('of a passkey and TOTP removed at once (the last two factors), exactly one goes', async () => {
      for (let round = 0; round < 3; round++) {
        const { agent, added } = await passkeyAgent();
        await enrolTotpBeside(agent);
        const peer = await t.startPeer();
        const results = await Promise.all([
          agent.client.request(RemovePasskeyDocument, { tenantId: a.id, passkeyId: added.passkey.id, password: agent.password }),
          peer.client.withToken(agent.token).request(RemoveTotpAuthenticatorDocument, { tenantId: a.id, password: agent.password }),
        ]);
        const refused = results.filter((r) => r.errors).map((r) => r.errors![0].extensions?.code);
        expect(refused).toEqual(['LAST_FACTOR']);
        const { me } = await agent.client.ok(MyFactorsDocument, { tenantId: a.id });
        expect(me!.twoFactor.state).toBe('ENABLED');
        expect(Number(me!.twoFactor.totpEnabled) + me!.twoFactor.passkeys.length).toBe(1);
        await peer.close();
      }
    });

    it('disableTwoFactor and resetAgentTwoFactor remove passkeys too; admins see how many there are', async () => {
      const { agent } = await passkeyAgent();
      await addPasskey(agent, a.id, new SoftwareAuthenticator(TEST_ORIGIN), 'Second');
      const owner = a.owner;
      await enrolOwner();
      const seen = await owner.client.ok(TenantAgentFactorsDocument, { tenantId: a.id, agentId: agent.id });
      expect(seen.tenant!.agent!.twoFactor.passkeys).toHaveLength(2);
      const listed = await owner.client.ok(TenantAgentsFactorsDocument, { tenantId: a.id, first: 100 });
      const row = listed.tenant!.agents.edges.find((e) => e.node.agent.id === agent.id)!;
      expect(row.node.twoFactor).toMatchObject({ state: 'ENABLED', totpEnabled: false, methods: ['PASSKEY', 'RECOVERY_CODE'] });
      expect(row.node.twoFactor.passkeys).toHaveLength(2);

      const { resetAgentTwoFactor } = await owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: a.id, agentId: agent.id });
      expect(resetAgentTwoFactor.state).toBe('NOT_CONFIGURED');
      const [{ n }] = await t.gateway.db.manager.query('SELECT COUNT(*) AS n FROM passkeys WHERE tenant_id = ? AND agent_id = ?', [a.id, agent.id]);
      expect(Number(n)).toBe(0);

      const again = await addPasskey(agent, a.id, new SoftwareAuthenticator(TEST_ORIGIN));
      expect(again.recoveryCodes).toHaveLength(8);
      const { disableTwoFactor } = await agent.client.ok(DisableTwoFactorDocument, { tenantId: a.id, password: agent.password });
      expect(disableTwoFactor).toMatchObject({ state: 'NOT_CONFIGURED', methods: [] });
      const [{ m }] = await t.gateway.db.manager.query('SELECT COUNT(*) AS m FROM passkeys WHERE tenant_id = ? AND agent_id = ?', [a.id, agent.id]);
      expect(Number(m)).toBe(0);
    });

    it('leaves pairs without TOTP alone when the keys rotate', async () => {
      await passkeyAgent();
      const next = `next:${randomBytes(32).toString('base64')}`;
      const box = new SecretBox(loadConfig({ NODE_ENV: 'test', DATA_DIR: t.database.dataDir, ENCRYPTION_KEYS: `${next},${TEST_ENCRYPTION_KEYS}` }).encryptionKeys);
      const report = await rotateSecretsToCurrentKey(t.gateway.db, box);
      const [{ n }] = await t.gateway.db.manager.query("SELECT COUNT(*) AS n FROM authenticators WHERE secret_ciphertext <> ''");
      expect(report.reEncrypted).toBe(Number(n));
      const [{ remaining }] = await t.gateway.db.manager.query("SELECT COUNT(*) AS remaining FROM authenticators WHERE secret_ciphertext <> '' AND key_id <> 'next'");
      expect(Number(remaining)).toBe(0);
    });

    it('keeps the admin page at a constant number of statements however many passkeys members have', async () => {
      await enrolOwner();
      const count = async () => {
        t.statements.reset();
        await a.owner.client.ok(TenantAgentsFactorsDocument, { tenantId: a.id, first: 100 });
        return t.statements.count;
      };
      const before = await count();
      await passkeyAgent();
      await passkeyAgent();
      expect(await count()).toBe(before);
    });
  });

  let ownerEnrolled = false;
  /** The owner of A enrolled and past the challenge of its session (admin work needs it). */
  async function enrolOwner() {
    if (ownerEnrolled) return;
    ownerEnrolled = true;
    await enrol(t, a.owner, a.id);
  }
});

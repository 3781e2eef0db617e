// Threat: a stolen password (or a session whose standing an admin revoked) adds its own authenticator app to a pair that is already protected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BeginPasskeyRegistrationDocument,
  BeginTotpEnrolmentDocument,
  ConfirmTotpEnrolmentDocument,
  EnterTenantDocument,
  FinishPasskeyRegistrationDocument,
  MyFactorsDocument,
  RevokeAgentSessionsDocument,
} from '../../src/client/generated/graphql';
import { expectRefused } from '../helpers/access';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, currentCode, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { holdRow } from '../helpers/held-row';
import { addPasskey, answerWithPasskey, PASSKEY_ENV, TEST_ORIGIN } from '../helpers/passkeys';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';
import { challengedSession, signInAgain } from '../helpers/two-factor';
import { startProductionGateway } from './harness';

describe.each(databaseKinds)('confirming an enrolment needs standing once the pair is protected, on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startProductionGateway(kind, PASSKEY_ENV);
    tenant = await createTenant(t, { twoFactor: true });
  });
  afterAll(() => t?.close());

  /** A member without 2FA, and the attacker: another session of it, signed in with the stolen password. */
  async function victimAndThief(): Promise<{ victim: TestAgent; thief: TestAgent }> {
    const victim = await signUp(t, 'victim');
    await addMember(tenant, victim);
    return { victim, thief: await signInAgain(t, victim) };
  }
  const begin = async (session: TestAgent) => (await session.client.ok(BeginTotpEnrolmentDocument, { tenantId: tenant.id, password: session.password })).beginTotpEnrolment.secret;
  const confirm = (session: TestAgent, secret: string) => () => session.client.fails(ConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code: currentCode(t, secret) });
  const factors = async (session: TestAgent) => (await session.client.ok(MyFactorsDocument, { tenantId: tenant.id })).me!.twoFactor;
  const enter = async (session: TestAgent) => (await session.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant.status;

  it('a secret begun before the victim turned 2FA on with a passkey cannot be confirmed afterwards', async () => {
    const { victim, thief } = await victimAndThief();
    const secret = await begin(thief);
    const added = await addPasskey(victim, tenant.id, new SoftwareAuthenticator(TEST_ORIGIN));
    expect(added.status.methods).toEqual(['PASSKEY', 'RECOVERY_CODE']);

    await expectRefused(t, 'NO_PENDING_ENROLMENT', confirm(thief, secret));
    expect((await factors(victim)).methods).toEqual(['PASSKEY', 'RECOVERY_CODE']);
    expect(await enter(thief)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    expect(await enter(await signInAgain(t, victim))).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
  });

  it('a confirmation that read the pair unprotected, queued behind the passkey that protects it, does not pass', async () => {
    const { victim, thief } = await victimAndThief();
    const secret = await begin(thief);
    const authenticator = new SoftwareAuthenticator(TEST_ORIGIN);
    const { beginPasskeyRegistration } = await victim.client.ok(BeginPasskeyRegistrationDocument, { tenantId: tenant.id, password: victim.password });
    const credential = authenticator.register(beginPasskeyRegistration.options);

    // The victim's first passkey writes first; the thief's confirmation has read the pair (PENDING, its secret
    // live, no standing needed) before that write commits, and is decided after it.
    const held = await holdRow(t, 'authenticators', 'tenant_id = ? AND agent_id = ?', [tenant.id, victim.id]);
    const finishing = victim.client.request(FinishPasskeyRegistrationDocument, { tenantId: tenant.id, name: 'Laptop', credential });
    await held.queued(1);
    const confirming = thief.client.request(ConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code: currentCode(t, secret) });
    await held.queued(2);
    await held.release();

    expect((await finishing).data?.finishPasskeyRegistration.status.methods).toEqual(['PASSKEY', 'RECOVERY_CODE']);
    const confirmed = await confirming;
    expect(confirmed.errors?.[0].extensions?.code, JSON.stringify(confirmed)).toBe('NO_PENDING_ENROLMENT');
    expect((await factors(victim)).methods).toEqual(['PASSKEY', 'RECOVERY_CODE']);
    expect(await enter(thief)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
  }, 120_000);

  // A second proof of the enrolment's session binding (beside enrolment-confirmation.test.ts): standing is no substitute.
  it("another session of the agent, though it passed the tenant's challenge, cannot confirm this session's enrolment, through another gateway process either", async () => {
    const victim = await signUp(t, 'victim');
    await addMember(tenant, victim);
    const authenticator = new SoftwareAuthenticator(TEST_ORIGIN);
    await addPasskey(victim, tenant.id, authenticator);
    const secret = await begin(victim); // TOTP beside the passkey, from the session the passkey gave standing
    const { session: other, challengeId } = await challengedSession(t, victim, tenant.secureWorkspaceId);
    expect((await answerWithPasskey(other, challengeId, authenticator)).data?.verifyPasskey.status).toBe('GRANTED');

    const peer = await t.startPeer();
    try {
      await expectRefused(t, 'NO_PENDING_ENROLMENT', confirm({ ...other, client: peer.client.withToken(other.token) }, secret));
      await expectRefused(t, 'NO_PENDING_ENROLMENT', confirm(other, secret));
    } finally {
      await peer.close();
    }
    const { confirmTotpEnrolment } = await victim.client.ok(ConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code: currentCode(t, secret) });
    expect(confirmTotpEnrolment.status.methods).toEqual(['TOTP', 'PASSKEY', 'RECOVERY_CODE']);
    t.clock.advance(30_000);
  });

  it('a session whose standing an admin revoked cannot regain it by confirming an enrolment it began before', async () => {
    const victim = await signUp(t, 'victim');
    await addMember(tenant, victim);
    await addPasskey(victim, tenant.id, new SoftwareAuthenticator(TEST_ORIGIN)); // this session has standing
    const secret = await begin(victim); // TOTP beside the passkey, begun with standing
    expect((await tenant.owner.client.ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: victim.id })).revokeAgentSessions).toBe(1);

    await expectRefused(t, 'NO_PENDING_ENROLMENT', confirm(victim, secret));
    expect((await factors(victim)).methods).toEqual(['PASSKEY', 'RECOVERY_CODE']);
    expect(await enter(victim)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
  });
});

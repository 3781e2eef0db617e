// Rules of docs/behaviour.md that no other file proves through the API: each test builds its own tenant, so any
// of them runs alone (`-t`) or in any order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddTenantMemberDocument,
  AuditLogDocument,
  ConfirmTotpEnrolmentDocument,
  CreateWorkspaceDocument,
  EnterTenantDocument,
  EnterWorkspaceDocument,
  MyTwoFactorDocument,
  ResetAgentTwoFactorDocument,
  RevokeAgentSessionsDocument,
  SetTenantRecoveryCodeFormatDocument,
  SetTenantTwoFactorDocument,
  SetTenantTwoFactorPolicyDocument,
  SetWorkspaceTwoFactorDocument,
  TenantAgentsDocument,
  UseRecoveryCodeDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { expectRefused, passChallenge } from '../helpers/access';
import { seedMembers } from '../helpers/bulk-members';
import type { GraphQLClient, GraphQLErrorBody } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, currentCode, enrol, signUp, TestTenant, uniqueEmail, wrongCode } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { challengedSession, enrolledAgent, openChallenge, signInAgain } from '../helpers/two-factor';

type Attempt = (client: GraphQLClient, tenant: TestTenant) => Promise<GraphQLErrorBody & { code?: string }>;

/** Operations behind the admin clearance, as an AGENT would try them. */
const adminOperations: Array<[string, Attempt]> = [
  ['setTenantTwoFactorPolicy', (c, x) => c.fails(SetTenantTwoFactorPolicyDocument, { tenantId: x.id, policy: 'OPTIONAL' })],
  ['setWorkspaceTwoFactor', (c, x) => c.fails(SetWorkspaceTwoFactorDocument, { workspaceId: x.openWorkspaceId, required: true })],
  ['createWorkspace', (c, x) => c.fails(CreateWorkspaceDocument, { tenantId: x.id, name: 'Side door' })],
  ['resetAgentTwoFactor', (c, x) => c.fails(ResetAgentTwoFactorDocument, { tenantId: x.id, agentId: x.owner.id })],
  ['revokeAgentSessions', (c, x) => c.fails(RevokeAgentSessionsDocument, { tenantId: x.id, agentId: x.owner.id })],
  ['tenant.agents', (c, x) => c.fails(TenantAgentsDocument, { tenantId: x.id })],
  ['tenant.auditLog', (c, x) => c.fails(AuditLogDocument, { tenantId: x.id })],
];

/** Another agent's status, read through the member list of `listTenantId`. */
const othersTwoFactor = (listTenantId: string, statusTenantId: string) => ({
  query: `query($list: ID!, $status: ID!) { tenant(id: $list) { agents(first: 10) { edges { node { agent { id twoFactor(tenantId: $status) { state } } } } } } }`,
  variables: { list: listTenantId, status: statusTenantId },
});

describe.each(databaseKinds)('two-factor rules through the API on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  // Threat: a plain agent without the second factor learns what its role allows (or is told FORBIDDEN instead of
  // being sent to the challenge, so a client cannot tell the two apart).
  it.each(adminOperations)('an AGENT that has not passed the tenant challenge gets TWO_FACTOR_REQUIRED on %s, and FORBIDDEN once it has', async (_name, attempt) => {
    const tenant = await createTenant(t, { twoFactor: true });
    const { agent, secret } = await enrolledAgent(t, tenant);
    const fresh = await signInAgain(t, agent);
    await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => attempt(fresh.client, tenant));
    await passChallenge(t, fresh, secret, { tenantId: tenant.id });
    await expectRefused(t, 'FORBIDDEN', () => attempt(fresh.client, tenant));
  });

  it('an AGENT the policy covers and that has not enrolled gets TWO_FACTOR_ENROLMENT_REQUIRED, not FORBIDDEN', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id);
    await tenant.owner.client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'REQUIRED_FOR_EVERYONE' });
    const agent = await signUp(t, 'unenrolled');
    await addMember(tenant, agent);
    for (const [, attempt] of adminOperations) await expectRefused(t, 'TWO_FACTOR_ENROLMENT_REQUIRED', () => attempt(agent.client, tenant));
  });

  // Threat: one agent's 2FA status (enrolled or not, codes left) read by someone who may not administer it.
  it("lets a tenant's ADMIN read a member's twoFactor(tenantId) in that tenant only: NOT_FOUND for a tenant it is not in, FORBIDDEN where it is an AGENT", async () => {
    const [a, b] = [await createTenant(t, { twoFactor: true }), await createTenant(t, { twoFactor: true, name: 'Tenant B' })];
    const member = await enrolledAgent(t, a);
    await addMember(b, member.agent);
    await enrol(t, member.agent, b.id);
    const admin = await signUp(t, 'admin');
    await addMember(a, admin, 'ADMIN');
    await enrol(t, admin, a.id); // its first session keeps the standing confirming gave it
    const states = async (statusTenantId: string) => {
      const response = await admin.client.raw<any>(othersTwoFactor(a.id, statusTenantId));
      return { response, member: response.data?.tenant?.agents.edges.find((e: any) => e.node.agent.id === member.agent.id)?.node.agent.twoFactor };
    };

    const mine = await states(a.id);
    expect(mine.member, JSON.stringify(mine.response)).toEqual({ state: 'ENABLED' });
    const elsewhere = (await states(b.id)).response;
    expect(elsewhere.errors?.[0]?.extensions?.code, JSON.stringify(elsewhere)).toBe('NOT_FOUND');
    expect(elsewhere.data).toEqual({ tenant: null });

    await addMember(b, admin, 'AGENT');
    const asAgent = (await states(b.id)).response;
    expect(asAgent.errors?.[0]?.extensions?.code, JSON.stringify(asAgent)).toBe('FORBIDDEN');
    expect(asAgent.data).toEqual({ tenant: null });

    // Its own status it reads in any tenant it belongs to, never in one it does not.
    const outsider = await signUp(t, 'outsider');
    await expectRefused(t, 'NOT_FOUND', () => outsider.client.fails(MyTwoFactorDocument, { tenantId: a.id }));
  });

  // docs/behaviour.md: confirmed authenticators stay dormant while tenant 2FA is off and count again when it is on.
  it('lets enrolled agents in without a challenge while tenant 2FA is off, and challenges them with the same authenticator once it is on again', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id);
    const { agent, secret } = await enrolledAgent(t, tenant);
    await tenant.owner.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: false });
    await tenant.owner.client.ok(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: false });

    const whileOff = await signInAgain(t, agent);
    expect((await whileOff.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant).toMatchObject({ status: 'GRANTED', challenge: null });
    expect((await whileOff.client.ok(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId })).enterWorkspace).toMatchObject({ status: 'GRANTED', challenge: null });
    expect((await agent.client.ok(MyTwoFactorDocument, { tenantId: tenant.id })).me!.twoFactor.state).toBe('ENABLED');

    await tenant.owner.client.ok(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: true });
    const whileOn = await signInAgain(t, agent);
    const challengeId = await openChallenge(whileOn, tenant.openWorkspaceId);
    expect((await whileOn.client.fails(VerifyTwoFactorDocument, { challengeId, code: wrongCode(t, secret) })).code).toBe('INVALID_TWO_FACTOR_CODE');
    const { verifyTwoFactor } = await whileOn.client.ok(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, secret) });
    expect(verifyTwoFactor.status).toBe('GRANTED');
  });

  // Threat: an admin resets a lost authenticator while an attacker (or the agent) sits on an open challenge.
  it('answers CHALLENGE_INVALIDATED to a challenge whose authenticator was reset meanwhile, even with the old right code', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id);
    const { agent, secret, recoveryCodes } = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    const second = await challengedSession(t, agent, tenant.secureWorkspaceId);
    await tenant.owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agent.id });

    expect((await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, secret) })).code).toBe('CHALLENGE_INVALIDATED');
    expect((await second.session.client.fails(UseRecoveryCodeDocument, { challengeId: second.challengeId, code: recoveryCodes[0] })).code).toBe('CHALLENGE_INVALIDATED');
  });

  it('answers NO_PENDING_ENROLMENT to a confirmation while ENABLED, and changes nothing', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const { agent, secret } = await enrolledAgent(t, tenant);
    await expectRefused(t, 'NO_PENDING_ENROLMENT', () => agent.client.fails(ConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code: currentCode(t, secret) }));
  });

  // Threat: a guesser waits out each lock and then gets a fresh allowance bigger than the rules say.
  it('needs another 10 failures to lock the pair again once a lock has expired', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const { agent, secret } = await enrolledAgent(t, tenant);
    /** Wrong answers over fresh challenges (5 per challenge); the errors of the last one. */
    const fail = async (count: number) => {
      let last: GraphQLErrorBody & { code?: string } = { message: '' };
      for (let done = 0; done < count; ) {
        const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
        for (let i = 0; i < 5 && done < count; i++, done++) last = await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: wrongCode(t, secret) });
      }
      return last;
    };
    const isLocked = async () => {
      const session = await signInAgain(t, agent);
      const { errors } = await session.client.request(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
      return errors?.[0]?.extensions?.code === 'RATE_LIMITED';
    };

    expect((await fail(10)).extensions).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE', retryAfterSeconds: 900 });
    expect(await isLocked()).toBe(true);
    t.clock.advance(15 * 60_000 + 1_000);
    expect(await isLocked()).toBe(false);

    expect((await fail(9)).extensions).toEqual({ code: 'INVALID_TWO_FACTOR_CODE', attemptsRemaining: 1 });
    expect(await isLocked()).toBe(false);
    // The second lock in a row lasts twice as long (challenge.lock-escalation.test.ts follows the escalation).
    expect((await fail(1)).extensions).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE', retryAfterSeconds: 1800 });
    expect(await isLocked()).toBe(true);
  });

  it('answers NOT_FOUND to addTenantMember with an email that has no account, and adds nobody', async () => {
    const tenant = await createTenant(t);
    await expectRefused(t, 'NOT_FOUND', () => tenant.owner.client.fails(AddTenantMemberDocument, { tenantId: tenant.id, email: uniqueEmail('nobody'), role: 'AGENT' }));
  });

  it('reads first: null as the default page of 50', async () => {
    const tenant = await createTenant(t);
    await seedMembers(t, tenant.id, 60);
    const { tenant: page } = await tenant.owner.client.ok(TenantAgentsDocument, { tenantId: tenant.id, first: null });
    expect(page!.agents.edges).toHaveLength(50);
    expect(page!.agents).toMatchObject({ totalCount: 61, pageInfo: { hasNextPage: true } });
  });

  it('keeps recovery codes issued before a format change working, and issues the new format afterwards', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id);
    const { agent, recoveryCodes } = await enrolledAgent(t, tenant);
    expect(recoveryCodes[0]).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await tenant.owner.client.ok(SetTenantRecoveryCodeFormatDocument, { tenantId: tenant.id, format: 'XXXXX_XXXXX' });

    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    const { useRecoveryCode } = await session.client.ok(UseRecoveryCodeDocument, { challengeId, code: recoveryCodes[0] });
    expect(useRecoveryCode.status).toBe('GRANTED');
    const again = await signUp(t, 'later');
    await addMember(tenant, again);
    expect((await enrol(t, again, tenant.id)).recoveryCodes[0]).toMatch(/^[A-Z0-9]{5}-[A-Z0-9]{5}$/);
  });

  it('accepts the right TOTP code written with spaces, as authenticator apps show it', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const { agent, secret } = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    const code = currentCode(t, secret);
    const { verifyTwoFactor } = await session.client.ok(VerifyTwoFactorDocument, { challengeId, code: ` ${code.slice(0, 3)} ${code.slice(3)} ` });
    expect(verifyTwoFactor.status).toBe('GRANTED');
  });
});

// Threat: a stranger creates an account on a gateway that takes members by invitation only, or rides another
// address's invitation into a tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateTenantDocument,
  InviteTenantMemberDocument,
  MyAccountDocument,
  RevokeInvitationDocument,
  SignInDocument,
  SignUpDocument,
  SignUpModeDocument,
  TenantAgentsDocument,
  TenantInvitationsDocument,
  TenantRole,
} from '../../src/client/generated/graphql';
import { linkToken, startGatewayWithMail } from '../helpers/account-mail';
import { databaseKinds } from '../helpers/databases';
import { PASSWORD, uniqueEmail } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import type { TestMailServer } from '../helpers/mail-server';
import { databaseSnapshot } from '../helpers/snapshot';
import { auditActions } from '../helpers/two-factor';

describe.each(databaseKinds)('sign-up modes on %s', (kind) => {
  const gateways: Array<{ close(): Promise<void> }> = [];
  let invitationOnly: { t: TestGateway; mail: TestMailServer };
  let closed: { t: TestGateway; mail: TestMailServer };
  let open: { t: TestGateway; mail: TestMailServer };
  let tenantId = '';
  let owner: { client: TestGateway['client'] };

  /** An owner made on the server, as `npm run create-owner` does (sign-up is not open), signed in over the API. */
  async function ownerOf(t: TestGateway): Promise<{ client: TestGateway['client'] }> {
    const email = uniqueEmail('owner');
    await t.gateway.services.accounts.createAccount({ email, password: PASSWORD, name: 'Owner' }, { emailVerified: true });
    const { signIn } = await t.client.ok(SignInDocument, { email, password: PASSWORD });
    return { client: t.client.withToken(signIn.token) };
  }

  /** An invitation to `email` from the owner; answers the token of the link it e-mailed. */
  async function invite(gateway: { t: TestGateway; mail: TestMailServer }, email: string, role: TenantRole = 'AGENT', by = owner, tenant = tenantId): Promise<string> {
    await by.client.ok(InviteTenantMemberDocument, { tenantId: tenant, email, role });
    const received = await gateway.mail.waitFor(email.toLowerCase(), /invited you/);
    gateway.mail.received.splice(gateway.mail.received.indexOf(received), 1);
    return linkToken(gateway.t, received, '/invitation');
  }

  beforeAll(async () => {
    // Production's default is invitation-only: SIGN_UP left empty takes it.
    const started = await Promise.all([
      startGatewayWithMail(kind, { NODE_ENV: 'production', LOG_LEVEL: 'silent', SIGN_UP: '' }),
      startGatewayWithMail(kind, { SIGN_UP: 'closed' }),
      startGatewayWithMail(kind, { SIGN_UP: 'open' }),
    ]);
    gateways.push(...started);
    [invitationOnly, closed, open] = started;
    owner = await ownerOf(invitationOnly.t);
    tenantId = (await owner.client.ok(CreateTenantDocument, { name: 'Invited Only' })).createTenant.id;
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
  });

  it('reports each mode in signUpMode', async () => {
    expect((await invitationOnly.t.client.ok(SignUpModeDocument)).signUpMode).toBe('INVITATION_ONLY');
    expect((await closed.t.client.ok(SignUpModeDocument)).signUpMode).toBe('CLOSED');
    expect((await open.t.client.ok(SignUpModeDocument)).signUpMode).toBe('OPEN');
  });

  it('invitation-only: refuses a sign-up without a token as SIGN_UP_CLOSED, and a guessed token as INVALID_TOKEN, changing nothing', async () => {
    const { t } = invitationOnly;
    const before = await databaseSnapshot(t);
    const email = uniqueEmail('stranger');
    expect((await t.client.fails(SignUpDocument, { email, password: PASSWORD, name: 'Stranger' })).code).toBe('SIGN_UP_CLOSED');
    const guessed = 'A'.repeat(43);
    expect((await t.client.fails(SignUpDocument, { email, password: PASSWORD, name: 'Stranger', invitationToken: guessed })).code).toBe('INVALID_TOKEN');
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it("invitation-only: another address cannot use an invitation's token; the invited address signs up verified, as a member with the offered role", async () => {
    const { t, mail } = invitationOnly;
    const invited = uniqueEmail('invitee');
    const token = await invite(invitationOnly, invited.toUpperCase(), 'ADMIN');

    const before = await databaseSnapshot(t);
    const foreign = await t.client.fails(SignUpDocument, { email: uniqueEmail('thief'), password: PASSWORD, name: 'Thief', invitationToken: token });
    expect(foreign.code).toBe('INVALID_TOKEN');
    expect(foreign.message).toMatch(/another address/);
    expect(await databaseSnapshot(t)).toBe(before);

    const { signUp } = await t.client.ok(SignUpDocument, { email: invited, password: PASSWORD, name: 'Invitee', invitationToken: token });
    const newcomer = t.client.withToken(signUp.token);
    const { me } = await newcomer.ok(MyAccountDocument);
    expect(me).toMatchObject({ email: invited, emailVerified: true, invitations: [] });
    const { tenant } = await owner.client.ok(TenantAgentsDocument, { tenantId });
    expect(tenant!.agents.edges.map((edge) => [edge.node.agent.email, edge.node.role])).toContainEqual([invited, 'ADMIN']);
    expect(await auditActions(t, tenantId, signUp.agent.id)).toEqual(['INVITATION_ACCEPTED']);

    // The address was proven by the invitation: no verification link follows.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mail.to(invited)).toEqual([]);

    // Replayed, for the same address or another: used.
    const replayed = await t.client.fails(SignUpDocument, { email: uniqueEmail('again'), password: PASSWORD, name: 'Again', invitationToken: token });
    expect(replayed.code).toBe('INVALID_TOKEN');
  });

  it('invitation-only: an expired or revoked invitation signs nobody up', async () => {
    const { t } = invitationOnly;
    const late = uniqueEmail('late');
    const lateToken = await invite(invitationOnly, late);
    const withdrawn = uniqueEmail('withdrawn');
    const withdrawnToken = await invite(invitationOnly, withdrawn);
    const { tenant } = await owner.client.ok(TenantInvitationsDocument, { tenantId });
    const pending = tenant!.invitations.find((invitation) => invitation.email === withdrawn)!;
    await owner.client.ok(RevokeInvitationDocument, { tenantId, invitationId: pending.id });
    expect((await t.client.fails(SignUpDocument, { email: withdrawn, password: PASSWORD, name: 'W', invitationToken: withdrawnToken })).code).toBe('INVALID_TOKEN');

    t.clock.advance(7 * 24 * 3600_000 + 1);
    // A week on, the sender purges the messages it finished: the outbox is left out of the comparison.
    const before = await databaseSnapshot(t, ['mail_outbox']);
    expect((await t.client.fails(SignUpDocument, { email: late, password: PASSWORD, name: 'Late', invitationToken: lateToken })).code).toBe('INVALID_TOKEN');
    expect(await databaseSnapshot(t, ['mail_outbox'])).toBe(before);
  });

  it('closed: refuses every sign-up, with an invitation or without', async () => {
    const { t } = closed;
    const closedOwner = await ownerOf(t);
    const { createTenant } = await closedOwner.client.ok(CreateTenantDocument, { name: 'Closed Co' });
    const email = uniqueEmail('closed');
    const token = await invite(closed, email, 'AGENT', closedOwner, createTenant.id);
    const before = await databaseSnapshot(t);
    expect((await t.client.fails(SignUpDocument, { email, password: PASSWORD, name: 'C' })).code).toBe('SIGN_UP_CLOSED');
    expect((await t.client.fails(SignUpDocument, { email, password: PASSWORD, name: 'C', invitationToken: token })).code).toBe('SIGN_UP_CLOSED');
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it('open: anyone signs up (unverified), and an invitation token still makes the member', async () => {
    const { t } = open;
    const { signUp } = await t.client.ok(SignUpDocument, { email: uniqueEmail('walk-in'), password: PASSWORD, name: 'Walk-in' });
    expect((await t.client.withToken(signUp.token).ok(MyAccountDocument)).me?.emailVerified).toBe(false);

    const openOwner = await ownerOf(t);
    const { createTenant } = await openOwner.client.ok(CreateTenantDocument, { name: 'Open Co' });
    const email = uniqueEmail('welcome');
    const token = await invite(open, email, 'AGENT', openOwner, createTenant.id);
    const joined = await t.client.ok(SignUpDocument, { email, password: PASSWORD, name: 'Welcome', invitationToken: token });
    expect((await t.client.withToken(joined.signUp.token).ok(MyAccountDocument)).me?.emailVerified).toBe(true);
    expect(await auditActions(t, createTenant.id, joined.signUp.agent.id)).toEqual(['INVITATION_ACCEPTED']);
  });
});

// Threat: an invitation that lets someone other than the invited address in, works twice, late or after it was
// withdrawn, is sent or withdrawn by someone who out-ranks nobody, or reaches across tenants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AcceptInvitationDocument,
  AddTenantMemberDocument,
  InviteTenantMemberDocument,
  MyAccountDocument,
  RevokeInvitationDocument,
  SignInDocument,
  SignUpDocument,
  TenantAgentsDocument,
  TenantInvitationsDocument,
  TenantRole,
  TenantsDocument,
  VerifyEmailDocument,
} from '../../src/client/generated/graphql';
import { expectNoSecrets, linkToken, startGatewayWithMail } from '../helpers/account-mail';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, PASSWORD, signUp, TestAgent, TestTenant, uniqueEmail } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import type { TestMailServer } from '../helpers/mail-server';
import { databaseSnapshot } from '../helpers/snapshot';
import { auditActions } from '../helpers/two-factor';

describe.each(databaseKinds)('invitations on %s', (kind) => {
  let gateway: Awaited<ReturnType<typeof startGatewayWithMail>>;
  let t: TestGateway;
  let mail: TestMailServer;
  let acme: TestTenant;
  let other: TestTenant;
  let admin: TestAgent;
  let agent: TestAgent;

  beforeAll(async () => {
    gateway = await startGatewayWithMail(kind);
    ({ t, mail } = gateway);
    acme = await createTenant(t, { name: 'Acme & Sons' });
    other = await createTenant(t, { name: 'Other Co' });
    admin = await signUp(t, 'admin');
    agent = await signUp(t, 'agent');
    await addMember(acme, admin, 'ADMIN');
    await addMember(acme, agent, 'AGENT');
  });
  afterAll(() => gateway?.close());

  /** Invites `email` into the tenant as `by`; answers the invitation's id and its link's token. */
  async function invite(email: string, role: TenantRole = 'AGENT', by: TestAgent = acme.owner, tenant: TestTenant = acme): Promise<{ id: string; token: string }> {
    const { inviteTenantMember } = await by.client.ok(InviteTenantMemberDocument, { tenantId: tenant.id, email, role });
    const received = await waitForInvitation(email.toLowerCase(), tenant);
    return { id: inviteTenantMember.id, token: linkToken(t, received, '/invitation') };
  }
  /** The newest invitation message to `email` from this tenant not read before. */
  const read = new Set<unknown>();
  async function waitForInvitation(email: string, tenant: TestTenant) {
    const name = tenant === acme ? 'Acme & Sons' : 'Other Co';
    const deadline = Date.now() + 10_000;
    for (;;) {
      const fresh = mail.to(email).find((m) => m.subject.endsWith(`invited you to ${name}`) && !read.has(m));
      if (fresh) {
        read.add(fresh);
        return fresh;
      }
      if (Date.now() > deadline) throw new Error(`no invitation to ${email}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Counters and flags match the rows; the new member is found by the admin search (its grams exist). */
  async function expectListingRight(tenant: TestTenant, email: string, present: boolean): Promise<void> {
    const rows: Array<{ role: string; members: unknown; counted: unknown }> = await t.gateway.db.manager.query(
      `SELECT c.role, c.members, (SELECT COUNT(*) FROM tenant_memberships m WHERE m.tenant_id = c.tenant_id AND m.role = c.role) AS counted
         FROM tenant_member_counts c WHERE c.tenant_id = ?`,
      [tenant.id],
    );
    for (const row of rows) expect(Number(row.members), row.role).toBe(Number(row.counted));
    const { tenant: found } = await tenant.owner.client.ok(TenantAgentsDocument, { tenantId: tenant.id, filter: { search: email.slice(0, 12) } });
    expect(found!.agents.edges.map((edge) => edge.node.agent.email).includes(email)).toBe(present);
  }

  it('an OWNER invites an address without an account: one e-mail to it, naming the tenant, the role and the inviter, with a link to the console', async () => {
    const email = uniqueEmail('newcomer');
    const { inviteTenantMember } = await acme.owner.client.ok(InviteTenantMemberDocument, { tenantId: acme.id, email: email.toUpperCase(), role: 'ADMIN' });
    expect(inviteTenantMember).toMatchObject({ email, role: 'ADMIN', tenant: { id: acme.id, name: 'Acme & Sons' }, invitedBy: { id: acme.owner.id } });
    expect(new Date(inviteTenantMember.expiresAt).getTime() - new Date(inviteTenantMember.createdAt).getTime()).toBe(7 * 24 * 3600_000);

    const received = await waitForInvitation(email, acme);
    expect(received.to).toBe(email);
    expect(received.text).toMatch(/Role:\s+ADMIN/);
    expect(received.html).toContain('Acme &amp; Sons');
    linkToken(t, received, '/invitation');
    expectNoSecrets(received, [PASSWORD, acme.owner.token]);

    const { tenant } = await acme.owner.client.ok(TenantInvitationsDocument, { tenantId: acme.id });
    expect(tenant!.invitations.map((invitation) => invitation.email)).toContain(email);
    const [event]: Array<{ action: string; actor_agent_id: string }> = await t.gateway.db.manager.query(
      "SELECT action, actor_agent_id FROM audit_events WHERE tenant_id = ? AND action = 'MEMBER_INVITED' ORDER BY id DESC LIMIT 1",
      [acme.id],
    );
    expect(event).toEqual({ action: 'MEMBER_INVITED', actor_agent_id: acme.owner.id });
    const stored = await t.gateway.db.manager.query('SELECT * FROM tenant_invitations');
    expect(JSON.stringify(stored)).not.toContain(linkToken(t, received, '/invitation'));
  });

  // Threat: an ADMIN brings in a confederate of its own rank or above.
  it.each(['ADMIN', 'OWNER'] as const)('an ADMIN cannot invite an %s (FORBIDDEN, nothing written); an AGENT cannot invite at all', async (role) => {
    const before = await databaseSnapshot(t);
    expect((await admin.client.fails(InviteTenantMemberDocument, { tenantId: acme.id, email: uniqueEmail('x'), role })).code).toBe('FORBIDDEN');
    expect((await agent.client.fails(InviteTenantMemberDocument, { tenantId: acme.id, email: uniqueEmail('x'), role: 'AGENT' })).code).toBe('FORBIDDEN');
    expect((await agent.client.fails(TenantInvitationsDocument, { tenantId: acme.id })).code).toBe('FORBIDDEN');
    expect(await databaseSnapshot(t)).toBe(before);
    await invite(uniqueEmail('by-admin'), 'AGENT', admin);
  });

  it('the agent signed in with the invited address accepts: a member with the offered role, its address verified, the listing right', async () => {
    const invitee = await signUp(t, 'invitee');
    const { token } = await invite(invitee.email, 'ADMIN');
    expect((await invitee.client.ok(MyAccountDocument)).me?.emailVerified).toBe(false);
    const { acceptInvitation } = await invitee.client.ok(AcceptInvitationDocument, { token });
    expect(acceptInvitation).toEqual({ role: 'ADMIN', agent: { id: invitee.id, email: invitee.email } });
    expect((await invitee.client.ok(MyAccountDocument)).me?.emailVerified).toBe(true);
    expect((await invitee.client.ok(TenantsDocument)).tenants.map((tenant) => [tenant.id, tenant.viewerRole])).toContainEqual([acme.id, 'ADMIN']);
    expect(await auditActions(t, acme.id, invitee.id)).toEqual(['INVITATION_ACCEPTED']);
    await expectListingRight(acme, invitee.email, true);
    const { tenant } = await acme.owner.client.ok(TenantInvitationsDocument, { tenantId: acme.id });
    expect(tenant!.invitations.map((invitation) => invitation.email)).not.toContain(invitee.email);
  });

  // Threat: someone holding another address's link (forwarded, intercepted) joins with it.
  it("another agent's session cannot accept it; replayed, guessed and revoked tokens are INVALID_TOKEN; nothing changes", async () => {
    const invitee = await signUp(t, 'rightful');
    const thief = await signUp(t, 'thief');
    const { id, token } = await invite(invitee.email);
    let before = await databaseSnapshot(t);
    const foreign = await thief.client.fails(AcceptInvitationDocument, { token });
    expect(foreign.code).toBe('INVALID_TOKEN');
    expect((await thief.client.fails(AcceptInvitationDocument, { invitationId: id })).code).toBe('FORBIDDEN'); // not verified, and not its address
    expect((await thief.client.fails(AcceptInvitationDocument, { token: 'A'.repeat(43) })).code).toBe('INVALID_TOKEN');
    expect((await t.client.fails(AcceptInvitationDocument, { token })).code).toBe('UNAUTHENTICATED');
    expect(await databaseSnapshot(t)).toBe(before);

    await invitee.client.ok(AcceptInvitationDocument, { token });
    before = await databaseSnapshot(t);
    expect((await invitee.client.fails(AcceptInvitationDocument, { token })).code).toBe('INVALID_TOKEN');
    expect(await databaseSnapshot(t)).toBe(before);

    const withdrawn = await signUp(t, 'withdrawn');
    const revoked = await invite(withdrawn.email);
    expect((await acme.owner.client.ok(RevokeInvitationDocument, { tenantId: acme.id, invitationId: revoked.id })).revokeInvitation).toBe(true);
    expect((await withdrawn.client.fails(AcceptInvitationDocument, { token: revoked.token })).code).toBe('INVALID_TOKEN');
    expect((await acme.owner.client.fails(RevokeInvitationDocument, { tenantId: acme.id, invitationId: revoked.id })).code).toBe('NOT_FOUND');
    expect(await auditActions(t, acme.id, withdrawn.id)).toEqual([]);

  });

  it('BAD_USER_INPUT for neither or both of token and invitationId', async () => {
    const someone = await signUp(t, 'either');
    expect((await someone.client.fails(AcceptInvitationDocument, {})).code).toBe('BAD_USER_INPUT');
    expect((await someone.client.fails(AcceptInvitationDocument, { token: 'A'.repeat(43), invitationId: acme.id })).code).toBe('BAD_USER_INPUT');
  });

  // Threat: an admin of one tenant lists or withdraws another tenant's invitations.
  it("another tenant's invitations are NOT_FOUND to list or revoke; an ADMIN cannot revoke one offering ADMIN", async () => {
    const theirs = await invite(uniqueEmail('theirs'), 'AGENT', other.owner, other);
    expect((await acme.owner.client.fails(RevokeInvitationDocument, { tenantId: acme.id, invitationId: theirs.id })).code).toBe('NOT_FOUND');
    expect((await acme.owner.client.fails(RevokeInvitationDocument, { tenantId: other.id, invitationId: theirs.id })).code).toBe('NOT_FOUND');
    expect((await acme.owner.client.fails(TenantInvitationsDocument, { tenantId: other.id })).code).toBe('NOT_FOUND');

    const offeringAdmin = await invite(uniqueEmail('rank'), 'ADMIN');
    const before = await databaseSnapshot(t);
    expect((await admin.client.fails(RevokeInvitationDocument, { tenantId: acme.id, invitationId: offeringAdmin.id })).code).toBe('FORBIDDEN');
    expect(await databaseSnapshot(t)).toBe(before);
    await acme.owner.client.ok(RevokeInvitationDocument, { tenantId: acme.id, invitationId: offeringAdmin.id });
    const offeringAgent = await invite(uniqueEmail('rank'), 'AGENT');
    await admin.client.ok(RevokeInvitationDocument, { tenantId: acme.id, invitationId: offeringAgent.id });
    const actions: Array<{ action: string }> = await t.gateway.db.manager.query("SELECT action FROM audit_events WHERE tenant_id = ? AND action = 'INVITATION_REVOKED'", [acme.id]);
    expect(actions.length).toBeGreaterThanOrEqual(2);
  });

  it('inviting the address again replaces the earlier invitation: its link stops working', async () => {
    const invitee = await signUp(t, 'twice');
    const first = await invite(invitee.email);
    const second = await invite(invitee.email, 'ADMIN');
    expect((await invitee.client.fails(AcceptInvitationDocument, { token: first.token })).code).toBe('INVALID_TOKEN');
    expect((await invitee.client.ok(AcceptInvitationDocument, { token: second.token })).acceptInvitation.role).toBe('ADMIN');
  });

  it("me.invitations lists an agent's pending invitations once its address is verified; then it accepts by id", async () => {
    const email = uniqueEmail('lister');
    const { signUp: session } = await t.client.ok(SignUpDocument, { email, password: PASSWORD, name: 'Lister' });
    const lister = t.client.withToken(session.token);
    const verification = await mail.waitFor(email, /Verify/);
    const { id } = await invite(email, 'AGENT', other.owner, other);
    expect((await lister.ok(MyAccountDocument)).me?.invitations).toEqual([]); // not verified yet
    expect((await lister.fails(AcceptInvitationDocument, { invitationId: id })).code).toBe('FORBIDDEN');

    await t.client.ok(VerifyEmailDocument, { token: linkToken(t, verification, '/verify-email') });
    const { me } = await lister.ok(MyAccountDocument);
    expect(me?.invitations.map((invitation) => [invitation.id, invitation.tenant.name, invitation.role, invitation.invitedBy?.id])).toEqual([[id, 'Other Co', 'AGENT', other.owner.id]]);
    await lister.ok(AcceptInvitationDocument, { invitationId: id });
    expect((await lister.ok(MyAccountDocument)).me?.invitations).toEqual([]);
    // Someone else's invitation by id: NOT_FOUND.
    const elsewhere = await invite(uniqueEmail('elsewhere'));
    expect((await lister.fails(AcceptInvitationDocument, { invitationId: elsewhere.id })).code).toBe('NOT_FOUND');
  });

  it("refuses to invite a member's address (BAD_USER_INPUT): the admin sees its members anyway", async () => {
    const refused = await acme.owner.client.fails(InviteTenantMemberDocument, { tenantId: acme.id, email: agent.email, role: 'AGENT' });
    expect(refused.code).toBe('BAD_USER_INPUT');
    expect(refused.extensions?.reason).toBe('ALREADY_MEMBER');
  });

  it('addTenantMember e-mails the agent it added', async () => {
    const added = await signUp(t, 'added');
    await acme.owner.client.ok(AddTenantMemberDocument, { tenantId: acme.id, email: added.email, role: 'AGENT' });
    const received = await mail.waitFor(added.email, /You were added to Acme & Sons/);
    expect(received.text).toMatch(/Role:\s+AGENT/);
    expectNoSecrets(received, [PASSWORD]);
  });

  // Last: it moves the clock a week on, past every session's lifetime.
  it('an invitation expires after 7 days (INVALID_TOKEN)', async () => {
    const late = await signUp(t, 'late');
    const expiring = await invite(late.email);
    t.clock.advance(7 * 24 * 3600_000 + 1);
    const { signIn } = await t.client.ok(SignInDocument, { email: late.email, password: PASSWORD });
    expect((await t.client.withToken(signIn.token).fails(AcceptInvitationDocument, { token: expiring.token })).code).toBe('INVALID_TOKEN');
  });
});

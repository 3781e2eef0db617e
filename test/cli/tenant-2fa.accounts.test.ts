import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayWithMail } from '../helpers/account-mail';
import { databaseKinds } from '../helpers/databases';
import { PASSWORD, uniqueEmail } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import type { TestMailServer } from '../helpers/mail-server';
import { assertCliBuilt, CliUser } from './cli-process';

const NEW_PASSWORD = 'a changed passphrase';

/**
 * The account commands of the built `tenant-2fa`, as a child process against a real gateway whose mail goes to
 * a real SMTP server: sign up, make a tenant, invite, join with the e-mail's link, list, accept by id, revoke,
 * change the password, ask for a reset, leave. The steps build on each other, in order.
 */
describe.each(databaseKinds)('tenant-2fa accounts and invitations (%s)', (kind) => {
  let gateway: Awaited<ReturnType<typeof startGatewayWithMail>>;
  let t: TestGateway;
  let mail: TestMailServer;
  let owner: CliUser;
  let invitee: CliUser;
  const ownerEmail = uniqueEmail('cli-owner');
  const inviteeEmail = uniqueEmail('cli-invitee');
  let tenantId = '';

  const linkTo = async (email: string, subject: RegExp, path: string): Promise<string> => {
    const received = await mail.waitFor(email, subject);
    return received.links.find((link) => new URL(link).pathname === path)!;
  };

  beforeAll(async () => {
    assertCliBuilt();
    gateway = await startGatewayWithMail(kind, { LOG_LEVEL: 'silent' });
    ({ t, mail } = gateway);
    owner = new CliUser(`${t.url}/graphql`);
    invitee = new CliUser(`${t.url}/graphql`);
  });
  afterAll(async () => {
    owner?.remove();
    invitee?.remove();
    await gateway?.close();
  });

  it('signup creates the account, keeps its session like login, and says a verification link was sent', async () => {
    const result = await owner.run(['signup', '--email', ownerEmail, '--name', 'Cli Owner', '--password-stdin'], PASSWORD);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`as ${ownerEmail}`);
    expect(result.stderr).toContain('verification link');
    const { me } = await owner.json<{ me: { email: string } }>(['whoami']);
    expect(me.email).toBe(ownerEmail);
    await mail.waitFor(ownerEmail, /Verify/);
  });

  it('tenants create makes a tenant the caller owns (--json after the subcommand)', async () => {
    const { createTenant } = await owner.json<{ createTenant: { id: string; name: string; viewerRole: string } }>(['tenants', 'create', 'Cli Co']);
    expect(createTenant).toMatchObject({ name: 'Cli Co', viewerRole: 'OWNER' });
    tenantId = createTenant.id;
    const { tenants } = await owner.json<{ tenants: Array<{ id: string }> }>(['tenants']);
    expect(tenants.map((tenant) => tenant.id)).toEqual([tenantId]);
  });

  it('invite sends the link; the invitee signs up with it and joins with the offered role; invitations list shows it pending until then', async () => {
    const invited = await owner.run(['invite', '--tenant', 'Cli Co', '--email', inviteeEmail, '--role', 'admin']);
    expect(invited.code).toBe(0);
    expect(invited.stdout).toContain(`Invited ${inviteeEmail} to Cli Co as ADMIN`);
    const { tenant } = await owner.json<{ tenant: { invitations: Array<{ email: string; role: string }> } }>(['invitations', 'list', '--tenant', 'Cli Co']);
    expect(tenant.invitations).toEqual([expect.objectContaining({ email: inviteeEmail, role: 'ADMIN' })]);

    const link = await linkTo(inviteeEmail, /invited you to Cli Co/, '/invitation');
    const joined = await invitee.run(['signup', '--email', inviteeEmail, '--name', 'Cli Invitee', '--invitation', link, '--password-stdin'], PASSWORD);
    expect(joined.code).toBe(0);
    const { tenants } = await invitee.json<{ tenants: Array<{ id: string; viewerRole: string }> }>(['tenants']);
    expect(tenants).toEqual([expect.objectContaining({ id: tenantId, viewerRole: 'ADMIN' })]);
    expect((await owner.json<{ tenant: { invitations: unknown[] } }>(['invitations', 'list', '--tenant', tenantId])).tenant.invitations).toEqual([]);
  });

  it('invitations list shows a verified agent its invitations; accept takes the id; a revoked link is INVALID_TOKEN (exit 1)', async () => {
    // The invitee's address is verified (its invitation proved it): its own invitations are listed.
    const { createTenant: second } = await owner.json<{ createTenant: { id: string } }>(['tenants', 'create', 'Cli Two']);
    await owner.run(['invite', '--tenant', second.id, '--email', inviteeEmail]);
    const { me } = await invitee.json<{ me: { emailVerified: boolean; invitations: Array<{ id: string; tenant: { name: string } }> } }>(['invitations', 'list']);
    expect(me.emailVerified).toBe(true);
    expect(me.invitations.map((invitation) => invitation.tenant.name)).toEqual(['Cli Two']);
    const accepted = await invitee.run(['invitations', 'accept', me.invitations[0].id]);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('You joined the tenant as AGENT.');

    const { createTenant: third } = await owner.json<{ createTenant: { id: string } }>(['tenants', 'create', 'Cli Three']);
    const { inviteTenantMember } = await owner.json<{ inviteTenantMember: { id: string } }>(['invite', '--tenant', third.id, '--email', inviteeEmail]);
    const link = await linkTo(inviteeEmail, /invited you to Cli Three/, '/invitation');
    expect((await owner.run(['invitations', 'revoke', inviteTenantMember.id, '--tenant', third.id])).code).toBe(0);
    const refused = await invitee.run(['invitations', 'accept', link]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('INVALID_TOKEN');
  });

  it('tenants leave: LAST_OWNER for the last owner (exit 1, nothing changed), and the member leaves', async () => {
    const last = await owner.run(['tenants', 'leave', 'Cli Co', '--yes']);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('LAST_OWNER');
    const left = await invitee.run(['tenants', 'leave', 'Cli Co', '--yes']);
    expect(left.code).toBe(0);
    expect(left.stdout).toContain('You left Cli Co.');
    const { tenants } = await invitee.json<{ tenants: Array<{ name: string }> }>(['tenants']);
    expect(tenants.map((tenant) => tenant.name)).toEqual(['Cli Two']);
    expect((await invitee.run(['tenants', 'leave', 'Cli Two'])).code).toBe(2); // no terminal: --yes is needed
  });

  it('password change re-checks the current password (INVALID_PASSWORD, exit 1), then changes it; this session stays', async () => {
    const wrong = await owner.run(['password', 'change', '--password-stdin'], `not it\n${NEW_PASSWORD}`);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('INVALID_PASSWORD');
    const changed = await owner.run(['password', 'change', '--password-stdin', '--json'], `${PASSWORD}\n${NEW_PASSWORD}`);
    expect(changed.code).toBe(0);
    expect(JSON.parse(changed.stdout)).toEqual({ changePassword: true });
    expect((await owner.run(['whoami'])).code).toBe(0);
    const old = await new CliUser(`${t.url}/graphql`).run(['login', '--email', ownerEmail, '--password-stdin'], PASSWORD);
    expect(old.code).toBe(3);
    await mail.waitFor(ownerEmail, /password was changed/);
  });

  it('password reset-request answers alike for any address and the link arrives for an account', async () => {
    const stranger = new CliUser(`${t.url}/graphql`);
    try {
      for (const email of [ownerEmail, uniqueEmail('nobody')]) {
        const result = await stranger.run(['password', 'reset-request', '--email', email]);
        expect(result.code).toBe(0);
        expect(result.stdout).toBe(`If ${email} has an account here, a reset link is on its way (valid for 30 minutes).\n`);
      }
      await linkTo(ownerEmail, /Reset your password/, '/reset-password');
    } finally {
      stranger.remove();
    }
  });

  it('usage errors exit 2, and commands needing a session exit 3 without one', async () => {
    const nobody = new CliUser(`${t.url}/graphql`);
    try {
      expect((await nobody.run(['invite', '--tenant', 'Cli Co'])).code).toBe(2);
      expect((await nobody.run(['tenants', 'create', 'X'])).code).toBe(3);
      expect((await nobody.run(['invitations', 'accept', 'https://gateway.test/invitation'])).code).toBe(2);
    } finally {
      nobody.remove();
    }
  });
});

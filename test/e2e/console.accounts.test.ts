import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeginTotpEnrolmentDocument, ConfirmTotpEnrolmentDocument, SignInDocument } from '../../src/client/generated/graphql';
import { seedDemoData } from '../../src/demo/demo-data';
import { startGatewayWithMail } from '../helpers/account-mail';
import type { TestGateway } from '../helpers/gateway';
import type { TestMailServer } from '../helpers/mail-server';
import { totpCode } from '../helpers/totp';
import { AGENT, DEMO_PASSWORD, ensureConsoleBuilt, expectText, heading, launchBrowser, newPage, OWNER, screenshot, signIn } from './browser';

const NEW_PASSWORD = 'a brand new passphrase';

/**
 * The account lifecycle in a real browser, on a gateway that takes members by invitation only (production's
 * default) and sends its mail to a real SMTP server: a forgotten password reset from the link in the e-mail,
 * and an address with no account invited by the owner, signing up from the invitation's link.
 */
describe('web console: password reset and invitations', () => {
  let gateway: Awaited<ReturnType<typeof startGatewayWithMail>>;
  let t: TestGateway;
  let mail: TestMailServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const freshPage = async (): Promise<Page> => {
    const fresh = await newPage(browser, t);
    contexts.push(fresh.context);
    return fresh.page;
  };

  /** The link of the newest message to `to` whose subject matches, opening `path`. */
  const linkIn = async (to: string, subject: RegExp, path: string): Promise<string> => {
    const received = await mail.waitFor(to, subject);
    const link = received.links.find((candidate) => new URL(candidate).pathname === path);
    expect(link, `a link to ${path} in "${received.subject}"`).toBeDefined();
    expect(link!.startsWith(`${t.url}/`)).toBe(true);
    return link!;
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    [gateway, browser] = await Promise.all([startGatewayWithMail('sqlite', { SIGN_UP: 'invitation-only' }), launchBrowser()]);
    ({ t, mail } = gateway);
    await seedDemoData(t.gateway.services);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await gateway?.close();
  });

  it('resets a forgotten password from the link in the e-mail; the tenant with 2FA still asks for the second factor', async () => {
    // The agent has an authenticator app in Acme Support (tenant 2FA on; Billing requires it).
    const { signIn: session } = await t.client.ok(SignInDocument, { email: AGENT.email, password: DEMO_PASSWORD });
    const agentClient = t.client.withToken(session.token);
    const [{ id: tenantId }] = await t.gateway.db.manager.query("SELECT id FROM tenants WHERE name = 'Acme Support'");
    const { beginTotpEnrolment } = await agentClient.ok(BeginTotpEnrolmentDocument, { tenantId, password: DEMO_PASSWORD });
    await agentClient.ok(ConfirmTotpEnrolmentDocument, { tenantId, code: totpCode(beginTotpEnrolment.secret, t.clock.epochMs) });
    t.clock.advance(30_000);

    const page = await freshPage();
    await page.goto('/sign-in');
    await expect(page.getByRole('link', { name: 'Create an account' }).count()).resolves.toBe(0); // invitation-only
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await heading(page, 'Forgot your password?').waitFor();
    await page.getByLabel('Email').fill(AGENT.email);
    await screenshot(page, 'forgot-password');
    await page.getByRole('button', { name: 'Send a reset link' }).click();
    await expectText(page.getByRole('status'), `If an account has ${AGENT.email}`);

    await page.goto(await linkIn(AGENT.email, /Reset your password/, '/reset-password'));
    await heading(page, 'Choose a new password').waitFor();
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password, again').fill(NEW_PASSWORD);
    await screenshot(page, 'reset-password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await heading(page, 'Workspaces').waitFor();
    await expectText(page.locator('#flash-status'), 'Your password was reset');

    // Signed in anew, with no standing: Billing asks for the second factor.
    await page.getByRole('link', { name: 'Open Billing' }).click();
    await heading(page, 'Two-factor verification').waitFor();
    await mail.waitFor(AGENT.email, /password was reset/);

    // The old password is gone; the new one signs in.
    const other = await freshPage();
    await other.goto('/sign-in');
    await other.getByLabel('Email').fill(AGENT.email);
    await other.getByLabel('Password').fill(DEMO_PASSWORD);
    await other.getByRole('button', { name: 'Sign in' }).click();
    await expectText(other.getByRole('alert'), 'Email or password is wrong.');
    await signIn(other, AGENT.email, NEW_PASSWORD);
  });

  it('an OWNER invites an address with no account; its link leads to sign-up, and the new agent lands in the tenant with the offered role', async () => {
    const invitee = 'newcomer@demo.test';
    const owner = await freshPage();
    await signIn(owner, OWNER.email);
    await owner.getByRole('link', { name: 'Admin console' }).first().click();
    await heading(owner, 'Admin console').waitFor();
    const invitations = owner.getByRole('region', { name: 'Invitations' });
    await invitations.getByLabel('Email address').fill(invitee);
    await invitations.getByLabel('Role').selectOption('ADMIN');
    await invitations.getByRole('button', { name: 'Send invitation' }).click();
    await expectText(owner.getByRole('status').first(), `Invited ${invitee} as admin.`);
    await expectText(invitations.getByRole('list', { name: 'Pending invitations' }), invitee);
    await screenshot(owner, 'admin-invitations');

    const link = await linkIn(invitee, /invited you to Acme Support/, '/invitation');
    const page = await freshPage();
    await page.goto(link);
    await heading(page, 'Join a tenant').waitFor();
    await screenshot(page, 'invitation');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await heading(page, 'Create an account').waitFor();
    await page.getByLabel('Your name').fill('Nina Newcomer');
    await page.getByLabel('Email').fill(invitee);
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Password, again').fill(NEW_PASSWORD);
    await screenshot(page, 'sign-up');
    await page.getByRole('button', { name: 'Create account and join' }).click();

    await heading(page, 'Workspaces').waitFor();
    await expectText(page.locator('#flash-status'), 'Welcome: you joined Acme Support.');
    const tenantCard = page.getByRole('region', { name: 'Acme Support', exact: true });
    await expectText(tenantCard, 'Your role: Admin');
    await expect(page.getByText('Verify your address').count()).resolves.toBe(0); // the invitation proved it

    // The invitation is no longer pending for the owner.
    await owner.reload();
    await expectText(owner.getByRole('region', { name: 'Invitations' }), 'No invitations are waiting.');
  });
});

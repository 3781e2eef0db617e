import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../src/demo/demo-data';
import { freePort } from '../hardening/harness';
import type { TcpProxy } from '../hardening/tcp-proxy';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { totpCode } from '../helpers/totp';
import { AGENT, DEMO_PASSWORD, ensureConsoleBuilt, expectText, heading, launchBrowser, nav, openWithAuthenticator, OWNER, screenshot, secretOnPage, signIn } from './browser';

/**
 * Passkeys in a real browser: Debian's Chromium with a CDP virtual authenticator (CTAP2, internal transport,
 * user verification on). WebAuthn wants the RP id to be the page's host, so the console is opened at
 * http://localhost:<port> (a TCP proxy in front of the test gateway), the origin the gateway is told to accept.
 * Journey: add a passkey in the profile, add the authenticator app beside it, sign out, open Billing and pass its
 * challenge with the passkey, then remove the app and see that the last passkey cannot be removed; then another
 * agent sets up two-factor with a passkey from the setup page Billing leads to.
 */
describe('web console: passkeys', () => {
  let t: TestGateway;
  let proxy: TcpProxy;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let origin = '';
  let authenticatorId = '';

  beforeAll(async () => {
    ensureConsoleBuilt();
    const port = await freePort();
    origin = `http://localhost:${port}`;
    [t, browser] = await Promise.all([startTestGateway('sqlite', { WEBAUTHN_RP_ID: 'localhost', WEBAUTHN_ORIGINS: origin }), launchBrowser()]);
    await seedDemoData(t.gateway.services);
    ({ proxy, context, page, cdp, authenticatorId } = await openWithAuthenticator(browser, t, port));
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await proxy?.cut();
    await t?.close();
  });

  const passkeysCard = () => page.getByRole('region', { name: 'Passkeys in Acme Support', exact: true });
  const appCard = () => page.getByRole('region', { name: 'Acme Support', exact: true });

  it('adds a passkey in the profile: two-factor turns on and the recovery codes are shown once', async () => {
    await signIn(page, OWNER.email);
    await nav(page, 'My profile').click();
    const card = passkeysCard();
    await card.getByText('Add a passkey').click();
    await card.getByLabel('Name').fill('Laptop');
    await card.getByLabel('Current password').fill('wrong-password');
    await card.getByRole('button', { name: 'Add passkey' }).click();
    await expectText(card.getByRole('alert'), 'Password did not match.');

    await card.getByLabel('Current password').fill(DEMO_PASSWORD);
    await card.getByRole('button', { name: 'Add passkey' }).click();
    await expectText(card.getByRole('heading', { name: 'Save these recovery codes — shown ONCE' }), 'shown ONCE');
    expect(await card.locator('.codes code').count()).toBe(8);
    await card.getByRole('button', { name: 'I have saved these codes' }).click();

    await expectText(passkeysCard().locator('.passkey'), 'Laptop');
    await expectText(passkeysCard().locator('.passkey'), 'Never used');
    await expectText(appCard(), 'Two-factor is on with your passkeys.');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
  });

  it('adds the authenticator app beside the passkey (no new codes), and renames the passkey', async () => {
    const app = appCard();
    await app.getByRole('button', { name: 'Add an authenticator app' }).click();
    await app.getByLabel('Current password').fill(DEMO_PASSWORD);
    await app.getByRole('button', { name: 'Continue' }).click();
    const secret = await secretOnPage(page);
    await app.getByLabel('6-digit code').fill(totpCode(secret, t.clock.epochMs));
    await app.getByRole('button', { name: 'Confirm and enable' }).click();
    await expectText(app, 'Your recovery codes are unchanged.');
    t.clock.advance(30_000);

    const row = passkeysCard().locator('.passkey').first();
    await row.getByRole('button', { name: 'Rename' }).click();
    await row.getByLabel('New name').fill('Work laptop');
    await row.getByRole('button', { name: 'Save name' }).click();
    await expectText(passkeysCard().locator('.passkey-name'), 'Work laptop');
    await screenshot(page, 'profile-passkeys');
  });

  it('signs out, opens Billing and passes its challenge with the passkey', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await heading(page, 'Sign in').waitFor();
    await signIn(page, OWNER.email);
    await page.getByRole('link', { name: 'Open Billing' }).click();
    await heading(page, 'Two-factor verification').waitFor();
    // The passkey comes first; the code and the recovery code stay beside it.
    await page.getByRole('button', { name: 'Use a passkey' }).waitFor();
    await page.getByRole('button', { name: 'Use the code from your authenticator app instead' }).waitFor();
    await page.getByRole('button', { name: 'Use a recovery code' }).waitFor();
    await screenshot(page, 'challenge-passkey');
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await heading(page, 'Billing').waitFor();
    await expectText(page.locator('main'), 'You’re in Billing.');
  });

  it('removes the authenticator app, and refuses to remove the last passkey', async () => {
    await nav(page, 'My profile').click();
    await expectText(passkeysCard().locator('.passkey'), 'Last used');
    const app = appCard();
    await app.getByText('Remove authenticator app', { exact: true }).first().click();
    await app.locator('.remove-totp').getByLabel('Current password').fill(DEMO_PASSWORD);
    await app.getByRole('button', { name: 'Remove authenticator app' }).click();
    await expectText(app, 'Authenticator app removed.');

    const row = passkeysCard().locator('.passkey').first();
    await row.getByRole('button', { name: 'Remove' }).click();
    await row.getByLabel('Current password').fill(DEMO_PASSWORD);
    await row.getByRole('button', { name: 'Remove passkey' }).click();
    await expectText(row.getByRole('alert'), 'This is your last second factor here');
    await expectText(passkeysCard().locator('.passkey-name'), 'Work laptop');
    await screenshot(page, 'passkey-last-factor');
  });

  it('sets up two-factor with a passkey instead of the app where Billing requires it', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await heading(page, 'Sign in').waitFor();
    await signIn(page, AGENT.email);
    await page.getByRole('link', { name: 'Open Billing' }).click();
    await heading(page, 'Set up two-factor authentication').waitFor();
    const card = page.getByRole('region', { name: 'Passkeys in Acme Support', exact: true });
    await card.getByText('Add a passkey').click();
    await card.getByLabel('Name').fill('Phone');
    await card.getByLabel('Current password').fill(DEMO_PASSWORD);
    await screenshot(page, 'setup-passkey');
    await card.getByRole('button', { name: 'Add passkey' }).click();
    await expectText(card.getByRole('heading', { name: 'Save these recovery codes — shown ONCE' }), 'shown ONCE');
    await card.getByRole('link', { name: 'Continue to Billing' }).click();
    await heading(page, 'Billing').waitFor();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(2); // one per (agent, tenant): the owner's and the agent's
  });
});

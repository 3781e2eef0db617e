import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, enrol, PASSWORD, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { startIdentityProvider, TestIdentityProvider } from '../helpers/oidc-provider';
import { memberAt, useProvider } from '../helpers/sso';
import { totpCode } from '../helpers/totp';
import { ensureConsoleBuilt, expectText, heading, launchBrowser, newPage, screenshot, signIn } from './browser';

/**
 * Single sign-on in a real browser, against a real OpenID provider (oidc-provider on 127.0.0.1, its login page a
 * button the test presses): the address typed on the sign-in page offers the tenant's SSO, the provider signs in,
 * the gateway's callback sets the session cookie and returns to the console, and the tenant's own second factor
 * is asked (or, where the tenant trusts the provider's multi-factor sign-in, is not).
 */
describe('web console: single sign-on through the tenant identity provider', () => {
  let t: TestGateway;
  let idp: TestIdentityProvider;
  let browser: Browser;

  beforeAll(async () => {
    ensureConsoleBuilt();
    // PORT 0: PUBLIC_URL is where the gateway listens, the provider's redirect URI the real callback.
    [t, browser] = await Promise.all([startTestGateway('sqlite', { PORT: '0' }), launchBrowser()]);
    idp = await startIdentityProvider({ redirectUri: `${t.url}/sso/callback` });
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.close();
    await t?.close();
  });

  /** From the workspace's address, signed out: the sign-in page, the e-mail, the SSO button, the provider's login. */
  async function signInThroughProvider(tenant: TestTenant, email: string, tenantName: string) {
    const { context, page } = await newPage(browser, t);
    await page.goto(`/workspaces/${tenant.secureWorkspaceId}`);
    await heading(page, 'Sign in').waitFor();
    await page.getByLabel('Email').fill(email);
    const button = page.getByRole('button', { name: `Continue with ${tenantName} SSO` });
    await button.waitFor();
    await screenshot(page, 'sign-in-sso');
    await button.click();
    await page.getByRole('heading', { name: 'Test identity provider' }).waitFor();
    await page.getByRole('button', { name: 'Sign in at the provider' }).click();
    return { context, page };
  }

  it("asks for the tenant's TOTP after the provider's sign-in, then opens the workspace", async () => {
    const tenant = await createTenant(t, { twoFactor: true, name: 'Northwind' });
    await useProvider(tenant, idp, ['northwind.test']);
    const agent = await memberAt(t, tenant, 'northwind.test', 'nadia');
    const { secret } = await enrol(t, agent, tenant.id);
    idp.script({ sub: 'nadia-at-the-provider', email: agent.email, amr: ['pwd'], interactive: true });

    const { context, page } = await signInThroughProvider(tenant, agent.email, 'Northwind');
    await heading(page, 'Two-factor verification').waitFor();
    // The session is the gateway's HttpOnly cookie: no script of the page holds a token.
    const cookie = (await context.cookies()).find((c) => c.name === 'gateway_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate('document.cookie')).not.toContain('gateway_session');
    await page.getByLabel('6-digit code').fill(totpCode(secret, t.clock.epochMs));
    await page.getByRole('button', { name: /^Verify/ }).click();
    await heading(page, 'Billing').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/workspaces/${tenant.secureWorkspaceId}`);
    await context.close();
  });

  it("with trustProviderMfa and an amr of ['pwd', 'otp'], goes straight to the workspace", async () => {
    const tenant = await createTenant(t, { twoFactor: true, name: 'Contoso' });
    await useProvider(tenant, idp, ['contoso.test'], { trustProviderMfa: true });
    const agent = await memberAt(t, tenant, 'contoso.test', 'carla');
    await enrol(t, agent, tenant.id);
    idp.script({ sub: 'carla-at-the-provider', email: agent.email, amr: ['pwd', 'otp'], interactive: true });

    const { context, page } = await signInThroughProvider(tenant, agent.email, 'Contoso');
    await heading(page, 'Billing').waitFor();
    expect(await page.getByRole('heading', { name: 'Two-factor verification' }).count()).toBe(0);
    await context.close();
  });

  it('a refused sign-in ends on a page that says what happened, signed out', async () => {
    const tenant = await createTenant(t, { twoFactor: true, name: 'Fabrikam' });
    await useProvider(tenant, idp, ['fabrikam.test']);
    const agent = await memberAt(t, tenant, 'fabrikam.test', 'farid');
    idp.script({ sub: 'farid-at-the-provider', email: agent.email, emailVerified: false, interactive: true });
    const { context, page } = await signInThroughProvider(tenant, agent.email, 'Fabrikam');
    await heading(page, 'Single sign-on').waitFor();
    await expectText(page.getByRole('alert'), 'has not verified your e-mail address');
    expect((await context.cookies()).some((c) => c.name === 'gateway_session')).toBe(false);
    await context.close();
  });
});

describe('web console: the identity-provider card of the admin console', () => {
  let t: TestGateway;
  let idp: TestIdentityProvider;
  let browser: Browser;

  beforeAll(async () => {
    ensureConsoleBuilt();
    [t, browser] = await Promise.all([startTestGateway('sqlite', { PORT: '0' }), launchBrowser()]);
    idp = await startIdentityProvider({ redirectUri: `${t.url}/sso/callback` });
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.close();
    await t?.close();
  });

  it('the owner sets the provider (the secret write-only), and Test sign-in comes back to the admin console', async () => {
    const tenant = await createTenant(t, { twoFactor: true, name: 'Woodgrove' });
    const { context, page } = await newPage(browser, t);
    await signIn(page, tenant.owner.email, PASSWORD);
    await page.goto(`/admin/${tenant.id}`);
    const card = page.getByRole('region', { name: 'Single sign-on (identity provider)' });
    await card.getByLabel('Issuer').fill(idp.issuer);
    await card.getByLabel('Client id').fill(idp.clientId);
    await card.getByLabel('Client secret').fill(idp.clientSecret);
    // The owner's own address is of example.test: the test sign-in below is the owner's.
    await card.getByLabel('E-mail domains').fill('woodgrove.test, example.test');
    await card.getByRole('button', { name: 'Set identity provider' }).click();
    await expectText(page.getByRole('status').first(), 'The identity provider is saved.');
    await screenshot(page, 'admin-identity-provider');
    // Write-only: the field comes back empty, and the page never held the secret.
    expect(await card.getByLabel('Client secret').inputValue()).toBe('');
    expect(await page.content()).not.toContain(idp.clientSecret);
    const [row] = await t.gateway.db.manager.query('SELECT client_secret_ciphertext FROM identity_providers WHERE tenant_id = ?', [tenant.id]);
    expect(row.client_secret_ciphertext).toMatch(/^v1\./);

    idp.script({ sub: 'woodgrove-owner', email: tenant.owner.email, interactive: true });
    await card.getByRole('button', { name: 'Test sign-in' }).click();
    await page.getByRole('button', { name: 'Sign in at the provider' }).click();
    await heading(page, 'Admin console').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/admin/${tenant.id}`);
    await context.close();
  });
});

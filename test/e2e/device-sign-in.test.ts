import { hostname } from 'node:os';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInDocument, TenantsDocument } from '../../src/client/generated/graphql';
import { seedDemoData } from '../../src/demo/demo-data';
import { assertCliBuilt, CliUser, RunningCli } from '../cli/cli-process';
import { freePort } from '../hardening/harness';
import type { TcpProxy } from '../hardening/tcp-proxy';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { DEMO_PASSWORD, ensureConsoleBuilt, expectText, heading, launchBrowser, nav, openWithAuthenticator, OWNER, screenshot, signIn } from './browser';

/**
 * Device sign-in end to end: the built CLI runs `login --web --no-browser --tenant …`, prints the console's page and
 * a code; Chromium (a CDP virtual authenticator holding the owner's only second factor, a passkey) opens the page,
 * types the code, approves after answering the passkey, and the CLI finishes signed in with the tenant's standing.
 * The gateway runs in-process on a test clock, moved on with real time here so the CLI's 5 s polls count as such.
 */
describe('device sign-in: tenant-2fa login --web approved in the console', () => {
  let t: TestGateway;
  let proxy: TcpProxy;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let cli: CliUser;
  let tenantId = '';
  let ticker: NodeJS.Timeout;
  const running: RunningCli[] = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    assertCliBuilt();
    const port = await freePort();
    const origin = `http://localhost:${port}`;
    [t, browser] = await Promise.all([startTestGateway('sqlite', { WEBAUTHN_RP_ID: 'localhost', WEBAUTHN_ORIGINS: origin, PUBLIC_URL: origin }), launchBrowser()]);
    ticker = setInterval(() => t.clock.advance(250), 250);
    await seedDemoData(t.gateway.services);
    const { signIn: owner } = await t.client.ok(SignInDocument, { email: OWNER.email, password: DEMO_PASSWORD });
    const { tenants } = await t.client.withToken(owner.token).ok(TenantsDocument, {});
    tenantId = tenants.find((tenant) => tenant.name === 'Acme Support')!.id;
    ({ proxy, context, page, cdp } = await openWithAuthenticator(browser, t, port));
    cli = new CliUser(`${t.url}/graphql`);
  });

  afterAll(async () => {
    clearInterval(ticker);
    for (const run of running) run.kill();
    await context?.close().catch(() => undefined);
    await browser?.close();
    await proxy?.cut();
    await t?.close();
    cli?.remove();
  });

  const loginWeb = () => {
    const run = new RunningCli(cli, ['login', '--web', '--no-browser', '--tenant', tenantId]);
    running.push(run);
    return run;
  };

  /** Reads the page and the code from the CLI's output, opens the page, types the code. */
  async function openApprovalPage(run: RunningCli): Promise<string> {
    const [, url] = await run.waitFor(/open (\S+) in a browser/);
    const [, code] = await run.waitFor(/shows the code ([A-Z]{4}-[A-Z]{4})/);
    await page.goto(url);
    await heading(page, 'Sign in a device').waitFor();
    await page.getByLabel('Code shown in your terminal').fill(code.toLowerCase());
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectText(page.locator('.device-code'), code);
    return code;
  }

  it("the owner's only second factor in Acme Support is a passkey, added in the browser", async () => {
    await signIn(page, OWNER.email);
    await nav(page, 'My profile').click();
    const card = page.getByRole('region', { name: 'Passkeys in Acme Support', exact: true });
    await card.getByText('Add a passkey').click();
    await card.getByLabel('Name').fill('Laptop');
    await card.getByLabel('Current password').fill(DEMO_PASSWORD);
    await card.getByRole('button', { name: 'Add passkey' }).click();
    await card.getByRole('button', { name: 'I have saved these codes' }).click();
    // A browser session of its own, which has not passed the factor: the approval asks for it.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await heading(page, 'Sign in').waitFor();
    await signIn(page, OWNER.email);
  });

  it('login --web prints the page and the code; approved after the passkey, the CLI exits 0 holding the tenant, and its commands work', async () => {
    const run = loginWeb();
    await openApprovalPage(run);
    const request = page.locator('.device-request');
    await expectText(request, `tenant-2fa on ${hostname()}`);
    await expectText(request, '127.0.0.1');
    await expectText(request, 'tenant-2fa CLI');
    await expectText(request, 'Acme Support');
    await screenshot(page, 'device-sign-in');
    await request.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog');
    await expectText(dialog, 'Verify it is you');
    await dialog.getByRole('button', { name: 'Use a passkey' }).click();
    await expectText(request, 'Approved. Return to your terminal');

    expect(await run.exited, run.stderr).toBe(0);
    expect(run.stdout).toContain(`as ${OWNER.email}`);
    const status = await cli.run(['auth', 'status', '--tenant', 'Acme Support']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('Laptop');
    // No terminal to answer a challenge: entering works only because the session holds the tenant's factor.
    const entered = await cli.run(['enter', 'Acme Support', '--workspace', 'Billing']);
    expect(entered.code, entered.stderr).toBe(0);
    expect(entered.stdout).toContain('GRANTED  Acme Support / Billing');

    await nav(page, 'My profile').click();
    const sessions = page.getByRole('region', { name: 'Sessions' });
    await expectText(sessions, `tenant-2fa on ${hostname()}`);
    const listed = await cli.run(['sessions', 'list']);
    expect(listed.stdout).toContain(`tenant-2fa on ${hostname()}`);
  });

  it('a denied sign-in ends the CLI with exit code 3 and keeps nothing; the link signs the browser in first', async () => {
    expect((await cli.run(['whoami'])).code).toBe(0);
    await cli.run(['logout']);
    const run = loginWeb();
    const [, link] = await run.waitFor(/\(or open (\S+)\)/);
    const [, code] = await run.waitFor(/shows the code ([A-Z]{4}-[A-Z]{4})/);
    // Another browser, not signed in: the link asks for the sign-in, then shows the request.
    const other = await browser.newContext({ baseURL: new URL(link).origin, locale: 'en-GB', timezoneId: 'UTC' });
    try {
      const fresh = await other.newPage();
      fresh.setDefaultTimeout(10_000);
      await fresh.goto(link);
      await fresh.getByLabel('Email').fill(OWNER.email);
      await fresh.getByLabel('Password').fill(DEMO_PASSWORD);
      await fresh.getByRole('button', { name: 'Sign in' }).click();
      await heading(fresh, 'Sign in a device').waitFor();
      await expectText(fresh.locator('.device-code'), code);
      await fresh.locator('.device-request').getByRole('button', { name: 'Deny' }).click();
      await expectText(fresh.locator('.device-request'), 'Denied.');
    } finally {
      await other.close();
    }
    expect(await run.exited).toBe(3);
    expect(run.stderr).toContain('ACCESS_DENIED');
    expect((await cli.run(['whoami'])).code).toBe(3);
  });
});

import { hostname } from 'node:os';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, CliUser, RunningCli } from '../cli/cli-process';
import { createTenant, enrol } from '../helpers/fixtures';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { startIdentityProvider, type TestIdentityProvider } from '../helpers/oidc-provider';
import { memberAt, useProvider } from '../helpers/sso';
import { totpCode } from '../helpers/totp';
import { ensureConsoleBuilt, expectText, heading, launchBrowser, newPage } from './browser';

/**
 * `tenant-2fa login --sso` end to end: the built CLI finds the tenant whose identity provider serves the address,
 * prints the console's /device page with `sso=<tenant>`; Chromium, signed in nowhere, opens it and lands on the
 * provider (oidc-provider on 127.0.0.1, its login a button), comes back to the request, approves (the tenant's
 * TOTP first where it applies: the provider's sign-in never counts for an approval), and the CLI exits signed in. The
 * gateway runs on a test clock moved on with real time, so the CLI's 5 s polls count as such.
 */
describe('tenant-2fa login --sso: device sign-in through the tenant identity provider', () => {
  let t: TestGateway;
  let idp: TestIdentityProvider;
  let browser: Browser;
  let ticker: NodeJS.Timeout;
  const running: RunningCli[] = [];
  const users: CliUser[] = [];

  beforeAll(async () => {
    ensureConsoleBuilt();
    assertCliBuilt();
    // PORT 0: PUBLIC_URL is where the gateway listens, so the CLI's page and the provider's redirect URI are real.
    [t, browser] = await Promise.all([startTestGateway('sqlite', { PORT: '0', LOG_LEVEL: 'silent' }), launchBrowser()]);
    ticker = setInterval(() => t.clock.advance(250), 250);
    idp = await startIdentityProvider({ redirectUri: `${t.url}/sso/callback` });
  });
  afterAll(async () => {
    clearInterval(ticker);
    for (const run of running) run.kill();
    for (const user of users) user.remove();
    await browser?.close();
    await idp?.close();
    await t?.close();
  });

  /** `login --sso --email … --no-browser`; answers the run, the page it printed and the code. */
  async function loginSso(email: string) {
    const cli = new CliUser(`${t.url}/graphql`);
    users.push(cli);
    const run = new RunningCli(cli, ['login', '--sso', '--email', email, '--no-browser']);
    running.push(run);
    const [, url] = await run.waitFor(/open (\S+) in a browser/);
    const [, code] = await run.waitFor(/shows the code ([A-Z]{4}-[A-Z]{4})/);
    return { cli, run, url, code };
  }

  it("lands on the provider, then the request; approved with the tenant's TOTP, the CLI exits 0 holding the tenant", async () => {
    const tenant = await createTenant(t, { twoFactor: true, name: 'Northwind' });
    await useProvider(tenant, idp, ['northwind.test']);
    const agent = await memberAt(t, tenant, 'northwind.test', 'nadia');
    const { secret } = await enrol(t, agent, tenant.id);
    t.clock.advance(30_000); // the enrolment's TOTP step is spent
    idp.script({ sub: 'nadia-at-the-provider', email: agent.email, amr: ['pwd'], interactive: true });

    const { cli, run, url, code } = await loginSso(agent.email);
    expect(run.stderr).toContain("through Northwind's identity provider");
    expect(new URL(url).pathname).toBe('/device');
    expect(new URL(url).searchParams.get('sso')).toBe(tenant.id);

    const { context, page } = await newPage(browser, t);
    await page.goto(url);
    // No session here: straight to the provider, never the password form.
    await page.getByRole('heading', { name: 'Test identity provider' }).waitFor();
    await page.getByRole('button', { name: 'Sign in at the provider' }).click();
    await heading(page, 'Sign in a device').waitFor();
    expect(new URL(page.url()).searchParams.get('code')).toBe(code);
    const request = page.locator('.device-request');
    await expectText(page.locator('.device-code'), code);
    await expectText(request, `tenant-2fa on ${hostname()}`);
    await expectText(request, 'Northwind');
    await request.getByRole('button', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog');
    await expectText(dialog, 'Verify it is you');
    await dialog.getByLabel('6-digit code, or a recovery code').fill(totpCode(secret, t.clock.epochMs));
    await dialog.getByRole('button', { name: 'Verify and continue' }).click();
    await expectText(request, 'Approved. Return to your terminal');

    expect(await run.exited, run.stderr).toBe(0);
    expect(run.stdout).toContain(`as ${agent.email}`);
    const status = await cli.run(['auth', 'status', '--tenant', 'Northwind']);
    expect(status.code, status.stderr).toBe(0);
    // No terminal to answer a challenge: entering works only because the session holds the tenant's factor.
    const entered = await cli.run(['enter', 'Northwind', '--workspace', 'Billing']);
    expect(entered.code, entered.stderr).toBe(0);
    expect(entered.stdout).toContain('GRANTED  Northwind / Billing');
    await context.close();
  });

  it("where the tenant's second factor does not apply to the agent, the approval asks for no code", async () => {
    const tenant = await createTenant(t, { twoFactor: false, name: 'Contoso' });
    await useProvider(tenant, idp, ['contoso.test']);
    const agent = await memberAt(t, tenant, 'contoso.test', 'carla');
    idp.script({ sub: 'carla-at-the-provider', email: agent.email, amr: ['pwd'], interactive: true });

    const { cli, run, url, code } = await loginSso(agent.email);
    const { context, page } = await newPage(browser, t);
    await page.goto(url);
    await page.getByRole('button', { name: 'Sign in at the provider' }).click();
    await expectText(page.locator('.device-code'), code);
    const request = page.locator('.device-request');
    await request.getByRole('button', { name: 'Approve' }).click();
    await expectText(request, 'Approved. Return to your terminal');
    expect(await page.getByRole('dialog').count()).toBe(0);

    expect(await run.exited, run.stderr).toBe(0);
    const whoami = await cli.run(['whoami']);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(whoami.stdout).toContain(agent.email);
    await context.close();
  });
});

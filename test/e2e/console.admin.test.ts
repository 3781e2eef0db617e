import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddTenantMemberDocument,
  BeginTotpEnrolmentDocument,
  ConfirmTotpEnrolmentDocument,
  EnterTenantDocument,
  SignInDocument,
  SignUpDocument,
  TenantsDocument,
} from '../../src/client/generated/graphql';
import type { GraphQLClient } from '../helpers/client';
import type { TestGateway } from '../helpers/gateway';
import { totpCode } from '../helpers/totp';
import { AGENT, DEMO_PASSWORD, ensureConsoleBuilt, expectText, heading, launchBrowser, nav, newPage, OWNER, screenshot, signIn, startDemoGateway } from './browser';

/**
 * The admin console in a real browser: the owner of Acme Support (enrolled, so the console routes through
 * Acme's challenge first) meets the hierarchy warning, the policy, the agent list's 2FA filter, and the
 * confirmed Reset 2FA and Revoke sessions; an agent gets no console.
 */
describe('web console: admin console', () => {
  let t: TestGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let acmeId = '';
  let ownerSecret = '';
  let agentApi: GraphQLClient;

  const signInApi = async (email: string): Promise<GraphQLClient> => {
    const { signIn: session } = await t.client.ok(SignInDocument, { email, password: DEMO_PASSWORD });
    return t.client.withToken(session.token);
  };

  /** Enrols through the API (another session), with a code computed here; answers the secret. */
  const enrolInAcme = async (api: GraphQLClient): Promise<string> => {
    const { beginTotpEnrolment } = await api.ok(BeginTotpEnrolmentDocument, { tenantId: acmeId, password: DEMO_PASSWORD });
    await api.ok(ConfirmTotpEnrolmentDocument, { tenantId: acmeId, code: totpCode(beginTotpEnrolment.secret, t.clock.epochMs) });
    return beginTotpEnrolment.secret;
  };

  const agentRows = async () => {
    const rows = await page.locator('tbody tr[data-agent-email]').all();
    return Promise.all(rows.map((row) => row.getAttribute('data-agent-email')));
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    [t, browser] = await Promise.all([startDemoGateway(), launchBrowser()]);

    const ownerApi = await signInApi(OWNER.email);
    acmeId = (await ownerApi.ok(TenantsDocument)).tenants.find((tenant) => tenant.name === 'Acme Support')!.id;
    ownerSecret = await enrolInAcme(ownerApi);
    agentApi = await signInApi(AGENT.email);
    await enrolInAcme(agentApi);
    await t.client.ok(SignUpDocument, { email: 'nadia@demo.test', password: DEMO_PASSWORD, name: 'Nadia New' });
    await ownerApi.ok(AddTenantMemberDocument, { tenantId: acmeId, email: 'nadia@demo.test', role: 'AGENT' });
    t.clock.advance(30_000);

    ({ context, page } = await newPage(browser, t));
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('routes the owner through Acme’s challenge before the console opens', async () => {
    await signIn(page, OWNER.email);
    await nav(page, 'Admin').click();
    await heading(page, 'Admin console').waitFor();
    await page.getByRole('link', { name: 'Open the admin console of Acme Support' }).click();

    await heading(page, 'Two-factor verification').waitFor();
    await expectText(page.locator('main'), 'Verifying for Acme Support.');
    await page.getByLabel('6-digit code').fill(totpCode(ownerSecret, t.clock.epochMs));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();

    await heading(page, 'Admin console').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/admin/${acmeId}`);
    await expectText(page.locator('main'), 'Acme Support · you are owner');
    expect(await agentRows()).toEqual([OWNER.email, AGENT.email, 'nadia@demo.test']);
    await expectText(page.getByRole('region', { name: 'Audit log' }), 'Two-factor enabled');
    await screenshot(page, 'admin-console');
  });

  it('warns which workspaces still require 2FA when the tenant switch goes off, and holds workspace toggles while it is off', async () => {
    const tenantSwitch = page.getByRole('switch', { name: 'Two-factor authentication for Acme Support' });
    const billing = page.getByRole('switch', { name: 'Billing requires two-factor' });
    const lobby = page.getByRole('switch', { name: 'Lobby requires two-factor' });
    expect(await tenantSwitch.isChecked()).toBe(true);
    expect(await billing.isChecked()).toBe(true);

    await tenantSwitch.click();
    const warning = page.locator('.hierarchy-warning');
    await expectText(warning, 'Two-factor is still required in these workspaces:');
    expect(await warning.getByRole('listitem').allInnerTexts()).toEqual(['Billing']);
    expect(await tenantSwitch.isChecked()).toBe(true);
    await screenshot(page, 'admin-hierarchy-warning');

    await billing.click();
    await expectText(page.locator('main').getByRole('status').first(), 'Billing no longer requires two-factor.');
    await tenantSwitch.click();
    await expectText(page.locator('main').getByRole('status').first(), 'Two-factor authentication is off for Acme Support.');
    expect(await tenantSwitch.isChecked()).toBe(false);
    expect(await billing.isDisabled()).toBe(true);
    expect(await lobby.isDisabled()).toBe(true);
    expect(await page.getByLabel('Policy').isDisabled()).toBe(true);
    await expectText(page.locator('main'), 'Turn on two-factor for the tenant first');

    await tenantSwitch.click();
    await expectText(page.locator('main').getByRole('status').first(), 'Two-factor authentication is on for Acme Support.');
    expect(await billing.isDisabled()).toBe(false);
    await billing.click();
    await expectText(page.locator('main').getByRole('status').first(), 'Billing now requires two-factor.');
    await expectText(page.getByRole('region', { name: 'Audit log' }), 'Workspace two-factor changed');
  });

  it('sets the policy, and the tenant switch then says the policy still requires 2FA', async () => {
    await page.getByLabel('Policy').selectOption('REQUIRED_FOR_ADMINS');
    await page.getByRole('button', { name: 'Apply policy' }).click();
    await expectText(page.locator('main').getByRole('status').first(), 'Policy set to Required for admins.');

    await page.getByRole('switch', { name: 'Billing requires two-factor' }).click();
    await expectText(page.locator('main').getByRole('status').first(), 'Billing no longer requires two-factor.');
    const tenantSwitch = page.getByRole('switch', { name: 'Two-factor authentication for Acme Support' });
    await tenantSwitch.click();
    await expectText(page.locator('.hierarchy-warning'), 'The tenant policy still requires two-factor authentication. Set the policy to Optional first.');
    expect(await tenantSwitch.isChecked()).toBe(true);

    await page.getByLabel('Policy').selectOption('OPTIONAL');
    await page.getByRole('button', { name: 'Apply policy' }).click();
    await expectText(page.locator('main').getByRole('status').first(), 'Policy set to Optional.');
  });

  it('renames the issuer for new set-ups, and says existing app entries keep their name', async () => {
    const section = page.getByRole('region', { name: 'Authenticator app name' });
    await expectText(section, 'agents who already added this tenant to their app keep the name they scanned');
    const name = section.getByLabel('Name in authenticator apps (issuer)');
    expect(await name.inputValue()).toBe('Acme Support');
    await name.fill('Acme Helpdesk');
    await section.getByRole('button', { name: 'Save name' }).click();
    await expectText(page.locator('main').getByRole('status').first(), 'Authenticator apps will show “Acme Helpdesk” for new set-ups. Existing entries keep their name.');
    await expectText(page.getByRole('region', { name: 'Audit log' }).locator('tbody tr').first(), 'Issuer changed');

    await name.fill('Acme: Support');
    await section.getByRole('button', { name: 'Save name' }).click();
    expect(await name.evaluate((input) => (input as unknown as { validity: { patternMismatch: boolean } }).validity.patternMismatch)).toBe(true);
  });

  it('filters the agents by 2FA status', async () => {
    await page.getByLabel('2FA enabled', { exact: true }).check();
    await expectText(page.getByRole('region', { name: 'Agents' }), '2 agents with two-factor enabled.');
    expect(await agentRows()).toEqual([OWNER.email, AGENT.email]);

    await page.getByLabel('2FA not enabled', { exact: true }).check();
    await expectText(page.getByRole('region', { name: 'Agents' }), '1 agent without two-factor enabled.');
    expect(await agentRows()).toEqual(['nadia@demo.test']);
    await expectText(page.locator('tr[data-agent-email="nadia@demo.test"]'), 'Not configured');

    await page.getByLabel('All', { exact: true }).check();
    await expectText(page.getByRole('region', { name: 'Agents' }), '3 agents.');
    const owner = page.locator(`tr[data-agent-email="${OWNER.email}"]`);
    await expectText(owner, 'with 2FA');
    await expectText(owner, 'Enabled');
    await screenshot(page, 'admin-agents');
  });

  it('revokes an agent’s sessions and resets their 2FA, each after a confirmation', async () => {
    const aaron = page.locator(`tr[data-agent-email="${AGENT.email}"]`);
    await aaron.getByRole('button', { name: 'Revoke sessions of Aaron Agent' }).click();
    const revokeDialog = page.getByRole('dialog', { name: 'Revoke the sessions of Aaron Agent?' });
    await expectText(revokeDialog, 'must pass this tenant’s verification again');
    await revokeDialog.getByRole('button', { name: 'Revoke sessions' }).click();
    await expectText(page.locator('main').getByRole('status').first(), 'Revoked 1 session of agent@demo.test in Acme Support.');
    const { enterTenant } = await agentApi.ok(EnterTenantDocument, { tenantId: acmeId });
    expect(enterTenant.status).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');

    await aaron.getByRole('button', { name: 'Reset 2FA for Aaron Agent' }).click();
    const resetDialog = page.getByRole('dialog', { name: 'Reset two-factor for Aaron Agent?' });
    await resetDialog.getByRole('button', { name: 'Cancel' }).click();
    await expectText(aaron, 'Enabled');

    await aaron.getByRole('button', { name: 'Reset 2FA for Aaron Agent' }).click();
    await resetDialog.getByRole('button', { name: 'Reset 2FA' }).click();
    await expectText(page.locator('main').getByRole('status').first(), 'Two-factor reset for agent@demo.test in Acme Support.');
    await expectText(aaron, 'Not configured');
    // Disabled, with the reason beside it and as the button's description.
    const disabledReset = aaron.getByRole('button', { name: 'Reset 2FA for Aaron Agent' });
    expect(await disabledReset.isDisabled()).toBe(true);
    await expectText(aaron, 'Nothing to reset: two-factor is not set up.');
    expect(await disabledReset.evaluate((button) => document.getElementById(button.getAttribute('aria-describedby') ?? '')?.textContent)).toBe('Nothing to reset: two-factor is not set up.');
    await expectText(page.getByRole('region', { name: 'Audit log' }).locator('tbody tr').first(), 'Two-factor reset by an admin');
  });

  it('searches the agents by name or email, and opens one agent’s details with the same actions', async () => {
    const agents = page.getByRole('region', { name: 'Agents' });
    const search = page.getByRole('searchbox', { name: 'Search agents by name or email' });
    await search.fill('NADIA');
    await expectText(agents, '1 agent matching “NADIA”.');
    expect(await agentRows()).toEqual(['nadia@demo.test']);
    await search.fill('demo.test');
    await expectText(agents, '3 agents matching “demo.test”.');
    await search.fill('');
    await expectText(agents, '3 agents.');

    await page.getByRole('link', { name: OWNER.name }).click();
    await heading(page, OWNER.name).waitFor();
    expect(new URL(page.url()).pathname).toMatch(new RegExp(`^/admin/${acmeId}/agents/[0-9a-f-]{36}$`));
    const fact = (name: string) => page.locator(`dd[data-fact="${name}"]`);
    await expectText(fact('Two-factor'), 'Enabled');
    await expectText(fact('Methods'), 'Authenticator app, Recovery codes');
    await expectText(fact('Recovery codes left'), '8');
    await expectText(fact('Last sign-in'), 'with 2FA');
    expect(await page.getByRole('button', { name: `Reset 2FA for ${OWNER.name}` }).isDisabled()).toBe(false);
    await page.getByRole('button', { name: `Revoke sessions of ${OWNER.name}` }).click();
    await expectText(page.getByRole('dialog', { name: `Revoke the sessions of ${OWNER.name}?` }), 'This is you: this session too.');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('link', { name: '← Back to the admin console' }).click();
    await heading(page, 'Admin console').waitFor();
  });

  it('filters the audit log by action and agent, and exports the filtered log as CSV', async () => {
    const audit = page.getByRole('region', { name: 'Audit log' });
    const rows = audit.locator('tbody tr');
    await audit.getByLabel('Action').selectOption('TWO_FACTOR_ENABLED');
    await audit.getByRole('button', { name: 'Apply filter' }).click();
    await expect.poll(async () => new Set(await rows.locator('td:nth-child(2)').allInnerTexts())).toEqual(new Set(['Two-factor enabled']));
    await audit.getByLabel('Agent email (actor or subject)').fill(AGENT.email);
    await audit.getByRole('button', { name: 'Apply filter' }).click();
    await expect.poll(() => rows.locator('td:nth-child(4)').allInnerTexts()).toEqual([AGENT.email]);
    await expectText(rows.first(), '127.0.0.1');

    const downloading = page.waitForEvent('download');
    await audit.getByRole('button', { name: 'Export CSV' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(new RegExp(`^audit-log-${acmeId}-.*\\.csv$`));
    const csv = await new Promise<string>((resolve, reject) => {
      void download.createReadStream().then((stream) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        stream.on('error', reject);
      }, reject);
    });
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('at,action,method,actor,subject,workspace,client_ip,event_id');
    expect(lines.slice(1).map((line) => line.split(',').slice(1, 5))).toEqual([['TWO_FACTOR_ENABLED', '', AGENT.email, AGENT.email]]);
    await expectText(audit.getByRole('status'), 'Exported 1 event.');
    // The count speaks of the filter it was made with: changing the filter takes it away.
    await audit.getByLabel('Action').selectOption('SESSIONS_REVOKED');
    await expect.poll(() => audit.getByRole('status').innerText()).toBe('');

    await audit.getByLabel('Agent email (actor or subject)').fill('nobody@demo.test');
    await audit.getByRole('button', { name: 'Apply filter' }).click();
    await expectText(audit.getByRole('alert'), 'No member of Acme Support has the email nobody@demo.test.');
    await audit.getByLabel('Agent email (actor or subject)').fill('');
    await audit.getByLabel('Action').selectOption('');
    await audit.getByRole('button', { name: 'Apply filter' }).click();
    await expect.poll(() => rows.count()).toBeGreaterThan(3);
  });

  it('makes recovery codes viewable, and the owner shows theirs again from the profile behind the password', async () => {
    await page.goto(`/admin/${acmeId}`);
    const section = page.getByRole('region', { name: 'Recovery codes' });
    await section.getByLabel('Recovery codes').selectOption('VIEWABLE');
    await section.getByLabel('Replace a used code with a fresh one, so each agent keeps 8').check();
    await section.getByRole('button', { name: 'Save recovery code setting' }).click();
    await expectText(page.locator('main').getByRole('status').first(), 'Agents can view their recovery codes again, and used codes are replaced.');
    await expectText(page.getByRole('region', { name: 'Audit log' }).locator('tbody tr').first(), 'Recovery code visibility changed');

    await nav(page, 'My profile').click();
    const acme = page.getByRole('region', { name: 'Acme Support', exact: true });
    const showCodes = acme.locator('details.show-codes');
    await showCodes.locator('summary').click();
    await showCodes.getByLabel('Current password').fill(DEMO_PASSWORD);
    await acme.getByRole('button', { name: 'Show recovery codes' }).click();
    await expectText(acme, 'None of your codes can be shown: they were issued before Acme Support made codes viewable.');

    await acme.getByRole('button', { name: 'Regenerate recovery codes' }).click();
    await acme.getByLabel('Current password').first().fill(DEMO_PASSWORD);
    await acme.getByRole('button', { name: 'Generate new codes' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Generate new codes' }).click();
    await acme.getByRole('list', { name: 'Recovery codes' }).waitFor();
    const issued = await acme.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allInnerTexts();
    expect(issued).toHaveLength(8);
    await acme.getByRole('button', { name: 'I have saved these codes' }).click();

    await showCodes.locator('summary').click();
    await showCodes.getByLabel('Current password').fill('wrong password');
    await acme.getByRole('button', { name: 'Show recovery codes' }).click();
    await expectText(showCodes.getByRole('alert'), 'Password did not match. Nothing was changed.');
    await showCodes.getByLabel('Current password').fill(DEMO_PASSWORD);
    await acme.getByRole('button', { name: 'Show recovery codes' }).click();
    await expect.poll(() => acme.getByRole('list', { name: 'Your recovery codes' }).getByRole('listitem').allInnerTexts()).toEqual(issued);
    await screenshot(page, 'profile-show-recovery-codes');
    await acme.getByRole('button', { name: 'Hide codes' }).click();
    expect(await acme.getByRole('list', { name: 'Your recovery codes' }).count()).toBe(0);
  });

  it('gives an agent no admin console', async () => {
    const agent = await newPage(browser, t);
    try {
      await signIn(agent.page, AGENT.email);
      expect(await nav(agent.page, 'Admin').count()).toBe(0);
      await agent.page.goto(`/admin/${acmeId}`);
      await heading(agent.page, 'Admin console').waitFor();
      await expectText(agent.page.locator('main').getByRole('alert'), 'Your role in this tenant does not allow that');
    } finally {
      await agent.context.close();
    }
  });
});

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeginTotpEnrolmentDocument, ConfirmTotpEnrolmentDocument, SetTenantRememberDeviceDaysDocument, SignInDocument, TenantsDocument } from '../../src/client/generated/graphql';
import type { GraphQLClient } from '../helpers/client';
import type { TestGateway } from '../helpers/gateway';
import { totpCode } from '../helpers/totp';
import { DEMO_PASSWORD, ensureConsoleBuilt, expectText, heading, launchBrowser, nav, newPage, OWNER, screenshot, signIn, startDemoGateway } from './browser';

/**
 * How long a second factor lasts, in a real browser: the owner of Acme Support ticks "Remember this device" on
 * the challenge, signs out and in again and is not asked; then a privileged action (more remembered days) asks
 * for the second factor once, in a dialog on the same page, and is done. The journeys build on each other.
 */
describe('web console: a remembered device and a privileged action', () => {
  let t: TestGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let acmeId = '';
  let ownerSecret = '';

  /** The owner's current code, then the clock one step on so that the next code is not a replay. */
  const nextCode = () => {
    const code = totpCode(ownerSecret, t.clock.epochMs);
    t.clock.advance(30_000);
    return code;
  };

  const openAcmeAdmin = async () => {
    await nav(page, 'Admin').click();
    await heading(page, 'Admin console').waitFor();
    await page.getByRole('link', { name: 'Open the admin console of Acme Support' }).click();
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    [t, browser] = await Promise.all([startDemoGateway(), launchBrowser()]);
    const { signIn: session } = await t.client.ok(SignInDocument, { email: OWNER.email, password: DEMO_PASSWORD });
    const owner: GraphQLClient = t.client.withToken(session.token);
    acmeId = (await owner.ok(TenantsDocument)).tenants.find((tenant) => tenant.name === 'Acme Support')!.id;
    const { beginTotpEnrolment } = await owner.ok(BeginTotpEnrolmentDocument, { tenantId: acmeId, password: DEMO_PASSWORD });
    ownerSecret = beginTotpEnrolment.secret;
    await owner.ok(ConfirmTotpEnrolmentDocument, { tenantId: acmeId, code: nextCode() });
    await owner.ok(SetTenantRememberDeviceDaysDocument, { tenantId: acmeId, days: 30 });
    ({ context, page } = await newPage(browser, t));
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('offers "Remember this device for 30 days" on the challenge, and remembers the browser when ticked', async () => {
    await signIn(page, OWNER.email);
    await openAcmeAdmin();
    await heading(page, 'Two-factor verification').waitFor();
    const remember = page.getByLabel('Remember this device for 30 days');
    expect(await remember.isChecked()).toBe(false);
    await remember.check();
    await screenshot(page, 'challenge-remember-device');
    await page.getByLabel('6-digit code').fill(nextCode());
    await page.getByRole('button', { name: /^Verify/ }).click();
    await expectText(page.locator('h1'), 'Admin console');
    const cookies = await context.cookies();
    const device = cookies.find((cookie) => cookie.name === `gateway_device_${acmeId}`)!;
    expect(device).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/graphql' });
    // The page's scripts cannot read it.
    expect(await page.evaluate('document.cookie')).not.toContain('gateway_device_');
  });

  it('signs out and in again without being asked for the second factor', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in').waitFor();
    await signIn(page, OWNER.email);
    await openAcmeAdmin();
    await expectText(page.locator('h1'), 'Admin console');
    expect(await page.getByRole('heading', { name: 'Two-factor verification' }).count()).toBe(0);
  });

  it('asks once, on the page, for a privileged action, and then does it', async () => {
    const section = page.getByRole('region', { name: 'How long a second factor lasts' });
    await section.getByLabel('Remember devices for (days)').fill('31');
    await section.getByRole('button', { name: 'Save' }).click();
    const dialog = page.getByRole('dialog', { name: 'Verify it is you' });
    await dialog.waitFor();
    await expectText(dialog, 'in the last 15 minutes in Acme Support');
    await screenshot(page, 'privileged-action-dialog');
    await dialog.getByLabel('6-digit code, or a recovery code').fill(nextCode());
    await dialog.getByRole('button', { name: 'Verify and continue' }).click();
    await expectText(page.locator('.page-notice'), 'Devices are remembered for 31 days');
    expect(await page.getByRole('dialog').count()).toBe(0);
    // Done at once now: the pass is recent.
    await section.getByLabel('Remember devices for (days)').fill('32');
    await section.getByRole('button', { name: 'Save' }).click();
    await expectText(page.locator('.page-notice'), 'Devices are remembered for 32 days');
    expect(await page.getByRole('dialog').count()).toBe(0);
  });

  it('lists the remembered device in the profile, marked as this one, and forgets it', async () => {
    await nav(page, 'My profile').click();
    const devices = page.getByRole('region', { name: 'Remembered devices · Acme Support' });
    await expectText(devices, 'This device');
    await screenshot(page, 'profile-remembered-devices');
    await devices.getByRole('button', { name: /^Forget/ }).click();
    await expectText(devices, 'No device is remembered');
    expect((await context.cookies()).some((cookie) => cookie.name === `gateway_device_${acmeId}`)).toBe(false);
  });
});

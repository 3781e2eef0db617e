import { request } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignOutDocument } from '../../src/client/generated/graphql';
import type { TestGateway } from '../helpers/gateway';
import { totpCode } from '../helpers/totp';
import { card, decodeQr, DEMO_PASSWORD, ensureConsoleBuilt, expectText, heading, launchBrowser, nav, newPage, OWNER, screenshot, secretOnPage, signIn, startDemoGateway } from './browser';

/**
 * The web console in a real browser, as a demo user would use it: enrol in Acme Support from the setup page
 * Billing asks for (reading the secret off the page and computing codes independently), sign out and in,
 * answer Billing's challenge with a TOTP code, then on a fresh session with a recovery code, and the ways a
 * challenge ends badly. The journeys build on each other, in order.
 */
describe('web console: two-factor journeys', () => {
  let t: TestGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let secret = '';
  let confirmingCode = '';
  let recoveryCodes: string[] = [];
  const contexts: BrowserContext[] = [];

  /** A code that is none of the secret's codes in the accepted window (current step ±1). */
  const wrongCode = () => {
    const valid = new Set([-1, 0, 1].map((offset) => totpCode(secret, t.clock.epochMs, offset)));
    for (let n = 0; ; n++) if (!valid.has(String(n).padStart(6, '0'))) return String(n).padStart(6, '0');
  };

  const freshPage = async (): Promise<Page> => {
    const fresh = await newPage(browser, t);
    contexts.push(fresh.context);
    return fresh.page;
  };

  const openWorkspace = async (on: Page, name: string) => {
    await on.getByRole('link', { name: `Open ${name}` }).click();
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    [t, browser] = await Promise.all([startDemoGateway(), launchBrowser()]);
    ({ context, page } = await newPage(browser, t));
  });

  afterAll(async () => {
    for (const extra of contexts) await extra.close().catch(() => undefined);
    await context?.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('serves the console at / and for its own routes, and never a file outside dist/web', async () => {
    const home = await fetch(`${t.url}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(home.headers.get('cache-control')).toBe('public, max-age=60');
    expect(await home.text()).toContain('<div id="app">');
    const route = await fetch(`${t.url}/my/profile/two-factor`);
    expect(route.status).toBe(200);
    expect(route.headers.get('content-type')).toBe('text/html; charset=utf-8');

    // Threat: a path that climbs out of dist/web reads the project's files (package.json, the data folder's key).
    for (const path of ['/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2f..%2fpackage.json', '/..%5c..%5cpackage.json']) {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        request(`${t.url}${path}`, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
          .on('error', reject)
          .end();
      });
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).not.toContain('tenant-2fa-gateway');
    }
    const graphql = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ me { id } }' }) });
    expect(await graphql.json()).toEqual({ data: { me: null } });
  });

  it('signs in and shows every tenant, Acme Support not configured and Globex with 2FA off', async () => {
    await page.goto('/');
    await heading(page, 'Sign in').waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await screenshot(page, 'sign-in');

    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByRole('alert').filter({ hasText: 'wrong' }), 'Email or password is wrong.');

    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page, 'Workspaces').waitFor();
    await expectText(page.getByRole('region', { name: 'Acme Support' }), 'Requires 2FA');
    await screenshot(page, 'workspaces');

    await nav(page, 'My profile').click();
    await heading(page, 'Two-factor authentication').waitFor();
    await expectText(card(page, 'Acme Support').locator('.badge'), 'Not configured');
    await expectText(card(page, 'Globex'), 'turned off for Globex');
    expect(await card(page, 'Globex').getByRole('button', { name: 'Enable two-factor' }).count()).toBe(0);
    await screenshot(page, 'profile-not-configured');
  });

  it('opening Billing asks for setup; wrong password, wrong code and an expired enrolment each say so', async () => {
    await nav(page, 'Workspaces').click();
    await openWorkspace(page, 'Billing');
    await heading(page, 'Set up two-factor authentication').waitFor();
    await expectText(page.locator('main'), 'Two-factor authentication is required by your organisation. Set it up to continue.');
    const acme = card(page, 'Acme Support');
    // A setup that Billing asked for belongs to Workspaces, and the tab says which tenant it is for.
    expect(await nav(page, 'Workspaces').getAttribute('aria-current')).toBe('page');
    expect(await nav(page, 'My profile').getAttribute('aria-current')).toBeNull();
    expect(await page.title()).toBe('Set up two-factor authentication · Acme Support · Identity console');

    // Focus starts in the password field, so the keyboard can go on at once.
    expect(await page.evaluate('document.activeElement.getAttribute("type")')).toBe('password');
    await page.keyboard.type('wrong-password');
    await page.keyboard.press('Enter');
    await expectText(acme.getByRole('alert'), 'Password did not match. Nothing was changed.');

    await acme.getByLabel('Current password').fill(DEMO_PASSWORD);
    await acme.getByRole('button', { name: 'Continue' }).click();
    await expectText(acme.locator('.badge'), 'Pending confirmation');
    await acme.getByRole('img', { name: /QR code/ }).waitFor();

    // Ten minutes pass without confirming: the pending secret is gone.
    t.clock.advance(11 * 60_000);
    await acme.getByLabel('6-digit code').fill(totpCode(await secretOnPage(page), t.clock.epochMs));
    await acme.getByRole('button', { name: 'Confirm and enable' }).click();
    await expectText(acme.getByRole('status').first(), 'No pending enrolment');
    await expectText(acme.locator('.badge'), 'Not configured');

    await acme.getByRole('button', { name: 'Enable two-factor' }).click();
    await acme.getByLabel('Current password').fill(DEMO_PASSWORD);
    await acme.getByRole('button', { name: 'Continue' }).click();
    await expectText(acme.locator('.badge'), 'Pending confirmation');
    secret = await secretOnPage(page);
    expect(secret).toMatch(/^[A-Z2-7]{32,}$/);
    // What a real authenticator app scans: the same secret, for Acme Support, labelled with the agent's email.
    const uri = new URL(decodeQr((await acme.getByRole('img', { name: /QR code/ }).getAttribute('src'))!)!);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Acme Support');
    expect(decodeURIComponent(uri.pathname)).toContain(OWNER.email);
    await acme.getByRole('button', { name: 'Copy the secret key' }).click();
    await expectText(acme.getByText('Secret copied.'), 'Secret copied.');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await screenshot(page, 'profile-pending-confirmation');

    await acme.getByLabel('6-digit code').fill(wrongCode());
    await acme.getByRole('button', { name: 'Confirm and enable' }).click();
    await expectText(acme.getByRole('alert'), 'That code did not match.');
    await expectText(acme.locator('.badge'), 'Pending confirmation');
  });

  it('confirms with the code computed from the secret on the page, and shows the recovery codes once', async () => {
    const acme = card(page, 'Acme Support');
    confirmingCode = totpCode(secret, t.clock.epochMs);
    await acme.getByLabel('6-digit code').fill(confirmingCode);
    await acme.getByRole('button', { name: 'Confirm and enable' }).click();
    await expectText(acme.getByRole('heading', { name: 'Save these recovery codes — shown ONCE' }), 'shown ONCE');
    await expectText(acme.locator('.badge'), 'Enabled');
    await expectText(acme, 'Two-factor authentication is now active.');
    // Set up: the organisation's requirement is met, so its warning is gone.
    expect(await page.locator('main .notice-warning').count()).toBe(0);
    expect(await page.locator('main').innerText()).not.toContain('required by your organisation');
    recoveryCodes = await acme.locator('.codes code').allInnerTexts();
    expect(recoveryCodes).toHaveLength(8);
    for (const code of recoveryCodes) expect(code).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    await acme.getByRole('button', { name: 'Copy all codes' }).click();
    await expectText(acme.getByText('All codes copied.'), 'All codes copied.');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(recoveryCodes.join('\n'));
    await screenshot(page, 'recovery-codes');

    await acme.getByRole('link', { name: 'Continue to Billing' }).click();
    await heading(page, 'Billing').waitFor();
    await expectText(page.locator('main'), 'You’re in Billing.');
    expect(await page.title()).toBe('Billing · Acme Support · Identity console');

    // Shown once: the profile now has the Enabled card and no codes.
    await nav(page, 'My profile').click();
    await expectText(card(page, 'Acme Support').locator('.badge'), 'Enabled');
    await expectText(card(page, 'Acme Support'), 'Recovery codes left');
    expect(await page.locator('.codes code').count()).toBe(0);
    await screenshot(page, 'profile-enabled');
    // The confirming code's step may not be replayed: later codes come from the next step on.
    t.clock.advance(30_000);
  });

  it('signs out, signs back in, and answers Billing’s challenge with a TOTP code; Lobby then opens without asking', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await heading(page, 'Sign in').waitFor();
    await expectText(page.getByRole('status').first(), 'You are signed out.');
    expect(await page.evaluate('sessionStorage.getItem("console.token")')).toBeNull();

    await signIn(page, OWNER.email);
    // The owner turned two-factor on in Acme: the page says every workspace there asks, not only Billing.
    await expectText(page.getByRole('region', { name: 'Acme Support' }), 'You turned two-factor on in Acme Support: each of its workspaces asks for your second factor, once per session.');
    expect(await page.getByRole('region', { name: 'Globex' }).innerText()).not.toContain('You turned two-factor on');
    await openWorkspace(page, 'Billing');
    await heading(page, 'Two-factor verification').waitFor();
    await expectText(page.locator('main'), 'Password accepted. Enter your code to continue.');
    // Why it asks, and the attempts left before any wrong answer.
    await expectText(page.locator('main'), 'Verifying for Billing · Acme Support. Billing requires two-factor authentication.');
    await expectText(page.locator('main .attempts'), /^5 attempts left, until .+\.$/);
    await screenshot(page, 'challenge');

    expect(await page.title()).toBe('Two-factor verification · Billing · Acme Support · Identity console');
    expect(await nav(page, 'Workspaces').getAttribute('aria-current')).toBe('page');

    // The code that just finished the setup, typed again: the gateway refuses the replay like a wrong code, and
    // the console, which sent that code, says what happened.
    await page.getByLabel('6-digit code').fill(confirmingCode);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await expectText(page.locator('main').getByRole('alert'), 'That code was already used. Wait for the next code from your app and enter that one. 4 attempts remaining.');

    await page.getByLabel('6-digit code').fill(wrongCode());
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await expectText(page.locator('main').getByRole('alert'), 'That code did not match. 3 attempts remaining.');
    await expectText(page.locator('main .attempts'), /^3 attempts left/);

    await page.getByLabel('6-digit code').fill(totpCode(secret, t.clock.epochMs));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await heading(page, 'Billing').waitFor();
    await expectText(page.getByRole('status').first(), 'Verified.');
    // "What services see": the claims of the access token this session would hand to Billing's services.
    const servicesSee = card(page, 'What services see');
    await expectText(servicesSee, /acr\s+aal2 — aal2 when this session passed/);
    await expectText(servicesSee, /amr\s+pwd otp mfa/);
    await expectText(servicesSee, /wid\s+\S+ — the workspace/);
    expect(await servicesSee.innerText()).not.toMatch(/eyJ/); // claims only, never the token itself
    await screenshot(page, 'what-services-see');

    await nav(page, 'Workspaces').click();
    await openWorkspace(page, 'Lobby');
    await heading(page, 'Lobby').waitFor();
    // Lobby does not require it, but it would have asked: the page says why it did not ask again.
    await expectText(page.locator('main'), 'Lobby does not require two-factor authentication, but you turned it on in Acme Support');
    t.clock.advance(30_000);
  });

  it('words a challenge met while working in another workspace as a switch, and says why Lobby asks', async () => {
    const fresh = await freshPage();
    await signIn(fresh, OWNER.email);
    await openWorkspace(fresh, 'Sales'); // Globex: 2FA off, granted at once
    await heading(fresh, 'Sales').waitFor();
    await nav(fresh, 'Workspaces').click();
    await openWorkspace(fresh, 'Lobby');
    await heading(fresh, 'Two-factor verification').waitFor();
    const main = fresh.locator('main');
    await expectText(main, 'You are switching to Lobby in Acme Support. Enter your code to continue.');
    await expectText(main, 'You turned on two-factor authentication in Acme Support, so it asks for your second factor once per session, for every workspace.');
    expect(await main.innerText()).not.toContain('Password accepted');
    await expectText(main.locator('.attempts'), /^5 attempts left/);
    await screenshot(fresh, 'challenge-switch');
    await fresh.getByLabel('6-digit code').fill(totpCode(secret, t.clock.epochMs));
    await fresh.getByRole('button', { name: 'Verify and switch' }).click();
    await heading(fresh, 'Lobby').waitFor();
    t.clock.advance(30_000);
  });

  it('after "Your session has ended", signing in again returns to the page the agent was on', async () => {
    const fresh = await freshPage();
    await signIn(fresh, OWNER.email);
    await nav(fresh, 'My profile').click();
    await heading(fresh, 'Two-factor authentication').waitFor();
    // The session ends elsewhere (signed out from another device, expired): the next page load finds out.
    const token = (await fresh.evaluate('sessionStorage.getItem("console.token")')) as string;
    await t.client.withToken(token).ok(SignOutDocument);
    await fresh.reload();
    await heading(fresh, 'Sign in').waitFor();
    await expectText(fresh.getByRole('status').first(), 'Your session has ended. Sign in again.');
    await fresh.getByLabel('Email').fill(OWNER.email);
    await fresh.getByLabel('Password').fill(DEMO_PASSWORD);
    await fresh.getByRole('button', { name: 'Sign in' }).click();
    await heading(fresh, 'Two-factor authentication').waitFor();
    expect(new URL(fresh.url()).pathname).toBe('/my/profile/two-factor');
  });

  it('passes the challenge of a fresh session with a recovery code ("Lost your phone?")', async () => {
    const fresh = await freshPage();
    await signIn(fresh, OWNER.email);
    await openWorkspace(fresh, 'Billing');
    await heading(fresh, 'Two-factor verification').waitFor();
    await fresh.getByRole('button', { name: 'Lost your phone? Use a recovery code' }).click();
    // Focus moves to the recovery-code field.
    expect(await fresh.evaluate('document.activeElement.name')).toBe('recovery-code');
    await screenshot(fresh, 'challenge-recovery-code');

    await fresh.getByLabel('Recovery code').fill('AAAA-AAAA');
    await fresh.getByRole('button', { name: 'Use recovery code' }).click();
    await expectText(fresh.locator('main').getByRole('alert'), 'That recovery code did not match. 4 attempts remaining.');

    await fresh.getByLabel('Recovery code').fill(recoveryCodes[0].toLowerCase());
    await fresh.getByRole('button', { name: 'Use recovery code' }).click();
    await heading(fresh, 'Billing').waitFor();
    await expectText(fresh.getByRole('status').first(), 'Verified with a recovery code. 7 codes left: each works once, and My profile makes a new set.');

    await nav(fresh, 'My profile').click();
    await expectText(card(fresh, 'Acme Support').locator('dl'), /Recovery codes left\s*7/);
  });

  it('"Sign in as a different user" cancels the challenge and signs out', async () => {
    const fresh = await freshPage();
    await signIn(fresh, OWNER.email);
    await openWorkspace(fresh, 'Billing');
    await heading(fresh, 'Two-factor verification').waitFor();
    const challengeId = (await fresh.evaluate('JSON.parse(sessionStorage.getItem("console.challenge")).challengeId')) as string;

    await fresh.getByRole('button', { name: 'Sign in as a different user' }).click();
    await heading(fresh, 'Sign in').waitFor();
    await expectText(fresh.getByRole('status').first(), 'Sign in as a different user.');
    expect(await fresh.evaluate('sessionStorage.length')).toBe(0);
    const [row] = await t.gateway.db.manager.query('SELECT state FROM challenges WHERE id = ?', [challengeId]);
    expect(row.state).toBe('CANCELLED');
  });

  it('sends an invalidated challenge back to the start, and shows the retry time once answers are locked', async () => {
    const fresh = await freshPage();
    await signIn(fresh, OWNER.email);

    const spendChallenge = async (lastAnswerSays: string) => {
      await openWorkspace(fresh, 'Billing');
      await heading(fresh, 'Two-factor verification').waitFor();
      for (let left = 4; left >= 1; left--) {
        await fresh.getByLabel('6-digit code').fill(wrongCode());
        await fresh.getByRole('button', { name: 'Verify and sign in' }).click();
        await expectText(fresh.locator('main').getByRole('alert'), `${left} ${left === 1 ? 'attempt' : 'attempts'} remaining.`);
      }
      await fresh.getByLabel('6-digit code').fill(wrongCode());
      await fresh.getByRole('button', { name: 'Verify and sign in' }).click();
      await heading(fresh, 'Workspaces').waitFor();
      await expectText(fresh.getByRole('alert').first(), lastAnswerSays);
    };

    await spendChallenge('This verification is no longer valid. Start over.');
    // The fifth wrong answer of the second challenge is the tenth in a row: Acme locks this agent's answers.
    await spendChallenge('Too many attempts in a row: try again in 15 minutes.');
    await openWorkspace(fresh, 'Billing');
    await heading(fresh, 'Billing').waitFor();
    await expectText(fresh.locator('main').getByRole('alert'), 'Too many attempts. Try again in 15 minutes.');

    t.clock.advance(15 * 60_000 + 1_000);
  });

  it('regenerates the recovery codes after a confirmation, then disables two-factor with the password', async () => {
    // The first session passed Acme's challenge, so the gated profile actions are open to it.
    await nav(page, 'My profile').click();
    const acme = card(page, 'Acme Support');
    await acme.getByRole('button', { name: 'Regenerate recovery codes' }).click();
    await acme.getByLabel('Current password').fill(DEMO_PASSWORD);
    await acme.getByRole('button', { name: 'Generate new codes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate new recovery codes?' });
    await expectText(dialog, 'Old codes will stop working immediately.');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await acme.locator('.codes code').count()).toBe(0);

    await acme.getByRole('button', { name: 'Generate new codes' }).click();
    await dialog.getByRole('button', { name: 'Generate new codes' }).click();
    await expectText(acme.getByRole('heading', { name: 'Save these recovery codes — shown ONCE' }), 'shown ONCE');
    const fresh = await acme.locator('.codes code').allInnerTexts();
    expect(fresh).toHaveLength(8);
    expect(fresh.filter((code) => recoveryCodes.includes(code))).toEqual([]);
    await acme.getByRole('button', { name: 'I have saved these codes' }).click();
    await expectText(acme.locator('dl'), /Recovery codes left\s*8/);

    await acme.locator('summary', { hasText: 'Disable two-factor' }).click();
    await acme.getByLabel('Current password').fill('wrong-password');
    await acme.getByRole('button', { name: 'Disable two-factor' }).click();
    await expectText(acme.getByRole('alert'), 'Password did not match. Two-factor remains enabled.');
    await expectText(acme.locator('.badge'), 'Enabled');

    await acme.getByLabel('Current password').fill(DEMO_PASSWORD);
    await acme.getByRole('button', { name: 'Disable two-factor' }).click();
    await expectText(acme.locator('.badge'), 'Not configured');
    await expectText(acme, 'Two-factor authentication is off for Acme Support.');
  });
});

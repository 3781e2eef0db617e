import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../helpers/gateway';
import { ensureConsoleBuilt, expectText, launchBrowser, nav, newPage, OWNER, screenshot, signIn, startDemoGateway } from './browser';

/** My profile → Sessions in a real browser: the list, signing out one other session, then all the others. */
describe('web console: sessions', () => {
  let t: TestGateway;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const signedInPage = async (): Promise<Page> => {
    const { context, page } = await newPage(browser, t);
    contexts.push(context);
    await signIn(page, OWNER.email);
    return page;
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    [t, browser] = await Promise.all([startDemoGateway(), launchBrowser()]);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('lists the sessions with this one marked, signs out one other, then all the others', async () => {
    const [page, laptop, phone] = [await signedInPage(), await signedInPage(), await signedInPage()];
    await nav(page, 'My profile').click();
    const card = page.getByRole('region', { name: 'Sessions' });
    const rows = card.getByRole('list', { name: 'Your sessions' }).getByRole('listitem');
    await expectText(card, 'This session');
    const count = await rows.count();
    expect(count).toBeGreaterThanOrEqual(3); // these three, and the demo data's own sign-up session
    await expect(rows.filter({ hasText: 'This session' }).count()).resolves.toBe(1);
    await expectText(rows.first(), '127.0.0.1');
    await expectText(rows.first(), 'Chrome on Linux');
    await screenshot(page, 'profile-sessions');

    await rows.filter({ hasNotText: 'This session' }).first().getByRole('button', { name: /^Sign out/ }).click();
    await expectText(card, /Signed out Chrome on Linux\./);
    await expect(rows.count()).resolves.toBe(count - 1);

    await card.getByRole('button', { name: 'Sign out all other sessions' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Sign out others' }).click();
    await expectText(card, `Signed out ${count - 2} other session`);
    await expect(rows.count()).resolves.toBe(1);
    await expectText(card, 'You are not signed in anywhere else.');

    // The other browsers are signed out: their next page asks them to sign in again.
    for (const other of [laptop, phone]) {
      await other.reload();
      await other.getByRole('button', { name: 'Sign in' }).waitFor();
    }
  });
});

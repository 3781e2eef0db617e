import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_OWNER_EMAIL, DEMO_PASSWORD, seedDemoData } from '../../src/demo/demo-data';
import { buildWhenStale, isBuiltAfter, runInRoot } from '../helpers/build-when-stale';
import { TcpProxy } from '../hardening/tcp-proxy';
import { startTestGateway, type TestGateway } from '../helpers/gateway';

/**
 * The browser side of the e2e tests: the web console built into dist/web, Debian's Chromium driven by
 * playwright-core, and the real gateway (in-process, test clock) seeded with the same demo a newcomer gets.
 */
const root = path.resolve(__dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export { DEMO_PASSWORD };
export const OWNER = { email: DEMO_OWNER_EMAIL, name: 'Olivia Owner' };
export const AGENT = { email: 'agent@demo.test', name: 'Aaron Agent' };


/** Builds the web console when dist/web is missing or older than web/ or the generated operations. */
export function ensureConsoleBuilt(): void {
  buildWhenStale({
    lock: '.web-build-lock',
    isFresh: () => isBuiltAfter('dist/web/index.html', ['web', 'src/client/generated']),
    build: () => runInRoot('npm', ['run', '--silent', 'build:web']),
    timeoutMs: 120_000,
  });
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh browser profile (its own sessionStorage, so its own gateway session), with the clipboard allowed. */
export function newPage(browser: Browser, t: TestGateway): Promise<{ context: BrowserContext; page: Page }> {
  return openPage(browser, t.url, ['clipboard-read', 'clipboard-write']);
}

/** A fresh browser profile on `baseURL`, granted `permissions` there. */
async function openPage(browser: Browser, baseURL: string, permissions: string[] = []): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1200, height: 860 }, locale: 'en-GB', timezoneId: 'UTC' });
  if (permissions.length) await context.grantPermissions(permissions, { origin: baseURL });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => console.error(`browser error: ${error.message}`));
  return { context, page };
}

/**
 * The console at http://localhost:<port> (WebAuthn wants the RP id to be the page's host: a TCP proxy in front of
 * the test gateway), in a page holding a CDP virtual authenticator (CTAP2, internal transport, user verification on).
 */
export async function openWithAuthenticator(
  browser: Browser,
  t: TestGateway,
  port: number,
): Promise<{ proxy: TcpProxy; context: BrowserContext; page: Page; cdp: CDPSession; authenticatorId: string }> {
  const target = new URL(t.url);
  const proxy = new TcpProxy(target.hostname, Number(target.port));
  proxy.port = port;
  await proxy.start();
  const { context, page } = await openPage(browser, `http://localhost:${port}`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { proxy, context, page, cdp, authenticatorId };
}

/** The gateway on SQLite with the demo tenants and accounts of `npm start`. */
export async function startDemoGateway(): Promise<TestGateway> {
  const t = await startTestGateway('sqlite');
  await seedDemoData(t.gateway.services);
  return t;
}

/**
 * Saves a screenshot of a main screen under docs/screenshots when UPDATE_SCREENSHOTS=1 (the README links them),
 * so ordinary test runs leave the checked-in images alone.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  const dir = path.join(root, 'docs/screenshots');
  mkdirSync(dir, { recursive: true });
  // Blur the focused control so no caret or focus ring lands in the picture by chance.
  await page.evaluate('document.activeElement && document.activeElement.blur && document.activeElement.blur()');
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Workspaces' }).waitFor();
}

/** Waits until the locator's text contains `text` (the console renders after each answer arrives). */
export async function expectText(locator: Locator, text: string | RegExp): Promise<void> {
  await locator.first().waitFor();
  await expect.poll(() => locator.first().innerText(), { timeout: 10_000 }).toMatch(typeof text === 'string' ? new RegExp(escapeRegExp(text)) : text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function heading(page: Page, name: string): Locator {
  return page.getByRole('heading', { level: 1, name, exact: true });
}

/** A link of the header's main navigation. */
export function nav(page: Page, name: string): Locator {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
}

/** The two-factor card of one tenant (a region named after it). */
export function card(page: Page, tenantName: string): Locator {
  return page.getByRole('region', { name: tenantName, exact: true });
}

/** The secret as shown on the page (grouped for reading), without its spaces. */
export async function secretOnPage(page: Page): Promise<string> {
  const shown = await page.getByLabel('Secret key', { exact: true }).innerText();
  return shown.replace(/\s+/g, '');
}

/** What an authenticator app reads from the QR code the page shows (a data:image/png URL). */
export function decodeQr(dataUrl: string): string | undefined {
  const png = PNG.sync.read(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
  return jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height)?.data;
}

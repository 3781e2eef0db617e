import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInDocument } from '../../src/client/generated/graphql';
import { startTestGateway, type TestGateway } from '../helpers/gateway';
import { DEMO_PASSWORD, ensureConsoleBuilt, launchBrowser, newPage, OWNER, screenshot, signIn, startDemoGateway } from './browser';

/** The editor (Monaco) and the answer pane are slow to settle on a busy machine: poll them patiently. */
const UI = { timeout: 20_000, interval: 100 };

/**
 * The GraphQL playground (GraphiQL) the gateway serves at GET /graphql: every request it makes stays on the
 * gateway's origin, under a CSP that the page never violates; it runs queries anonymously, with a bearer token
 * from the headers editor, and with the console's session cookie.
 */
describe('the GraphQL playground', () => {
  let t: TestGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const requested: string[] = [];
  const problems: string[] = [];

  /** The text of the query editor or the result pane (Monaco renders lines as separate elements). */
  const editorText = async (which: 'query' | 'result') => {
    const lines = page.locator(which === 'query' ? '.graphiql-query-editor .view-lines' : '.graphiql-response .view-lines').first();
    const texts = await lines.locator('.view-line').allTextContents();
    return texts.join('\n').replace(/\u00a0/g, ' ');
  };
  /** The result without whitespace (Monaco wraps long lines). */
  const resultText = async () => (await editorText('result')).replace(/\s+/g, '');

  /** Replaces the query editor's content with `query` and runs it. */
  const run = async (query: string) => {
    await page.locator('.graphiql-query-editor .monaco-editor').first().click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(query);
    await expect.poll(async () => (await editorText('query')).replace(/\s+/g, ' ').trim(), UI).toBe(query);
    // GraphiQL takes the editor's text after a short debounce: a click before it runs nothing. Click until the
    // query is sent.
    const sent = (request: { method(): string; postData(): string | null }) => request.method() === 'POST' && (request.postData() ?? '').includes(JSON.stringify(query));
    for (let attempt = 1; ; attempt++) {
      const request = page.waitForRequest(sent, { timeout: 2_000 }).catch(() => null);
      await page.getByRole('button', { name: /Execute query/ }).click();
      if ((await request) || attempt === 10) break;
    }
  };

  /** Watches a page: every request's URL, console errors and CSP violations. */
  const watch = async (watched: Page) => {
    watched.on('request', (request) => requested.push(request.url()));
    watched.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    watched.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    await watched.addInitScript(
      "document.addEventListener('securitypolicyviolation', (event) => console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI));",
    );
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    [t, browser] = await Promise.all([startDemoGateway(), launchBrowser()]);
    ({ context, page } = await newPage(browser, t));
    await watch(page);
  });
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it('loads from the gateway alone, under its CSP, with a sign-in example and the schema docs', async () => {
    const response = await page.goto('/graphql');
    expect(response!.headers()['content-security-policy']).toContain("script-src 'self';");
    await page.locator('.graphiql-container').waitFor();
    await expect.poll(() => editorText('query'), UI).toContain('mutation SignIn($email: String!, $password: String!)');

    await page.getByRole('button', { name: /Show Documentation Explorer/ }).click();
    await page.getByText('A GraphQL schema provides a root type for each kind of operation.').waitFor();
    await page.locator('.graphiql-doc-explorer').getByRole('link', { name: 'Query' }).first().waitFor();
    await screenshot(page, 'playground');

    const origin = new URL(t.url).origin;
    const elsewhere = requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:'));
    expect(elsewhere).toEqual([]);
    expect(requested.some((url) => url.includes('.worker'))).toBe(true);
    expect(problems).toEqual([]);
  });

  it('runs a query typed into the editor and shows the answer', async () => {
    await run('{ me { id } }');
    await expect.poll(resultText, UI).toBe('{"data":{"me":null}}');
  });

  it('runs a signed-in query with a bearer token from the headers editor', async () => {
    const { signIn: session } = await t.client.ok(SignInDocument, { email: OWNER.email, password: DEMO_PASSWORD });
    await page.getByRole('button', { name: 'Headers', exact: true }).click();
    await page.locator('.graphiql-editor-tool .monaco-editor').last().click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(`{"Authorization": "Bearer ${session.token}"}`);
    await run('{ me { id } }');
    await expect.poll(resultText, UI).toBe(`{"data":{"me":{"id":"${session.agent.id}"}}}`);
    expect(problems).toEqual([]);
  });

  it('uses the web console’s session cookie when the headers editor is empty', async () => {
    const other = await newPage(browser, t);
    try {
      await signIn(other.page, OWNER.email);
      await other.page.goto('/graphql');
      page = other.page;
      await page.locator('.graphiql-container').waitFor();
      await run('{ me { email } }');
      await expect.poll(resultText, UI).toBe(`{"data":{"me":{"email":"${OWNER.email}"}}}`);
    } finally {
      await other.context.close();
    }
  });

  it('is off in production unless GRAPHQL_PLAYGROUND turns it on, and never served as a console file', async () => {
    const off = await startTestGateway('sqlite', { NODE_ENV: 'production' });
    const on = await startTestGateway('sqlite', { NODE_ENV: 'production', GRAPHQL_PLAYGROUND: 'true' });
    try {
      const open = (base: string, path = '/graphql') => fetch(`${base}${path}`, { headers: { accept: 'text/html' } });
      // A browser gets a page saying the playground is off and which setting turns it on; API clients keep the JSON.
      const refused = await open(off.url);
      expect([refused.status, refused.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8']);
      expect(refused.headers.get('content-security-policy')).toContain("default-src 'none'");
      const page = await refused.text();
      expect(page).toContain('The GraphQL playground is off');
      expect(page).toContain('GRAPHQL_PLAYGROUND=true');
      expect(page).not.toContain('id="graphiql"');
      const client = await fetch(`${off.url}/graphql`, { headers: { accept: 'application/json' } });
      expect([client.status, client.headers.get('content-type')]).toEqual([400, 'application/json; charset=utf-8']);
      const served = await open(on.url);
      expect([served.status, served.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
      expect(await served.text()).toContain('id="graphiql"');
      for (const base of [off.url, on.url]) expect((await open(base, '/playground.html')).status).toBe(404);
      // A GraphQL GET (it carries `query`) is still answered by the API, not with the page.
      const api = await fetch(`${on.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
      expect(await api.json()).toEqual({ data: { __typename: 'Query' } });
    } finally {
      await off.close();
      await on.close();
    }
  });
});

import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { PLAYGROUND_PAGE, resolveConsoleDir } from './console-assets';

/**
 * The GraphQL playground: GraphiQL, built by the console's Vite build into dist/web (playground.html and its
 * hashed assets), answered at GET /graphql to browsers. Every script, stylesheet, worker and font comes from
 * this origin; queries go to this origin's /graphql.
 */
export type Playground = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * As strict as GraphiQL allows, and on this page only (the console keeps its stricter policy):
 * - style-src 'unsafe-inline': Monaco, GraphiQL's editor, writes <style> elements and style attributes at run
 *   time (cursor, layout, theme colours); scripts stay 'self' only, so no injected markup can run code;
 * - worker-src 'self': Monaco's editor, JSON and GraphQL language workers, bundled as files of this build;
 * - font-src and img-src data:: GraphiQL's stylesheet embeds its fonts and a few images as data: URLs.
 */
const PLAYGROUND_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; " +
    "img-src 'self' data:; connect-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  // The page names the hashed bundles of the current build: always ask again.
  'cache-control': 'no-cache',
};

/** A browser opening /graphql (rather than a GraphQL GET request, which carries `query`). */
export function wantsPlayground(req: IncomingMessage, url: URL): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (url.searchParams.has('query')) return false;
  return /\btext\/html\b/i.test(req.headers.accept ?? '');
}

export function createPlayground(dirHint: string): Playground {
  const file = path.join(resolveConsoleDir(dirHint), PLAYGROUND_PAGE);
  return async (req, res) => {
    let page: Buffer;
    try {
      page = await readFile(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('The GraphQL playground is not built: run `npm run build`.\n');
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(page.length), ...PLAYGROUND_SECURITY_HEADERS });
    res.end(req.method === 'HEAD' ? undefined : page);
  };
}

/** The page a browser gets at /graphql while the playground is off: what it is, and the setting that turns it on. */
const PLAYGROUND_OFF_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>GraphQL playground is off</title></head>
<body>
<h1>The GraphQL playground is off</h1>
<p>This is the gateway's GraphQL API. It answers <code>POST /graphql</code> with a JSON body and the header
<code>content-type: application/json</code>.</p>
<p>Its playground (GraphiQL) is off here, as it is by default in production. To turn it on, start the gateway with
<code>GRAPHQL_PLAYGROUND=true</code>, and with <code>GRAPHQL_INTROSPECTION=true</code> for its schema browser.</p>
<p>The web console is at <a href="/">/</a>.</p>
</body>
</html>
`;

/** Only a browser navigation gets this (see wantsPlayground); API clients keep Apollo's JSON answers. */
export function answerPlaygroundOff(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(404, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : PLAYGROUND_OFF_PAGE);
}

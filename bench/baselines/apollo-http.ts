import { ApolloServer, BaseContext, HeaderMap, HTTPGraphQLRequest } from '@apollo/server';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServeOptions<C> {
  /** Each request's context, as src/server.ts builds the gateway's. */
  context(req: IncomingMessage): Promise<C>;
  /** Sees every request first (e.g. to log it when it finishes). */
  onRequest?(req: IncomingMessage, res: ServerResponse): void;
  /** What to close after Apollo on SIGTERM. */
  onStop?(): Promise<void>;
}

/**
 * A baseline's Apollo server on node:http at $PORT, with the same adapter style as src/server.ts (read the JSON
 * body, HeaderMap, executeHTTPGraphQLRequest), `/healthz` answering at once; prints `<name> ready on <port>`.
 */
export function serveApollo<C extends BaseContext>(name: string, apollo: ApolloServer<C>, options: ServeOptions<C>): void {
  const server = createServer((req, res) => {
    options.onRequest?.(req, res);
    (async () => {
      const url = new URL(req.url ?? '/', 'http://baseline');
      if (url.pathname === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      const body = await readJsonBody(req);
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method ?? 'GET', headers, search: url.search, body };
      const response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => options.context(req) });
      res.statusCode = response.status ?? 200;
      for (const [name, value] of response.headers) res.setHeader(name, value);
      if (response.body.kind === 'complete') return void res.end(response.body.string);
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    })().catch((error) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500).end();
      else res.end();
    });
  });
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    console.log(`${name} ready on ${(server.address() as AddressInfo).port}`);
  });
  const stop = async () => {
    await apollo.stop();
    await options.onStop?.();
    process.exit(0);
  };
  process.once('SIGTERM', () => server.close(() => void stop()));
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  if (req.method !== 'POST') return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  return /json/i.test(req.headers['content-type'] ?? '') ? JSON.parse(text) : text;
}

import { ApolloServer, HeaderMap, HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault, ApolloServerPluginLandingPageProductionDefault } from '@apollo/server/plugin/landingPage/default';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'typeorm';
import type { Clock } from './clock';
import { systemClock } from './clock';
import type { Config } from './config';
import { createLoaders, GatewayContext } from './context';
import { Database, openDatabase } from './db/database';
import { formatError } from './errors/format-error';
import { buildGatewaySchema } from './schema';
import { createServices, Services } from './services';

const MAX_BODY_BYTES = 100 * 1024;

export interface GatewayOptions {
  config: Config;
  clock?: Clock;
  /** e.g. a statement counter in tests and benchmarks. */
  databaseLogger?: Logger;
}

export interface Gateway {
  httpServer: Server;
  db: Database;
  services: Services;
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/** Database, migrations, services, schema and the HTTP server: everything but listening. */
export async function createGateway({ config, clock = systemClock, databaseLogger }: GatewayOptions): Promise<Gateway> {
  const db = await openDatabase(config.database, { logger: databaseLogger });
  await db.migrate();
  const services = createServices(db, config, clock);
  const apollo = new ApolloServer<GatewayContext>({
    schema: await buildGatewaySchema(),
    formatError: (formatted, error) => formatError(formatted, error),
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    csrfPrevention: true,
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      config.playground ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageProductionDefault({ footer: false }),
    ],
  });
  await apollo.start();

  const context = async (req: IncomingMessage): Promise<GatewayContext> => {
    const token = bearerToken(req);
    const session = token ? await services.accounts.authenticate(token) : null;
    return { session, loaders: createLoaders(db, session), services, clientIp: req.socket.remoteAddress ?? '' };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname === '/healthz') {
      const isUp = await db.ping();
      return send(res, isUp ? 200 : 503, { 'content-type': 'application/json' }, JSON.stringify({ status: isUp ? 'ok' : 'database unavailable' }));
    }
    if (url.pathname !== '/graphql') return send(res, 404, { 'content-type': 'text/plain' }, 'Not found');

    let body: unknown;
    try {
      body = await readJsonBody(req);
    } catch (error) {
      return send(res, (error as { status?: number }).status ?? 400, { 'content-type': 'application/json' }, JSON.stringify({ errors: [{ message: (error as Error).message, extensions: { code: 'BAD_REQUEST' } }] }));
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method ?? 'GET', headers, search: url.search, body };
    const response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => context(req) });
    res.statusCode = response.status ?? 200;
    for (const [name, value] of response.headers) res.setHeader(name, value);
    if (response.body.kind === 'complete') return void res.end(response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  const httpServer = createServer((req, res) => {
    handle(req, res).catch((error) => {
      console.error(error);
      if (!res.headersSent) send(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ errors: [{ message: 'Internal server error' }] }));
      else res.end();
    });
  });

  return {
    httpServer,
    db,
    services,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address() as AddressInfo;
          resolve(`http://${host ?? 'localhost'}:${address.port}`);
        });
      }),
    close: async () => {
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await apollo.stop();
      await db.close();
    },
  };
}

function bearerToken(req: IncomingMessage): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match ? match[1] : null;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, headers).end(body);
}

/** The request body as Apollo expects it: parsed JSON for JSON requests, nothing for GETs. */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  if (req.method !== 'POST') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error('Request body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  if (!/json/i.test(req.headers['content-type'] ?? '')) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw Object.assign(new Error('Request body is not valid JSON'), { status: 400 });
  }
}

import 'reflect-metadata';
import { ApolloServer, HeaderMap, HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageProductionDefault } from '@apollo/server/plugin/landingPage/default';
import { createServer, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, Query, Resolver } from 'type-graphql';

/**
 * baseline-apollo: the same Apollo Server and type-graphql versions as the gateway, on node:http with the
 * same adapter style as src/server.ts (read the JSON body, HeaderMap, executeHTTPGraphQLRequest) and the
 * gateway's production Apollo options, answering `{ hello }`. No database, logging, metrics or limits.
 */
@Resolver()
class HelloResolver {
  @Query(() => String)
  hello(): string {
    return 'world';
  }
}

async function main(): Promise<void> {
  const schema = await buildSchema({ resolvers: [HelloResolver], validate: { forbidUnknownValues: false } });
  const apollo = new ApolloServer<Record<string, never>>({
    schema,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    introspection: false,
    csrfPrevention: true,
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginLandingPageProductionDefault({ footer: false })],
  });
  await apollo.start();

  const server = createServer((req, res) => {
    (async () => {
      const url = new URL(req.url ?? '/', 'http://baseline');
      if (url.pathname === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      const body = await readJsonBody(req);
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method ?? 'GET', headers, search: url.search, body };
      const response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => ({}) });
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
    console.log(`baseline-apollo ready on ${(server.address() as AddressInfo).port}`);
  });
  process.once('SIGTERM', () => server.close(() => void apollo.stop().then(() => process.exit(0))));
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  if (req.method !== 'POST') return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  return /json/i.test(req.headers['content-type'] ?? '') ? JSON.parse(text) : text;
}

void main();

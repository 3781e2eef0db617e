import { ApolloServer, HeaderMap, HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import cors from 'cors';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Logger as DatabaseLogger } from 'typeorm';
import type { Clock } from './clock';
import { systemClock } from './clock';
import type { Config } from './config';
import type { GatewayContext } from './context';
import { Loaders } from './loaders';
import { Database, openDatabase } from './db/database';
import { formatError, unavailableOr } from './errors/format-error';
import { inputValueChecks } from './graphql/input-values';
import { hasBearerSecret } from './http/bearer-secret';
import { clientIp } from './http/client-ip';
import { createConsoleAssets } from './http/console-assets';
import { faultsPlugin, warnedUnavailable } from './http/faults-plugin';
import { graphqlLimits } from './http/graphql-limits';
import { HttpListener } from './http/http-listener';
import { answerPlaygroundOff, createPlayground, wantsPlayground } from './http/playground';
import { createMetrics } from './http/metrics';
import { readJsonBody } from './http/request-body';
import { sendJson } from './http/send-json';
import { deviceTokenJar } from './http/device-cookie';
import { sessionCookieJar, sessionToken } from './http/session-cookie';
import { namesSpendingField } from './rate-limits/client-rate-limit';
import { createLogger, Logger } from './logger';
import { buildGatewaySchema } from './schema';
import { createServices, Services } from './services';
import { createTokenRoutes } from './tokens/token-routes';
import { createSsoRoutes } from './sso/sso-routes';
import { ssoStateCookieJar } from './sso/sso-cookie';
import { assertEncryptionKeysCoverStoredSecrets } from './two-factor/encryption-key-check';

const SHUTDOWN_GRACE_MS = 10_000;

export interface GatewayOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  /** e.g. a statement counter in tests and benchmarks. */
  databaseLogger?: DatabaseLogger;
  /** A listener bound before the gateway was built (main.ts); without one, `listen` binds. */
  listener?: HttpListener;
}

export interface Gateway {
  httpServer: Server;
  db: Database;
  /** The migrations this start applied, oldest first (for main.ts's log). */
  migrationsApplied: string[];
  services: Services;
  logger: Logger;
  /** Starts serving on the port (bound now, or already by the listener given), answering the base URL. */
  listen(port: number, host?: string): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, then closes the pool. */
  close(): Promise<void>;
}

/** Database, migrations, services, schema and the HTTP server: everything but listening. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, clock = systemClock, databaseLogger } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const db = await openDatabase(config.database, { logger: databaseLogger });
  const migrationsApplied = await db.migrate();
  try {
    const keyWarnings = await assertEncryptionKeysCoverStoredSecrets(db, config.encryptionKeys, config.encryptionKeySource);
    keyWarnings.forEach((warning) => logger.warn(warning));
  } catch (error) {
    await db.close(); // refusing to start: leave no pool open behind
    throw error;
  }
  const metrics = createMetrics();
  const services = createServices(db, config, clock, metrics.onTwoFactorEvent);
  // The first signing key (or the rotation an old one is due) before the first request: the JWKS is never empty.
  await services.signingKeys.keys().catch(async (error) => {
    await db.close();
    throw error;
  });
  const tokenRoutes = createTokenRoutes(services.accessTokens, config.accessTokens.introspectionToken);
  const ssoRoutes = createSsoRoutes(services.ssoSignIn, { isProduction: config.isProduction, trustedProxyHops: config.trustedProxyHops, logger });
  const limits = graphqlLimits({ hideFieldSuggestions: config.isProduction, maxComplexity: config.maxComplexity });

  const apollo = new ApolloServer<GatewayContext>({
    schema: await buildGatewaySchema(),
    formatError,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // Automatic persisted queries would let a client run a query by its hash alone: none are kept.
    persistedQueries: false,
    introspection: config.introspection,
    csrfPrevention: true,
    // main.ts owns SIGTERM/SIGINT: Apollo's own handlers would stop it mid-request and re-raise the signal,
    // killing the process before in-flight requests finish (and never exiting 0).
    stopOnTerminationSignals: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    plugins: [
      inputValueChecks(),
      ...limits.plugins,
      ApolloServerPluginCacheControlDisabled(),
      // The gateway serves its own playground (http/playground.ts): Apollo's landing pages load from a CDN.
      ApolloServerPluginLandingPageDisabled(),
      metrics.plugin,
      faultsPlugin(logger),
    ],
  });
  await apollo.start();

  const consoleAssets = createConsoleAssets(path.resolve(__dirname, '../web'));
  const playground = config.playground ? createPlayground(path.resolve(__dirname, '../web')) : null;
  const corsMiddleware = cors({ origin: config.corsOrigins, credentials: true, maxAge: 600 });

  const context = async (
    req: IncomingMessage,
    requestId: string,
    address: string,
    sessionCookie: GatewayContext['sessionCookie'] & { headers: string[] },
    deviceTokens: GatewayContext['deviceTokens'],
    requestLog: Record<string, unknown>,
    query?: unknown,
  ): Promise<GatewayContext> => {
    const token = sessionToken(req);
    const userAgent = req.headers['user-agent'];
    // An answer spends from the client's answer budget: its session lookup carries that spend (one round trip).
    const prepaidBudget = token && namesSpendingField('answer', query) ? services.rateLimiter.prepare('answer', address) : null;
    const session = token ? await services.accounts.authenticate(token, { clientIp: address, userAgent }, prepaidBudget) : null;
    const ssoState = ssoStateCookieJar(sessionCookie.headers, config.isProduction);
    return { requestId, session, loaders: new Loaders(db, session, clock), services, clientIp: address, userAgent, sessionCookie, deviceTokens, ssoState, requestLog, prepaidBudget };
  };

  const graphql = async (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, log: Record<string, unknown>): Promise<void> => {
    const body = await readJsonBody(req);
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const cookies = sessionCookieJar();
    const deviceTokens = deviceTokenJar(req, cookies.headers, config.isProduction);
    const httpGraphQLRequest: HTTPGraphQLRequest = { method: req.method ?? 'GET', headers, search: url.search, body };
    const address = clientIp(req, config.trustedProxyHops);
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: async () => {
        try {
          return await context(req, requestId, address, cookies, deviceTokens, log, (body as { query?: unknown } | null)?.query);
        } catch (error) {
          warnedUnavailable(logger, requestId, error);
          throw unavailableOr(error);
        }
      },
    });
    res.statusCode = response.status ?? 200;
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.setHeader('cache-control', 'no-store');
    if (cookies.headers.length) res.setHeader('set-cookie', cookies.headers);
    if (response.body.kind === 'complete') return void res.end(response.body.string);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  const routes = async (req: IncomingMessage, res: ServerResponse, requestId: string, log: Record<string, unknown>): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname === '/healthz') {
      const isUp = await db.ping();
      return sendJson(res, isUp ? 200 : 503, { status: isUp ? 'ok' : 'database unavailable' });
    }
    if (url.pathname === '/metrics' && req.method === 'GET') {
      const access = metricsAccess(config, req);
      if (access === 'off') return sendJson(res, 404, { errors: [{ message: 'Not found' }] });
      if (access === 'refused') {
        res.setHeader('www-authenticate', 'Bearer');
        return sendJson(res, 401, { errors: [{ message: 'Unauthorized' }] });
      }
      res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
      return void res.end(await metrics.registry.metrics());
    }
    if (url.pathname === '/graphql') {
      // Answers carry session tokens, TOTP secrets and recovery codes: no cache may keep any of them, errors included.
      res.setHeader('cache-control', 'no-store');
      if (wantsPlayground(req, url)) return playground ? playground(req, res) : answerPlaygroundOff(req, res);
      if (req.headers.origin === undefined) {
        // Not cross-origin (browsers send Origin with every CORS request): no CORS headers to add, and the cors
        // package cost a gate check about 8 % of its CPU. The answer still varies by Origin, as it does with one.
        res.setHeader('vary', 'Origin');
      } else {
        await new Promise<void>((next) => corsMiddleware(req, res, () => next()));
        if (res.writableEnded) return; // a CORS preflight, answered
      }
      return graphql(req, res, url, requestId, log);
    }
    if (await tokenRoutes(req, res, url.pathname)) return;
    if (await ssoRoutes(req, res, url.pathname, requestId)) return;
    if (await consoleAssets(req, res, url.pathname)) return;
    sendJson(res, 404, { errors: [{ message: 'Not found' }] });
  };

  const listener = options.listener ?? new HttpListener();
  const httpServer = listener.server;
  listener.serve((req, res) => {
    const startedAt = process.hrtime.bigint();
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const log: Record<string, unknown> = { reqId: requestId, method: req.method, path: (req.url ?? '').split('?')[0] };
    res.once('finish', () => {
      logger.info({ ...log, status: res.statusCode, ms: Number(process.hrtime.bigint() - startedAt) / 1e6 }, 'request');
    });
    routes(req, res, requestId, log).catch((error) => {
      const status = (error as { status?: number }).status;
      if (status) return sendJson(res, status, { errors: [{ message: (error as Error).message, extensions: { code: 'BAD_REQUEST' } }] });
      logger.error({ reqId: requestId, err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    });
  });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const drained = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      const forced = setTimeout(() => httpServer.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
      await drained;
      clearTimeout(forced);
      await apollo.stop();
      await services.mail.sender.stop();
      await db.close();
    })());

  return {
    httpServer,
    db,
    migrationsApplied,
    services,
    logger,
    listen: async (port, host) => {
      const url = await listener.listen(port, host);
      services.publicUrl.listeningAt(url);
      services.mail.sender.start(logger); // links need PUBLIC_URL, known by now
      return url;
    },
    close,
  };
}

/** /metrics with METRICS_TOKEN set: only for `Authorization: Bearer <token>`. Without it: off in production, open in development. */
function metricsAccess(config: Config, req: IncomingMessage): 'open' | 'refused' | 'off' {
  if (!config.metricsToken) return config.isProduction ? 'off' : 'open';
  return hasBearerSecret(req, config.metricsToken) ? 'open' : 'refused';
}

/** The caller's X-Request-Id when it looks like one, else a fresh one: it ties log lines to a request. */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.-]{8,64}$/.test(given) ? given : randomUUID();
}

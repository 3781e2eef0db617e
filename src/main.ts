import 'reflect-metadata';
import { loadConfig, writeDevelopmentKey } from './config';
import { DEMO_OWNER_EMAIL, DEMO_PASSWORD, seedDemoData } from './demo/demo-data';
import { StartupError } from './errors/startup-error';
import { HttpListener } from './http/http-listener';
import { createLogger } from './logger';
import { createGateway } from './server';

/**
 * Bootstrap only: config → listen → database and migrations → server; SIGTERM closes gracefully. The port is
 * bound first, so that a port in use stops the start with one line before anything is written (the development
 * key, the database, the demo); until the gateway is ready, the listener answers 503 (http/http-listener.ts).
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, { writeDevelopmentKey: false });
  const logger = createLogger(config.logLevel);
  const listener = new HttpListener();
  await listener.listen(config.port, config.host);
  writeDevelopmentKey(config);
  config.warnings.forEach((warning) => logger.warn(warning));
  const gateway = await createGateway({ config, logger, listener });
  const { db, migrationsApplied } = gateway;
  if (db.creationWarning) logger.warn(db.creationWarning);
  if (migrationsApplied.length) logger.info({ migrations: migrationsApplied }, `Applied ${migrationsApplied.length} migration(s) to ${db.description}`);
  if (config.seedDemo && (await seedDemoData(gateway.services))) {
    logger.info(`Demo data added: sign in as ${DEMO_OWNER_EMAIL} / ${DEMO_PASSWORD}`);
  }
  const url = await gateway.listen(config.port, config.host);
  logger.info(
    `Gateway ready at ${url}/graphql (${db.description}${db.createdJustNow ? ', created just now' : ''})` +
      `${config.playground ? ': open it in a browser for the playground' : ''}`,
  );
  logger.info(`Web console at ${url}/`);

  const shutdown = async (signal: string, exitCode = 0) => {
    logger.info(`${signal}: finishing in-flight requests, then closing`);
    await gateway.close();
    process.exit(exitCode);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  // A second line only: each of these is a defect to fix at its cause (SECURITY.md, "Nothing stops the gateway").
  // A rejection nobody awaited leaves no half-run code behind, so the gateway logs it and serves on. An uncaught
  // exception left a callback half-run (Node calls resuming unsafe): log it, drain in-flight requests, exit 1 for
  // the supervisor to restart a clean process.
  process.on('unhandledRejection', (reason) => {
    logger.error({ event: 'unhandledRejection', err: reason, frames: stackFrames(reason) }, 'unhandled promise rejection (a defect): serving on');
  });
  process.on('uncaughtException', (error, origin) => {
    logger.fatal({ event: origin, err: error, frames: stackFrames(error) }, 'uncaught exception (a defect): draining, then exiting for a clean restart');
    setTimeout(() => process.exit(1), 30_000).unref(); // should draining itself hang
    void shutdown('uncaughtException', 1);
  });
}

/** Where a defect happened: the stack's frames without its first line, which repeats the message (logged once, cut). */
function stackFrames(error: unknown): string[] | undefined {
  const stack = (error as { stack?: unknown })?.stack;
  return typeof stack === 'string' ? stack.split('\n').slice(1, 11).map((frame) => frame.trim()) : undefined;
}

main().catch((error) => {
  console.error(error instanceof StartupError ? error.message : error);
  process.exit(1);
});

import 'reflect-metadata';
import { loadConfig } from './config';
import { DEMO_OWNER_EMAIL, DEMO_PASSWORD, seedDemoData } from './demo/demo-data';
import { StartupError } from './errors/startup-error';
import { createLogger } from './logger';
import { createGateway } from './server';

/** Bootstrap only: config → database and migrations → server → listen; SIGTERM closes gracefully. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  config.warnings.forEach((warning) => logger.warn(warning));
  const gateway = await createGateway({ config, logger });
  if (config.seedDemo && (await seedDemoData(gateway.services))) {
    logger.info(`Demo data added: sign in as ${DEMO_OWNER_EMAIL} / ${DEMO_PASSWORD}`);
  }
  const url = await gateway.listen(config.port, config.host);
  const database = config.database.kind === 'sqlite' ? `SQLite ${config.database.file}` : config.database.kind;
  logger.info(`Gateway ready at ${url}/graphql (${database})${config.playground ? ': open it in a browser for the playground' : ''}`);
  logger.info(`Web console at ${url}/`);

  const shutdown = async (signal: string) => {
    logger.info(`${signal}: finishing in-flight requests, then closing`);
    await gateway.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(error instanceof StartupError ? error.message : error);
  process.exit(1);
});

import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { DEMO_OWNER_EMAIL, DEMO_PASSWORD, seedDemoData } from './demo/demo-data';
import { createGateway } from './server';

/** Bootstrap only: config → database and migrations → server → listen. */
async function main(): Promise<void> {
  const config = loadConfig();
  config.warnings.forEach((warning) => console.warn(`warning: ${warning}`));
  const gateway = await createGateway({ config });
  if (config.seedDemo && (await seedDemoData(gateway.services))) {
    console.log(`Demo data added: sign in as ${DEMO_OWNER_EMAIL} / ${DEMO_PASSWORD}`);
  }
  const url = await gateway.listen(config.port);
  const database = config.database.kind === 'sqlite' ? `SQLite ${config.database.file}` : config.database.kind;
  console.log(`Gateway ready at ${url}/graphql (${database})${config.playground ? ` — open it in a browser for the playground` : ''}`);

  const shutdown = async (signal: string) => {
    console.log(`${signal}: closing`);
    await gateway.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});

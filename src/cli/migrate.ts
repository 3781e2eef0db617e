import 'reflect-metadata';
import { loadConfig } from '../config';
import { StartupError } from '../errors/startup-error';
import { openDatabase } from '../db/database';

/** `npm run migrate`: runs pending migrations and exits (the gateway also runs them at start-up). */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config.database);
  try {
    await db.migrate();
    console.log('migrations: up to date');
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error instanceof StartupError ? error.message : error);
  process.exit(1);
});

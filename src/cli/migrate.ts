import 'reflect-metadata';
import { loadConfig } from '../config';
import { StartupError } from '../errors/startup-error';
import { openDatabase } from '../db/database';

/** `npm run migrate`: runs pending migrations and exits (the gateway also runs them at start-up). */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config.database);
  try {
    if (db.creationWarning) console.log(`migrations: ${db.creationWarning}`);
    const applied = await db.migrate();
    for (const name of applied) console.log(`migrations: applied ${name}`);
    console.log(`migrations: ${db.description} is up to date (${applied.length ? `${applied.length} applied now` : 'nothing to apply'})`);
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error instanceof StartupError ? error.message : error);
  process.exit(1);
});

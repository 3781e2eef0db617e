import 'reflect-metadata';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { StartupError } from '../errors/startup-error';
import { openDatabase } from '../db/database';
import { DEMO_OWNER_EMAIL, DEMO_PASSWORD, seedDemoData } from '../demo/demo-data';
import { createServices } from '../services';

/** `npm run seed:demo`: the demo tenants and accounts, into an empty database (any DATABASE_URL). */
async function main(): Promise<void> {
  const config = loadConfig();
  config.warnings.forEach((warning) => console.warn(`warning: ${warning}`));
  const db = await openDatabase(config.database);
  try {
    await db.migrate();
    const seeded = await seedDemoData(createServices(db, config, systemClock));
    console.log(seeded ? `demo data created: sign in as ${DEMO_OWNER_EMAIL} / ${DEMO_PASSWORD}` : 'the database has accounts already: no demo data added');
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error instanceof StartupError ? error.message : error);
  process.exit(1);
});

// Gateways starting together must migrate one at a time, and a gateway that died holding the lock must not
// hold up the others for longer than its lease.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { Database, openDatabase } from '../../src/db/database';
import { withMigrationLock } from '../../src/db/migration-lock';
import { scratchDatabase, ScratchDatabase } from '../helpers/databases';
import { productionEnv, sleep } from './harness';

describe.skipIf(!process.env.TEST_MYSQL_URL)('the migration lock on MariaDB (skipped without TEST_MYSQL_URL, which CI sets)', () => {
  let database: ScratchDatabase;
  let first: Database;
  let second: Database;
  beforeAll(async () => {
    database = await scratchDatabase('mariadb');
    const config = loadConfig(productionEnv(database)).database;
    [first, second] = await Promise.all([openDatabase(config), openDatabase(config)]);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await database?.drop();
  });

  it('makes a second gateway wait until the first has finished, then lets it in', async () => {
    const events: string[] = [];
    let finish!: () => void;
    const holding = withMigrationLock(first.dataSource, async () => {
      events.push('first in');
      await new Promise<void>((resolve) => (finish = resolve));
      events.push('first out');
    });
    await sleep(200);
    const waiting = withMigrationLock(second.dataSource, async () => void events.push('second in'));
    await sleep(800);
    expect(events).toEqual(['first in']);
    finish();
    await Promise.all([holding, waiting]);
    expect(events).toEqual(['first in', 'first out', 'second in']);
    expect(await first.manager.query('SELECT * FROM migration_locks')).toEqual([]);
  });

  it('takes over the lock of a gateway that died holding it once its lease has run out', async () => {
    await first.manager.query("INSERT INTO migration_locks (name, holder, expires_at) VALUES ('migrations', 'dead gateway', NOW(3) + INTERVAL 1 SECOND)");
    const startedAt = Date.now();
    await withMigrationLock(second.dataSource, async () => undefined);
    const waitedMs = Date.now() - startedAt;
    expect(waitedMs).toBeGreaterThan(700);
    expect(waitedMs).toBeLessThan(5000);
    expect(await first.manager.query('SELECT * FROM migration_locks')).toEqual([]);
  });
});

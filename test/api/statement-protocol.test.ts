// The statements of a transaction reach a single MariaDB/MySQL server as prepared statements (parsed once per
// connection); only a Galera node gets them as text (test/cluster/commit-conflict.test.ts says why).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { preparedExecutionsInTransaction } from '../helpers/statement-protocol';

describe.runIf(process.env.TEST_MYSQL_URL)('statements inside a transaction on a single MariaDB server', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway('mariadb');
  });
  afterAll(() => t?.close());

  it('go as prepared statements', async () => {
    expect(await preparedExecutionsInTransaction(t.gateway.db)).toBe(2);
  });
});

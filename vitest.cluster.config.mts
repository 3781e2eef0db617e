import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.mts';

/**
 * npm run test:cluster: the tests that need a 3-node MariaDB Galera cluster with HAProxy, which the global
 * setup starts on loopback (Debian's mariadb-server, galera-4, rsync, haproxy) and stops afterwards. The files
 * share the cluster and one of them kills a node, so they run one at a time.
 */
export default defineConfig({
  resolve: base.resolve,
  test: {
    ...base.test,
    include: ['test/cluster/**/*.test.ts'],
    exclude: configDefaults.exclude,
    globalSetup: ['test/cluster/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
  },
});

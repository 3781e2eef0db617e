import path from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // One graphql module for all: type-graphql and Apollo load its CommonJS build, so the tests' and the
    // sources' imports must resolve to the same file (graphql refuses types from "another realm").
    alias: [{ find: /^graphql$/, replacement: path.resolve(import.meta.dirname, 'node_modules/graphql/index.js') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The Galera cluster tests need a cluster: npm run test:cluster (vitest.cluster.config.mts).
    exclude: [...configDefaults.exclude, 'test/cluster/**'],
    // One line saying what runs without TEST_MYSQL_URL, and a clear failure when the server it names is away.
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});

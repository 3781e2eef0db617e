import { defineConfig } from 'vitest/config';
import base from './vitest.config.mts';

/**
 * The tests Stryker runs against each mutant (stryker.config.mjs): the unit tests. They touch no database and
 * load no native module, so they run under the newer Node that Stryker needs without a reinstall.
 */
export default defineConfig({
  resolve: base.resolve,
  test: {
    ...base.test,
    include: ['test/unit/**/*.test.ts'],
    globalSetup: [],
  },
});

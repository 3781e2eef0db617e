// Mutation testing of the pure rule files: `npm run test:mutation` (scripts/test-mutation.sh, Node >= 22).
// Each mutant runs only the unit tests that reach it (coverageAnalysis "perTest"), so a run takes about a minute.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.mts', related: false },
  coverageAnalysis: 'perTest',
  mutate: [
    'src/two-factor/gate.ts',
    'src/tenancy/hierarchy-rule.ts',
    'src/tenancy/roles.ts',
    'src/crypto/recovery-codes.ts',
    'src/crypto/totp.ts',
    // The lock-out's rule: how long each lock in a row holds, and when TOTP closes. Its statements
    // (src/two-factor/lockout.ts) are SQL that only the API tests reach.
    'src/two-factor/lock-escalation.ts',
    // How long a remembered device vouches under the tenant's days.
    'src/remembered-devices/device-expiry.ts',
  ],
  // `break` fails the run on the score of all files together; scripts/check-mutation-scores.mjs holds each file to it.
  thresholds: { high: 95, low: 90, break: 90 },
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  concurrency: 2,
  // The sandbox Stryker copies the project into needs only what the unit tests load.
  ignorePatterns: ['dist', 'reports', 'data', 'bench', 'docs', 'test/e2e', 'test/hardening', 'test/api', 'test/cluster'],
  // No '// @ts-nocheck' put into the sandbox's files: vitest does not type-check, and test/unit/schema.test.ts
  // compares generated files byte for byte.
  disableTypeChecks: false,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};

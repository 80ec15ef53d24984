/**
 * Tests are TypeScript compiled by SWC (the same compiler Temporal's workflow bundler uses);
 * type-checking is `tsc --noEmit`, run separately by `npm test`.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  setupFiles: ['<rootDir>/test/harness/quiet-temporal-logs.ts'],
  // Two workers for two cores: a third stacks real fits three deep, and they slowed by a quarter more than the
  // third worker gained (measured). `npm test` runs the suite as two such runs side by side, the e2e files on
  // two workers and the rest on one (scripts/test.sh).
  maxWorkers: 2,
  // The slowest files first, by checked-in measurements: the order must not depend on a cache a new machine lacks.
  testSequencer: '<rootDir>/test/harness/slow-first-sequencer.js',
  testTimeout: 120_000,
};

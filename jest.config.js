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
  // Two workers for two cores: the suite is short of CPU, not of packing. A third worker (measured: in the
  // same run, or as a second jest beside the e2e files) stacked real fits three and four deep and slowed
  // them by more than it gained.
  maxWorkers: 2,
  // The slowest files first, by checked-in measurements: the order must not depend on a cache a new machine lacks.
  testSequencer: '<rootDir>/test/harness/slow-first-sequencer.js',
  testTimeout: 120_000,
};

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
  // Integration tests share one Temporal server and one MongoDB-wire server. Three workers on two cores: with
  // two, the cores stood a third idle over the suite (37 % busy while the integration files wait on Temporal,
  // timers and child processes); a third file fills those waits. More would stack real fits three deep.
  maxWorkers: 3,
  // The slowest files first, by checked-in measurements: the order must not depend on a cache a new machine lacks.
  testSequencer: '<rootDir>/test/harness/slow-first-sequencer.js',
  testTimeout: 120_000,
};

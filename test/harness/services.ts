/**
 * The test files' way to the services: src/dev-services starts and stops them (its ephemeral mode, the
 * same definition as ./temporal-dev.sh's). Kept for the tests that start a MongoDB-wire server of their
 * own to stop and restart it.
 */
export { startMongoWireServer, stopServices as stopProcessGroups } from '../../src/dev-services';

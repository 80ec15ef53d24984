import { startEphemeralServices } from '../../src/dev-services';
import { writeSharedWorkflowBundle } from './workflow-bundle';

/**
 * Starts the ephemeral services once for the whole run and tells the test workers where they are. The
 * services file that src/dev-services writes lets global teardown (same process) stop them, and
 * scripts/test.sh's exit trap stop them after a crash.
 */
export default async function globalSetup(): Promise<void> {
  const services = await startEphemeralServices();
  process.env.MLIP_TEST_SERVICES_FILE = services.recordFile;
  // Jest forks its workers after global setup, so they inherit these.
  process.env.MLIP_TEST_TEMPORAL_ADDRESS = services.temporalAddress;
  process.env.MLIP_TEST_MONGODB_URI = services.mongoUri;
  process.env.MLIP_TEST_SCRATCH = services.scratchDir;
  await writeSharedWorkflowBundle(services.scratchDir);
}

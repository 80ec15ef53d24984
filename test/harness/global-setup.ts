import fs from 'node:fs';
import path from 'node:path';
import { SERVICES_FILE, startTestServices } from './services';

/** Starts the ephemeral services once for the whole run and tells the test workers where they are. */
export default async function globalSetup(): Promise<void> {
  const services = await startTestServices();
  fs.mkdirSync(path.dirname(SERVICES_FILE), { recursive: true });
  fs.writeFileSync(SERVICES_FILE, JSON.stringify(services, null, 2));
  // Jest forks its workers after global setup, so they inherit these.
  process.env.MLIP_TEST_TEMPORAL_ADDRESS = services.temporalAddress;
  process.env.MLIP_TEST_MONGODB_URI = services.mongoUri;
  process.env.MLIP_TEST_SCRATCH = services.scratchDir;
}

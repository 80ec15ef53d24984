import fs from 'node:fs';
import { readServicesRecord, stopEphemeralServices } from '../../src/dev-services';

export default async function globalTeardown(): Promise<void> {
  const file = process.env.MLIP_TEST_SERVICES_FILE;
  if (!file || !fs.existsSync(file)) return;
  await stopEphemeralServices(readServicesRecord(file));
}

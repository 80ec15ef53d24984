import fs from 'node:fs';
import { SERVICES_FILE, stopProcessGroups, type TestServices } from './services';

export default async function globalTeardown(): Promise<void> {
  if (!fs.existsSync(SERVICES_FILE)) return;
  const services = JSON.parse(fs.readFileSync(SERVICES_FILE, 'utf8')) as TestServices;
  await stopProcessGroups(services.processes);
  fs.rmSync(services.scratchDir, { recursive: true, force: true });
  fs.rmSync(SERVICES_FILE, { force: true });
}

/**
 * What the workflow benches run on: their own ephemeral Temporal dev server and MongoDB-wire server, and
 * the settings of a worker on one host. The worker itself is worker/in-process.ts's, at production
 * cadences (as `npm run worker` runs it).
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import path from 'node:path';
import { loadEnv, type Env } from '../src/config';
import { startEphemeralServices, stopEphemeralServices } from '../src/dev-services';

export interface BenchServices {
  env: Env;
  /** Stops both servers and removes their data. */
  stop(): Promise<void>;
}

/** Starts the servers; the env points a worker of one host (one fit at a time) at them and at `outDir`. */
export async function startBenchServices(taskQueue: string, outDir: string): Promise<BenchServices> {
  // The worker's INFO lines would interleave with the figures: warnings and errors only.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const services = await startEphemeralServices();
  const env = loadEnv({
    ...process.env,
    TEMPORAL_ADDRESS: services.temporalAddress,
    MONGODB_URI: services.mongoUri,
    MLIP_DB: 'bench',
    MLIP_TASK_QUEUE: taskQueue,
    MLIP_HOST_ID: 'bench-host',
    MLIP_WORK_ROOT: path.join(outDir, 'work'),
    MLIP_POTENTIALS_DIR: path.join(outDir, 'potentials'),
    MLIP_MAX_CONCURRENT_TRAININGS: '1',
  });
  return {
    env,
    async stop() {
      await stopEphemeralServices(services);
    },
  };
}

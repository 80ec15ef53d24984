/**
 * What the workflow benches run on: their own ephemeral Temporal dev server and MongoDB-wire server, the
 * settings of a worker on one host, and a training worker as `npm run worker` runs it (production
 * cadences) inside the bench's own process, with the client the bench starts workflows through.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';
import { loadEnv, type Env } from '../src/config/env';
import { createTrainingWorkers } from '../src/worker/create-workers';
import { startTestServices, stopProcessGroups } from '../test/harness/services';

export interface BenchServices {
  env: Env;
  /** Stops both servers and removes their data. */
  stop(): Promise<void>;
}

/** Starts the servers; the env points a worker of one host (one fit at a time) at them and at `outDir`. */
export async function startBenchServices(taskQueue: string, outDir: string): Promise<BenchServices> {
  // The worker's INFO lines would interleave with the figures: warnings and errors only.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const services = await startTestServices();
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
      await stopProcessGroups(services.processes);
      fs.rmSync(services.scratchDir, { recursive: true, force: true });
    },
  };
}

export interface BenchWorker {
  client: Client;
  /** Shuts the workers down (a running activity is cancelled) and closes both connections. */
  stop(): Promise<void>;
}

export async function startBenchWorker(env: Env): Promise<BenchWorker> {
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  const clientConnection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE });
  const workers = await createTrainingWorkers({ env, connection, client });
  const running = workers.run();
  return {
    client,
    async stop() {
      workers.shutdown();
      await running;
      await clientConnection.close();
      await connection.close();
    },
  };
}

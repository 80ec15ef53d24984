/**
 * A training worker as `npm run worker` runs it (production cadences), inside the bench's own process, with
 * the client the bench starts workflows through.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Env } from '../src/config/env';
import { createTrainingWorkers } from '../src/worker/create-workers';

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

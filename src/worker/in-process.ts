/**
 * Training workers running inside the calling process, with the client that starts workflows on them: what
 * the tests and the benches run trainings against. `npm run worker` (main.ts) does the same with start-up
 * housekeeping of its own.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Env } from '../config';
import { createTrainingWorkers, type TrainingWorkers, type TrainingWorkersOptions } from './create-workers';

export interface InProcessWorkers {
  workers: TrainingWorkers;
  client: Client;
  /** Shuts the workers down (running activities are cancelled), then closes both connections. */
  stop(): Promise<void>;
}

export async function startInProcessWorkers(
  env: Env,
  options: Pick<TrainingWorkersOptions, 'workflowBundle' | 'tuning'> = {},
): Promise<InProcessWorkers> {
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  const clientConnection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE });
  const workers = await createTrainingWorkers({ env, connection, client, ...options });
  const running = workers.run();
  return {
    workers,
    client,
    async stop() {
      workers.shutdown();
      await running;
      await clientConnection.close();
      await connection.close();
    },
  };
}

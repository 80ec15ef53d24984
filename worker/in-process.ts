/**
 * Training workers running inside the calling process, with the client that starts workflows on them: what
 * the tests and the benches run trainings against. `npm run worker` (main.ts) does the same with start-up
 * housekeeping of its own.
 */
import { Client } from '@temporalio/client';
import type { Env } from '../src/config';
import { installRuntime } from '../src/telemetry';
import { connectClient, connectWorker, temporalTarget } from '../src/temporal';
import { createTrainingWorkers, type TrainingWorkers, type TrainingWorkersOptions } from './create-workers';

export interface InProcessWorkers {
  workers: TrainingWorkers;
  client: Client;
  /** Shuts the workers down (running activities are cancelled), then closes both connections. */
  stop(): Promise<void>;
}

export interface InProcessOptions extends Pick<TrainingWorkersOptions, 'workflowBundle' | 'tuning'> {
  /**
   * Serve metrics on env.MLIP_METRICS_ADDRESS: installs this process's Temporal runtime, so only where
   * nothing in the process has connected to Temporal yet (the runtime is one per process). Default: no.
   */
  metrics?: boolean;
}

export async function startInProcessWorkers(
  env: Env,
  { metrics = false, ...options }: InProcessOptions = {},
): Promise<InProcessWorkers> {
  if (metrics && env.MLIP_METRICS_ADDRESS === 'off')
    throw new Error("metrics: true needs MLIP_METRICS_ADDRESS (ip:port) in the workers' env");
  if (metrics) installRuntime(env);
  const target = temporalTarget(env);
  const connection = await connectWorker(target);
  const clientConnection = await connectClient(target);
  const client = new Client({ connection: clientConnection, namespace: target.namespace });
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

/**
 * The two workers a training host runs (Temporal's worker-specific task queue pattern), serving the
 * activities activities/registry.ts builds, each set on its queue:
 *   - on the shared queue (MLIP_TASK_QUEUE): the workflows, their local activities and the shared set;
 *   - on the host's own queue (<MLIP_TASK_QUEUE>@<MLIP_HOST_ID>): the host set.
 * The host queue's name depends only on MLIP_HOST_ID, so a restarted worker serves the same queue and
 * picks its trainings back up.
 */
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions, type WorkflowBundle } from '@temporalio/worker';
import { createHostActivities, type ActivityTuning } from '../activities/registry';
import { hostTaskQueue, type Env } from '../src/config';
import { connectDatabase } from '../src/db';
import { activityMetricsInterceptor } from '../src/telemetry';

export interface TrainingWorkersOptions {
  env: Env;
  connection: NativeConnection;
  client: Client;
  /** A prebuilt workflow bundle (tests build one per file); default: bundle workflows/ at start. */
  workflowBundle?: WorkflowBundle;
  /** Faster cadences for tests. */
  tuning?: ActivityTuning;
}

export interface TrainingWorkers {
  hostQueue: string;
  shared: Worker;
  host: Worker;
  /** Runs both until shutdown; closes the database afterwards. */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createTrainingWorkers(options: TrainingWorkersOptions): Promise<TrainingWorkers> {
  const { env, connection, client, tuning } = options;
  const hostQueue = hostTaskQueue(env.MLIP_TASK_QUEUE, env.MLIP_HOST_ID);
  const database = connectDatabase(env.MONGODB_URI, env.MLIP_DB);
  const activities = createHostActivities({ env, hostQueue, database, client, tuning });
  const common = commonOptions(env, connection);
  const shared = await Worker.create({
    ...common,
    taskQueue: env.MLIP_TASK_QUEUE,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    // The local activities resolve the workflows' input (recorded in history once per run).
    activities: { ...activities.local, ...activities.shared },
  });
  const host = await Worker.create({
    ...common,
    taskQueue: hostQueue,
    activities: activities.host,
    // A fit waiting for a training slot holds an activity slot; leave room for many.
    maxConcurrentActivityTaskExecutions: 200,
  });

  return {
    hostQueue,
    shared,
    host,
    async run() {
      try {
        await Promise.all([shared.run(), host.run()]);
      } finally {
        await database.close();
      }
    },
    shutdown() {
      for (const w of [shared, host]) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}

/** What both workers share: the host's identity, the drain's bounds, metrics and the heartbeat cadence. */
function commonOptions(env: Env, connection: NativeConnection) {
  // A drain ends within MLIP_DRAIN_SECONDS (fits stop at a checkpoint); past that, stop waiting for
  // anything (deploy/ sizes its stop timeouts by this margin).
  const drainGraceMs = env.MLIP_DRAIN_SECONDS * 1000;
  const shutdownForceTime = drainGraceMs + 30_000;
  return {
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    // The Web UI shows which host ran each step by this identity.
    identity: `${env.MLIP_HOST_ID}/pid-${process.pid}`,
    shutdownForceTime,
    // Every activity timed and its failures counted by type (recorded only where MLIP_METRICS_ADDRESS is
    // set).
    interceptors: { activity: [activityMetricsInterceptor(env.MLIP_HOST_ID)] },
    // Heartbeats are how cancellation reaches a fit, a scoring or an exploration: sent often enough that
    // a cancel stops its child process within seconds, not within the SDK's default of up to a minute.
    maxHeartbeatThrottleInterval: '2s',
    defaultHeartbeatThrottleInterval: '2s',
  } satisfies Partial<WorkerOptions>;
}

/**
 * The two workers a training host runs (Temporal's worker-specific task queue pattern):
 *   - on the shared queue (MLIP_TASK_QUEUE): the workflows and acquireWorkspace;
 *   - on the host's own queue (<MLIP_TASK_QUEUE>@<MLIP_HOST_ID>): every step that touches the workspace.
 * The host queue's name depends only on MLIP_HOST_ID, so a restarted worker serves the same queue and
 * picks its trainings back up.
 */
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import { createBuildActiveSetActivity } from '../activities/build-active-set';
import { createExecuteTrainingActivity } from '../activities/execute-training';
import { createExploreStructuresActivity } from '../activities/explore-structures';
import { createFetchTrainingDataActivity } from '../activities/fetch-training-data';
import { createGeneratePacemakerConfigActivity } from '../activities/generate-pacemaker-config';
import { createInitialPotentialActivity } from '../activities/initial-potential';
import { createPublishPotentialActivity } from '../activities/publish-potential';
import { createResolveRequestActivities } from '../activities/resolve-request';
import { createScoreCandidatesActivities } from '../activities/score-candidates';
import { createWorkspaceActivities } from '../activities/workspace';
import { hostTaskQueue, type Env } from '../src/config';
import { connectDatabase } from '../src/db';
import { scoringCountsSignal, fitProgressSignal } from '../src/api';
import { Semaphore } from '../src/process';
import { activityMetricsInterceptor, trainingSlotGauges } from '../src/telemetry';

export interface TrainingWorkersOptions {
  env: Env;
  connection: NativeConnection;
  client: Client;
  /** A prebuilt workflow bundle (tests build one per file); default: bundle workflows/ at start. */
  workflowBundle?: WorkflowBundle;
  /** Faster cadences for tests. */
  tuning?: {
    heartbeatIntervalMs?: number;
    /** Fits: at most one checkpoint report to the workflow per this interval. */
    checkpointReportIntervalMs?: number;
    /** Scorings: counts reported to the workflow at most this often. */
    progressReportIntervalMs?: number;
    killGraceMs?: number;
  };
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
  const { env, connection, client, tuning = {} } = options;
  const hostQueue = hostTaskQueue(env.MLIP_TASK_QUEUE, env.MLIP_HOST_ID);
  const database = connectDatabase(env.MONGODB_URI, env.MLIP_DB);

  const workspace = createWorkspaceActivities({
    hostId: env.MLIP_HOST_ID,
    hostTaskQueue: hostQueue,
    workRoot: env.MLIP_WORK_ROOT,
    capacity: env.MLIP_MAX_CONCURRENT_TRAININGS,
    sharedWorkRoot: env.MLIP_SHARED_WORK_ROOT,
    killGraceMs: tuning.killGraceMs,
  });
  const drainGraceMs = env.MLIP_DRAIN_SECONDS * 1000;
  const hostActivities = {
    // Also here: committee members are pinned to the host that holds their shared dataset.
    acquireWorkspace: workspace.acquireWorkspace,
    cleanupWorkspace: workspace.cleanupWorkspace,
    ...createFetchTrainingDataActivity({
      database,
      python: env.MLIP_PYTHON,
      heartbeatIntervalMs: tuning.heartbeatIntervalMs,
    }),
    ...createInitialPotentialActivity({ database, hostId: env.MLIP_HOST_ID }),
    ...createGeneratePacemakerConfigActivity({ pacemakerBin: env.PACEMAKER_BIN, python: env.MLIP_PYTHON }),
    ...createExecuteTrainingActivity({
      pacemakerBin: env.PACEMAKER_BIN,
      paceYaml2YaceBin: env.PACE_YAML2YACE_BIN,
      python: env.MLIP_PYTHON,
      trainingSlots: new Semaphore(
        env.MLIP_MAX_CONCURRENT_TRAININGS,
        trainingSlotGauges(env.MLIP_HOST_ID, env.MLIP_MAX_CONCURRENT_TRAININGS),
      ),
      reportProgress: (target, progress) =>
        client.workflow.getHandle(target.workflowId, target.runId).signal(fitProgressSignal, progress),
      hostId: env.MLIP_HOST_ID,
      drainGraceMs,
      killGraceMs: tuning.killGraceMs,
      heartbeatIntervalMs: tuning.heartbeatIntervalMs,
      checkpointReportIntervalMs: tuning.checkpointReportIntervalMs,
    }),
    ...createBuildActiveSetActivity({
      paceActivesetBin: env.PACE_ACTIVESET_BIN,
      killGraceMs: tuning.killGraceMs,
      heartbeatIntervalMs: tuning.heartbeatIntervalMs,
    }),
    ...createPublishPotentialActivity({
      database,
      potentialsDir: env.MLIP_POTENTIALS_DIR,
      pacemakerBin: env.PACEMAKER_BIN,
    }),
  };
  const scoring = createScoreCandidatesActivities({
    database,
    python: env.MLIP_PYTHON,
    hostId: env.MLIP_HOST_ID,
    reportProgress: (target, counts) =>
      client.workflow.getHandle(target.workflowId, target.runId).signal(scoringCountsSignal, counts),
    killGraceMs: tuning.killGraceMs,
    heartbeatIntervalMs: tuning.heartbeatIntervalMs,
    progressReportIntervalMs: tuning.progressReportIntervalMs,
  });

  const exploration = createExploreStructuresActivity({
    database,
    python: env.MLIP_PYTHON,
    hostId: env.MLIP_HOST_ID,
    workRoot: env.MLIP_WORK_ROOT,
    killGraceMs: tuning.killGraceMs,
    heartbeatIntervalMs: tuning.heartbeatIntervalMs,
  });

  // The Web UI shows which host ran each step by this identity.
  const identity = `${env.MLIP_HOST_ID}/pid-${process.pid}`;
  // A drain ends within MLIP_DRAIN_SECONDS (fits stop at a checkpoint); past that, stop waiting for anything.
  const shutdownForceTime = drainGraceMs + 30_000;
  // Every activity timed and its failures counted by type (recorded only where MLIP_METRICS_ADDRESS is set).
  const interceptors = { activity: [activityMetricsInterceptor(env.MLIP_HOST_ID)] };
  const workflowSource = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : { workflowsPath: require.resolve('../workflows') };
  const shared = await Worker.create({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.MLIP_TASK_QUEUE,
    identity,
    ...workflowSource,
    shutdownForceTime,
    interceptors,
    activities: {
      // Local activities: the workflows resolve their input with them (recorded in history once per run).
      ...createResolveRequestActivities(),
      acquireWorkspace: workspace.acquireWorkspace,
      lookupScoringPotential: scoring.lookupScoringPotential,
      // Potentials whose registry entry names no host are scored and explored by any host (a shared potentials dir).
      scoreCandidates: scoring.scoreCandidates,
      exploreStructures: exploration.exploreStructures,
    },
    // As on the host queue: heartbeats carry a scoring's cancellation to its scorer within seconds.
    maxHeartbeatThrottleInterval: '2s',
    defaultHeartbeatThrottleInterval: '2s',
  });
  const host = await Worker.create({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: hostQueue,
    identity,
    shutdownForceTime,
    interceptors,
    activities: {
      ...hostActivities,
      scoreCandidates: scoring.scoreCandidates,
      exploreStructures: exploration.exploreStructures,
    },
    // A fit waiting for a training slot holds an activity slot; leave room for many.
    maxConcurrentActivityTaskExecutions: 200,
    // Heartbeats are how cancellation reaches a fit: send them often enough that a cancel stops
    // pacemaker within seconds, not within the SDK's default of up to a minute.
    maxHeartbeatThrottleInterval: '2s',
    defaultHeartbeatThrottleInterval: '2s',
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

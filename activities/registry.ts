/**
 * Every activity a training host serves, built from the worker's dependencies, and the one statement of
 * which task queue serves which (Temporal's worker-specific task queue pattern):
 *   - local: the request resolutions, run by the worker that runs the workflow;
 *   - shared (MLIP_TASK_QUEUE, any host may take it): acquireWorkspace and lookupPotential;
 *   - host (<MLIP_TASK_QUEUE>@<MLIP_HOST_ID>): every step that reads or writes the workspace, and the
 *     scoring and exploration of the potentials whose files this host holds.
 * Workflow code takes the types of the three sets (through activities/index.ts); the worker registers
 * the values.
 */
import type { Client } from '@temporalio/client';
import { fitProgressSignal, scoringCountsSignal } from '../src/api';
import type { Env } from '../src/config';
import type { DatabaseHandle } from '../src/db';
import { hostFitThreads } from '../src/pacemaker';
import { Semaphore } from '../src/process';
import { trainingSlotGauges } from '../src/telemetry';
import { createBuildActiveSetActivity } from './build-active-set';
import { createExecuteTrainingActivity } from './execute-training';
import { createExploreStructuresActivity } from './explore-structures';
import { createFetchTrainingDataActivity } from './fetch-training-data';
import { createGeneratePacemakerConfigActivity } from './generate-pacemaker-config';
import { createInitialPotentialActivity } from './initial-potential';
import { createLookupPotentialActivity } from './lookup-potential';
import { createPublishPotentialActivity } from './publish-potential';
import { createResolveRequestActivities } from './resolve-request';
import { createScoreCandidatesActivity } from './score-candidates';
import { createWorkspaceActivities } from './workspace';

/** Faster cadences, for tests. */
export interface ActivityTuning {
  heartbeatIntervalMs?: number;
  /** Fits: at most one checkpoint report to the workflow per this interval. */
  checkpointReportIntervalMs?: number;
  /** Scorings: counts reported to the workflow at most this often. */
  progressReportIntervalMs?: number;
  killGraceMs?: number;
}

export interface HostActivityDeps {
  env: Env;
  /** This host's own queue, which acquireWorkspace hands to the workflow. */
  hostQueue: string;
  database: DatabaseHandle;
  /** Sends fits' and scorings' progress to the workflows that asked for it. */
  client: Pick<Client, 'workflow'>;
  tuning?: ActivityTuning;
}

export function createHostActivities(deps: HostActivityDeps) {
  const training = trainingActivities(deps);
  const { lookupPotential } = createLookupPotentialActivity(deps);
  // Potentials whose registry entry names no host are scored and explored by any host (a shared
  // potentials folder): on the shared queue too.
  const withPotentials = { ...scoringActivity(deps), ...explorationActivity(deps) };
  return {
    local: createResolveRequestActivities(),
    shared: {
      acquireWorkspace: training.acquireWorkspace,
      // Its first name: recorded histories schedule it by that name, and replay checks activity types.
      lookupScoringPotential: lookupPotential,
      ...withPotentials,
    },
    host: {
      // acquireWorkspace is here too: committee members are pinned to the host that holds their dataset.
      ...training,
      ...withPotentials,
    },
  };
}

type Activities = ReturnType<typeof createHostActivities>;
/** Local activities: run by the worker that runs the workflow (the shared queue). */
export type ResolveRequestActivities = Activities['local'];
export type SharedQueueActivities = Activities['shared'];
export type HostQueueActivities = Activities['host'];

/** The steps of a training, each on the host that holds its workspace. */
function trainingActivities({ env, hostQueue, database, client, tuning = {} }: HostActivityDeps) {
  return {
    ...createWorkspaceActivities({
      hostId: env.MLIP_HOST_ID,
      hostTaskQueue: hostQueue,
      workRoot: env.MLIP_WORK_ROOT,
      capacity: env.MLIP_MAX_CONCURRENT_TRAININGS,
      sharedWorkRoot: env.MLIP_SHARED_WORK_ROOT,
      killGraceMs: tuning.killGraceMs,
    }),
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
      fitThreads: hostFitThreads(env),
      drainGraceMs: env.MLIP_DRAIN_SECONDS * 1000,
      ...tuning,
    }),
    ...createBuildActiveSetActivity({ paceActivesetBin: env.PACE_ACTIVESET_BIN, ...tuning }),
    ...createPublishPotentialActivity({
      database,
      potentialsDir: env.MLIP_POTENTIALS_DIR,
      pacemakerBin: env.PACEMAKER_BIN,
    }),
  };
}

function scoringActivity({ env, database, client, tuning = {} }: HostActivityDeps) {
  return createScoreCandidatesActivity({
    database,
    python: env.MLIP_PYTHON,
    hostId: env.MLIP_HOST_ID,
    reportProgress: (target, counts) =>
      client.workflow.getHandle(target.workflowId, target.runId).signal(scoringCountsSignal, counts),
    ...tuning,
  });
}

function explorationActivity({ env, database, tuning = {} }: HostActivityDeps) {
  return createExploreStructuresActivity({
    database,
    python: env.MLIP_PYTHON,
    hostId: env.MLIP_HOST_ID,
    workRoot: env.MLIP_WORK_ROOT,
    ...tuning,
  });
}

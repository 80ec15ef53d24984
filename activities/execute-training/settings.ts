/** executeTraining's dependencies with their defaults, as its phases use them. */
import { CHECKPOINT_REPORT_INTERVAL_MS, type TrainingProgress } from '../../src/api';
import type { Semaphore } from '../../src/process';

export interface ExecuteTrainingDeps {
  pacemakerBin: string;
  paceYaml2YaceBin: string;
  python: string;
  /** Limits concurrent fits in this worker process (MLIP_MAX_CONCURRENT_TRAININGS). */
  trainingSlots: Semaphore;
  /** Sends progress to a workflow; failures are logged and ignored. */
  reportProgress?: (
    target: { workflowId: string; runId?: string },
    progress: TrainingProgress,
  ) => Promise<void>;
  /** SIGTERM → SIGKILL grace period. */
  killGraceMs?: number;
  /** On worker shutdown: how long pacemaker may take to stop at a checkpoint after SIGINT. */
  drainGraceMs?: number;
  /** This host's id, named in the failure that hands a drained fit back. */
  hostId?: string;
  heartbeatIntervalMs?: number;
  /** CPU threads a fit may use (src/pacemaker/fit-threads.ts); unset: TensorFlow's default, every core. */
  fitThreads?: number;
  /** At most one checkpoint report to the workflow per this interval (default CHECKPOINT_REPORT_INTERVAL_MS). */
  checkpointReportIntervalMs?: number;
}

export interface FitSettings {
  pacemakerBin: string;
  paceYaml2YaceBin: string;
  python: string;
  killGraceMs: number;
  drainGraceMs: number;
  heartbeatIntervalMs: number;
  reportIntervalMs: number;
  hostId?: string;
  fitThreads?: number;
}

export function fitSettings(deps: ExecuteTrainingDeps): FitSettings {
  return {
    pacemakerBin: deps.pacemakerBin,
    paceYaml2YaceBin: deps.paceYaml2YaceBin,
    python: deps.python,
    killGraceMs: deps.killGraceMs ?? 10_000,
    drainGraceMs: deps.drainGraceMs ?? 60_000,
    heartbeatIntervalMs: deps.heartbeatIntervalMs ?? 5_000,
    reportIntervalMs: deps.checkpointReportIntervalMs ?? CHECKPOINT_REPORT_INTERVAL_MS,
    hostId: deps.hostId,
    fitThreads: deps.fitThreads,
  };
}

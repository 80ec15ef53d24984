/**
 * Every ApplicationFailure type this package raises, in one place. Workflows list the non-retryable ones
 * in their retry policies; callers (CLI, parent workflows) match on `failure.type`.
 *
 * Non-retryable: the same input would fail the same way, so retrying only wastes hours of compute.
 * Retryable: the world may change (a server comes back, a host frees up).
 */
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';

export const FailureType = {
  /** The workflow input (TrainingRequest) failed validation. */
  InvalidTrainingRequest: 'InvalidTrainingRequest',
  /** Calculation documents that break contract v1, with `invalidRecords: "fail"`. */
  InvalidTrainingData: 'InvalidTrainingData',
  /** The selection matched no usable completed calculation. */
  EmptyTrainingSet: 'EmptyTrainingSet',
  /** TrainerParams that cannot be translated faithfully, or that pacemaker rejects in `--dry-run`. */
  InvalidTrainerConfig: 'InvalidTrainerConfig',
  /** pacemaker exited non-zero on its input (not a crash of the host). */
  TrainingFailed: 'TrainingFailed',
  /** pacemaker finished but its output is missing or unreadable. */
  InvalidTrainerOutput: 'InvalidTrainerOutput',
  /** A worker's environment is misconfigured (missing binary, bad env value). */
  WorkerMisconfigured: 'WorkerMisconfigured',
  /** Retryable: this host already holds MLIP_MAX_CONCURRENT_TRAININGS workspaces; another host (or later) may take it. */
  HostBusy: 'HostBusy',
  /** Retryable: a MongoDB operation failed for a transient reason (connection, timeout, restart). */
  DatabaseUnavailable: 'DatabaseUnavailable',
  /**
   * Retryable: a child process (pacemaker, pace_activeset) was killed from outside (OOM killer, an operator).
   * A type of its own because TrainingFailed and InvalidTrainerOutput are never retried.
   */
  ProcessKilled: 'ProcessKilled',
  /**
   * Retryable: the host's worker is shutting down (SIGTERM: a reboot, a batch job's wall time) and handed
   * the step back; the retry resumes it on the same host when it returns, or the training moves on.
   */
  WorkerShuttingDown: 'WorkerShuttingDown',
  /** The scoreCandidates input failed validation, or names a potential that cannot score (unknown, no files). */
  InvalidScoringRequest: 'InvalidScoringRequest',
  /**
   * The candidate scorer (python/mlip_autopipe/helpers/score_candidates.py) failed: non-retryable when it
   * cannot load the potential or breaks its protocol, retryable when it was killed from outside (the retry
   * resumes).
   */
  ScoringFailed: 'ScoringFailed',
  /** The exploreStructures input failed validation, or names a potential or seeds it cannot run. */
  InvalidExplorationRequest: 'InvalidExplorationRequest',
  /**
   * The MD explorer (python/mlip_autopipe/helpers/explore_md.py) failed: non-retryable when it cannot load
   * the potential or breaks its protocol, retryable when it was killed from outside (the retry resumes at its
   * last run).
   */
  ExplorationFailed: 'ExplorationFailed',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failure types that no retry policy in this package retries. */
export const NON_RETRYABLE_FAILURE_TYPES: FailureType[] = [
  FailureType.InvalidTrainingRequest,
  FailureType.InvalidTrainingData,
  FailureType.EmptyTrainingSet,
  FailureType.InvalidTrainerConfig,
  FailureType.TrainingFailed,
  FailureType.InvalidTrainerOutput,
  FailureType.WorkerMisconfigured,
  FailureType.InvalidScoringRequest,
  FailureType.InvalidExplorationRequest,
];

/** A failure that retrying cannot fix; `details` must stay small (it is stored in workflow history). */
export function nonRetryable(type: FailureType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? [] : [details],
  });
}

/** A failure worth retrying with backoff. */
export function retryable(type: FailureType, message: string, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: false, cause });
}

/**
 * An expected, retryable answer rather than an error (a full host turning a training away): logged at
 * DEBUG level by the worker, so waiting trainings do not flood the log with warnings.
 */
export function benign(type: FailureType, message: string): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: false,
    category: ApplicationFailureCategory.BENIGN,
  });
}

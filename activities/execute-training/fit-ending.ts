/**
 * How a run of pacemaker ended, and what executeTraining does about it: go on to the conversion, start the
 * fit again from the beginning, or fail with the failure Temporal retries (or not) by. Pure: the caller
 * gathers the facts (the run's exit, the log and the workspace's files after it) and acts on the verdict.
 */
import { type ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { TRAINER_FILES } from '../../src/artefact-names';
import { FailureType, nonRetryable, retryable } from '../../src/api';
import { readableTail } from '../../src/pacemaker';
import { handBack } from './hand-back';

/** How pacemaker's process ended. */
export interface FitExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Stopped because the training was cancelled (SIGTERM to its group). */
  cancelled: boolean;
  /** Interrupted because the worker shuts down (SIGINT: pacemaker stops at its checkpoint). */
  drained: boolean;
}

/** What the workspace tells once the run has ended. */
export interface FitEndFacts {
  /** The checkpoint the run continued from, when it did. */
  resumedFrom?: string;
  /** pacemaker.log, all runs. */
  logText: string;
  /** The latest checkpoint now. */
  checkpoint?: string;
  /** Whether pacemaker wrote output_potential.yaml. */
  potentialWritten: boolean;
  /** This host's id, named in the failure that hands a drained fit back. */
  hostId?: string;
}

export type FitVerdict =
  | { kind: 'completed' }
  /** The checkpoint could not be read: set it aside and run the fit from the beginning. */
  | { kind: 'start-again'; unusableCheckpoint: string }
  | { kind: 'failed'; failure: ApplicationFailure | CancelledFailure };

export function classifyFitExit(exit: FitExit, facts: FitEndFacts): FitVerdict {
  const stoppedFromOutside = exit.cancelled || exit.drained || exit.signal !== null;
  if (facts.resumedFrom && !stoppedFromOutside && exit.code !== 0) {
    // pacemaker rewrites its checkpoint in place: a process killed mid-write leaves one it cannot read.
    // The input itself passed --dry-run, so the fit starts again from the beginning, once.
    return { kind: 'start-again', unusableCheckpoint: facts.resumedFrom };
  }
  const failure = exitFailure(exit, facts);
  return failure ? { kind: 'failed', failure } : { kind: 'completed' };
}

function exitFailure(exit: FitExit, facts: FitEndFacts): ApplicationFailure | CancelledFailure | undefined {
  const tail = () => readableTail(facts.logText);
  if (exit.cancelled) return new CancelledFailure('training cancelled; pacemaker stopped');
  if (exit.drained) {
    return handBack(
      facts.hostId,
      facts.checkpoint
        ? `; pacemaker stopped at its checkpoint ${facts.checkpoint}, which the next attempt continues from`
        : '; pacemaker stopped before its first checkpoint, so the next attempt starts the fit again',
    );
  }
  if (exit.signal) {
    // Killed from outside (OOM killer, an operator): worth another attempt, which resumes.
    return retryable(
      FailureType.ProcessKilled,
      `pacemaker was killed by ${exit.signal}; the next attempt continues from the latest checkpoint.\n${tail()}`,
    );
  }
  if (exit.code !== 0) {
    return nonRetryable(
      FailureType.TrainingFailed,
      `pacemaker exited with code ${exit.code}. Last lines of ${TRAINER_FILES.log}:\n${tail()}`,
    );
  }
  if (!facts.potentialWritten) {
    return nonRetryable(
      FailureType.InvalidTrainerOutput,
      `pacemaker exited 0 but wrote no ${TRAINER_FILES.potentialYaml}. Last lines of the log:\n${tail()}`,
    );
  }
  return undefined;
}

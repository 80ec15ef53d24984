/**
 * How an exploration's MD explorer ended, and the failure Temporal retries (or not) by: an explorer killed
 * from outside is worth another attempt (it continues at the first run not done), one that cannot start,
 * fails on its own or breaks its protocol is not. Pure: the caller gathers how the explorer and the
 * stream of its frames ended.
 */
import { CancelledFailure } from '@temporalio/common';
import { FailureType, nonRetryable, retryable } from '../../src/api';
import { classifyMongoError } from '../../src/db';
import { ExplorerProtocolError } from '../../src/exploration';
import { readableTail } from '../../src/pacemaker';

export interface ExplorerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What is known once the explorer's output has ended. */
export interface ExplorationEnd {
  /** The activity was cancelled, and the explorer stopped for it. */
  cancelled: boolean;
  /** Why reading the explorer's output, or writing its frames, failed; undefined when it did not. */
  streamFailure?: unknown;
  /** How the explorer ended; undefined when it could not be started (spawnError says why). */
  exit: ExplorerExit | undefined;
  spawnError?: Error;
  /** Whether it wrote its closing `done` record. */
  done: boolean;
  stderr: string;
  /** Runs done so far, all attempts: where the next attempt continues. */
  runsDone: number;
  /** The interpreter it ran with (MLIP_PYTHON), named when it could not be started. */
  python: string;
}

export type ExplorationVerdict =
  | { kind: 'completed' }
  /** An ApplicationFailure or a CancelledFailure, or an error of MongoDB's that is not transient. */
  | { kind: 'failed'; failure: unknown };

export function classifyExplorationEnd(end: ExplorationEnd): ExplorationVerdict {
  const failed = (failure: unknown): ExplorationVerdict => ({ kind: 'failed', failure });
  if (end.cancelled)
    return failed(new CancelledFailure('exploration cancelled; the MD explorer was stopped'));
  const err = end.streamFailure;
  if (err instanceof ExplorerProtocolError)
    return failed(
      nonRetryable(FailureType.ExplorationFailed, `${err.message}\n${readableTail(end.stderr, 10, 1500)}`),
    );
  if (err !== undefined) return failed(classifyMongoError(err, 'writing candidates'));
  if (!end.exit)
    return failed(
      nonRetryable(
        FailureType.WorkerMisconfigured,
        `cannot run ${end.python} (MLIP_PYTHON): ${end.spawnError?.message}`,
      ),
    );
  if (end.exit.signal)
    return failed(
      retryable(
        FailureType.ExplorationFailed,
        `the MD explorer was killed by ${end.exit.signal}; the next attempt continues at run ${end.runsDone}.\n${readableTail(end.stderr, 10, 1500)}`,
      ),
    );
  if (end.exit.code !== 0 || !end.done)
    return failed(
      nonRetryable(
        FailureType.ExplorationFailed,
        `the MD explorer exited with code ${end.exit.code}: ${readableTail(end.stderr, 15, 2000) || '(no output on stderr)'}`,
      ),
    );
  return { kind: 'completed' };
}

/**
 * How a scoring's scorer ended, and the failure Temporal retries (or not) by: a scorer killed from outside
 * is worth another attempt (it resumes: scores already written are reused), one that cannot load the
 * potential or breaks its protocol is not. Pure: the caller gathers how the scorer and the stream ended.
 */
import { type ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { FailureType, nonRetryable, retryable } from '../../src/api';
import { ScorerProtocolError } from '../../src/candidates';
import { classifyMongoError } from '../../src/db';
import { readableTail } from '../../src/pacemaker';

export interface ScorerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What is known of a scorer that never announced itself ready. */
export interface ScorerStartEnd {
  cancelled: boolean;
  exit: ScorerExit;
  /** Why it could not be started at all, if it could not. */
  spawnError?: Error;
  stderr: string;
  /** The interpreter it ran with (MLIP_PYTHON), named when it could not be started. */
  python: string;
}

/** The failure of a scorer that never announced itself ready. */
export function scorerStartFailure(end: ScorerStartEnd): ApplicationFailure | CancelledFailure {
  if (end.cancelled) return new CancelledFailure('scoring cancelled');
  const why = end.spawnError
    ? `cannot run ${end.python} (MLIP_PYTHON): ${end.spawnError.message}`
    : readableTail(end.stderr, 15, 2000) || '(no output on stderr)';
  const message = `the candidate scorer could not load the potential(s): ${why}`;
  return end.exit.signal
    ? retryable(FailureType.ScoringFailed, `${message} (killed by ${end.exit.signal})`)
    : nonRetryable(FailureType.ScoringFailed, message);
}

/** What is known once the stream of candidates through the scorer has ended. */
export interface ScoringEnd {
  cancelled: boolean;
  /** Why the reading of the scorer's answers, then the feeding of candidates, stopped, when they failed. */
  failures: unknown[];
  exit: ScorerExit;
  /** Structures sent and never answered. */
  unanswered: number;
  /** From the scorer's closing `done` record; null when it never wrote one. */
  peakRssKB: number | null;
  stderr: string;
}

export type ScoringVerdict = { kind: 'completed'; peakRssKB: number } | { kind: 'failed'; failure: unknown };

export function classifyScoringEnd(end: ScoringEnd): ScoringVerdict {
  const failed = (failure: unknown): ScoringVerdict => ({ kind: 'failed', failure });
  if (end.cancelled) return failed(new CancelledFailure('scoring cancelled; the scorer was stopped'));
  for (const err of end.failures) {
    if (err instanceof ScorerProtocolError)
      return failed(
        nonRetryable(FailureType.ScoringFailed, `${err.message}\n${readableTail(end.stderr, 10, 1500)}`),
      );
    // An AbortError is one side stopping because the other did: the other's failure or the exit tells why.
    if (!(err instanceof Error && err.name === 'AbortError'))
      return failed(classifyMongoError(err, 'streaming candidates'));
  }
  if (end.exit.signal)
    return failed(
      retryable(
        FailureType.ScoringFailed,
        `the candidate scorer was killed by ${end.exit.signal}; the next attempt continues where it stopped.\n${readableTail(end.stderr, 10, 1500)}`,
      ),
    );
  if (end.exit.code !== 0 || end.unanswered > 0 || end.peakRssKB === null)
    return failed(
      nonRetryable(
        FailureType.ScoringFailed,
        `the candidate scorer exited with code ${end.exit.code} (${end.unanswered} structure(s) unanswered): ${readableTail(end.stderr, 15, 2000)}`,
      ),
    );
  return { kind: 'completed', peakRssKB: end.peakRssKB };
}

/**
 * A worker that shuts down (SIGTERM: a reboot, a batch job's wall time) cancels its activities with the
 * reason WORKER_SHUTDOWN. For a fit that is no cancellation of the training: the fit stops at a point it
 * can continue from and is handed back to Temporal, to resume on this host or another. Pure.
 */
import { type ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { FailureType, retryable } from '../../src/api';

/** Whether an activity's cancellation (its cancellationSignal's reason) is its worker shutting down. */
export function isWorkerShutdown(reason: unknown): boolean {
  return reason instanceof CancelledFailure && reason.message === 'WORKER_SHUTDOWN';
}

/** The retryable failure that gives a drained fit back to Temporal; `what` ends the sentence. */
export function handBack(hostId: string | undefined, what: string): ApplicationFailure {
  return retryable(
    FailureType.WorkerShuttingDown,
    `the worker of host ${hostId ?? '?'} is shutting down${what}`,
  );
}

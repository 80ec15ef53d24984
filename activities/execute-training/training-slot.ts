/**
 * Waiting for one of this worker's training slots (MLIP_MAX_CONCURRENT_TRAININGS), heartbeating
 * meanwhile. A wait ended by the activity's cancellation is a cancelled training or, when the worker shuts
 * down, a fit handed back before it started.
 */
import { CancelledFailure, type Context } from '@temporalio/activity';
import type { Semaphore } from '../../src/process';
import type { FitReporter } from './fit-progress';
import { handBack, isWorkerShutdown } from './hand-back';

/** Resolves with the slot's release. */
export async function waitForTrainingSlot(
  ctx: Context,
  slots: Semaphore,
  reporter: FitReporter,
  hostId: string | undefined,
): Promise<() => void> {
  try {
    return await reporter.whileReporting(() => slots.acquire(ctx.cancellationSignal));
  } catch (err) {
    if (!ctx.cancellationSignal.aborted) throw err;
    if (isWorkerShutdown(ctx.cancellationSignal.reason))
      throw handBack(hostId, ' while it waited for a training slot');
    throw new CancelledFailure('cancelled while waiting for a training slot');
  }
}

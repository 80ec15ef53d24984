/**
 * The one hook that turns an activity's cancellation into stopping its child process (pacemaker,
 * pace_activeset, the candidate scorer, the MD explorer): each runs in a process group of its own, which
 * only this side can stop, and each must say afterwards whether the cancellation is why its child ended,
 * to end with a CancelledFailure rather than a failure of the child.
 */
import type { Context } from '@temporalio/activity';

export interface CancellableChild {
  /** The child as the log names it: 'pacemaker', 'the MD explorer'. */
  name: string;
  /** Its process group's leader once it runs, named in the log. */
  pid(): number | undefined;
  /** Stops it: typically aborts the signal its runner was given (SIGTERM to the group, then SIGKILL). */
  stop(): void;
  /**
   * A gentler stop for a cancellation that is no cancellation of the work (the worker shutting down):
   * `when` tells one by the cancellation's reason; `interrupt` stops the child at a point the next
   * attempt continues from. Without it, a shutdown stops the child as a cancellation does.
   */
  drain?: { when(reason: unknown): boolean; interrupt(): void };
}

export interface CancelHook {
  /** The activity was cancelled, and the child stopped for it. */
  readonly cancelled: boolean;
  /** The worker shut down, and the child was interrupted for it (only with `drain`). */
  readonly drained: boolean;
  /** Stops listening: call it once the child has ended. */
  dispose(): void;
}

/**
 * Listens for the activity's cancellation, or acts on it at once if it came already; outside an activity
 * (`ctx` undefined) nothing cancels.
 */
export function stopChildOnCancel(ctx: Context | undefined, child: CancellableChild): CancelHook {
  const hook = { cancelled: false, drained: false, dispose };
  const onCancel = () => {
    const group = `process group ${child.pid() ?? '(not started)'}`;
    if (child.drain?.when(ctx?.cancellationSignal.reason)) {
      hook.drained = true;
      ctx?.log.info(`worker shutting down: interrupting ${child.name} (${group}) to hand its work back`);
      child.drain.interrupt();
      return;
    }
    hook.cancelled = true;
    ctx?.log.info(`cancelling: stopping ${child.name} (${group})`);
    child.stop();
  };
  function dispose() {
    ctx?.cancellationSignal.removeEventListener('abort', onCancel);
  }
  // Cancelled before the child started: it is stopped at once (its runner then starts nothing).
  if (ctx?.cancellationSignal.aborted) onCancel();
  else ctx?.cancellationSignal.addEventListener('abort', onCancel, { once: true });
  return hook;
}

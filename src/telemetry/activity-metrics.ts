/**
 * Every activity's duration and failures, by activity type and host, without a line in any activity: an
 * activity interceptor the workers register (worker/create-workers.ts). It also labels every metric an
 * activity records through its Context's meter (the fit's, fit-metrics.ts) with the worker's host.
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { MLIP_METRICS } from './metric-names';

export type ActivityOutcome = 'completed' | 'failed' | 'cancelled';

export function activityMetricsInterceptor(hostId: string): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const started = performance.now();
        const done = (outcome: ActivityOutcome) =>
          ctx.metricMeter
            .createHistogram(
              MLIP_METRICS.activitySeconds.name,
              'float',
              's',
              MLIP_METRICS.activitySeconds.help,
            )
            .record((performance.now() - started) / 1000, { outcome });
        try {
          const result = await next(input);
          done('completed');
          return result;
        } catch (err) {
          const failure = failureType(err, ctx);
          done(failure === undefined ? 'cancelled' : 'failed');
          if (failure !== undefined)
            ctx.metricMeter
              .createCounter(MLIP_METRICS.activityFailures.name, '', MLIP_METRICS.activityFailures.help)
              .add(1, { failure_type: failure });
          throw err;
        }
      },
    },
    outbound: {
      getMetricTags: (tags, next) => ({ ...next(tags), host: hostId }),
    },
  });
}

/**
 * The type Temporal records for this failure (an ApplicationFailure's type; a plain error's name, as the
 * SDK converts it); undefined for a cancellation, which is an outcome, not a failure.
 */
export function failureType(err: unknown, ctx: Pick<Context, 'cancellationSignal'>): string | undefined {
  const cancelled = err instanceof CancelledFailure || (err instanceof Error && err.name === 'AbortError');
  if (cancelled && ctx.cancellationSignal.aborted) return undefined;
  if (err instanceof ApplicationFailure) return err.type ?? 'ApplicationFailure';
  return err instanceof Error ? err.name : 'Error';
}

/**
 * Timeouts and retry policies of the activities, shared by trainPotential and trainCommittee so that
 * both treat hosts, transient failures and bad input the same way. Workflow code only.
 */
import {
  ActivityFailure,
  proxyActivities,
  proxyLocalActivities,
  TimeoutFailure,
  type ActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { HostQueueActivities, ResolveRequestActivities, SharedQueueActivities } from '../activities';
import { NON_RETRYABLE_FAILURE_TYPES, type TrainingRequest } from '../src/api';

const nonRetryableErrorTypes = [...NON_RETRYABLE_FAILURE_TYPES];

/** Transient failures (MongoDB restarts, a busy disk) are retried with backoff, a bounded number of times. */
export const transientRetry: RetryPolicy = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '1m',
  maximumAttempts: 8,
  nonRetryableErrorTypes,
};

/**
 * acquireWorkspace on the shared queue: whichever host has room takes it. A full host answers HostBusy
 * (retryable), so a waiting training polls every few seconds until a host frees up.
 */
export function anyHostWithRoom(summary: string) {
  return proxyActivities<SharedQueueActivities>({
    startToCloseTimeout: '1m',
    scheduleToCloseTimeout: '7d',
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 1.5,
      maximumInterval: '10s',
      // No attempt limit: waiting for a free host is bounded by scheduleToCloseTimeout instead.
      nonRetryableErrorTypes,
    },
    summary,
  });
}

/** Activities on one host's queue; each call site names its step for the Web UI (the activity summary). */
export function hostActivities(taskQueue: string, request: TrainingRequest) {
  return (summary: string, overrides: Partial<ActivityOptions> = {}) =>
    proxyActivities<HostQueueActivities>({
      taskQueue,
      // If the host's worker does not pick a step up in time, the host is considered gone.
      scheduleToStartTimeout: request.limits.hostStartTimeout,
      startToCloseTimeout: '30m',
      retry: transientRetry,
      summary,
      ...overrides,
    });
}

/** One host's activities, each call naming its step (what hostActivities returns). */
export type OnHost = ReturnType<typeof hostActivities>;

/** The host's worker stopped serving its queue: a step timed out waiting to be started. */
export function hostLost(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof TimeoutFailure &&
    err.cause.timeoutType === 'SCHEDULE_TO_START'
  );
}

/**
 * The local activities that resolve a workflow's input (activities/resolve-request.ts): pure and quick,
 * run by the worker that runs the workflow; their answer is recorded in history.
 */
export function resolveOnce(summary: string) {
  return proxyLocalActivities<ResolveRequestActivities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', maximumAttempts: 3 },
    summary,
  });
}

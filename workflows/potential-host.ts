/**
 * Work with a published potential (scoreCandidates, exploreStructures): the potential is looked up in the
 * registry on the shared queue, then the work runs on the host that holds its files (or on any host, for
 * a version published before hosts were recorded). A potential the lookup refuses fails the workflow as
 * the request's own failure type; a host that never picks the work up is gone, which no retry mends.
 * Workflow code only.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { HostQueueActivities, SharedQueueActivities } from '../activities';
import type { FailureType, RegisteredPotential } from '../src/api';
import { hostLost, transientRetry } from './activity-options';

/** How long the host that holds the files may take to pick the work up before it is called gone. */
export const POTENTIAL_HOST_START_TIMEOUT = '10m';

export interface PotentialWork {
  /** A registry id ("name@vK") or a committee id. */
  potentialId: string;
  /** The work, as messages name it: 'scoring', 'exploration'. */
  noun: string;
  /** The failure of a potential the lookup refuses (unknown, unusable): the request's own type. */
  invalidRequest: FailureType;
  /** The failure of a host that does not pick the work up in time. */
  hostGone: FailureType;
}

/** The potential's host's activities, with the options of one step (its timeouts and summary). */
export type OnPotentialHost = (options: ActivityOptions & { summary: string }) => HostQueueActivities;

/**
 * Looks the potential up, then gives `run` the potential and its host's activities. The step on the host
 * is retried when it fails for a transient reason, and waited for when cancelled: the workflow ends only
 * once the host has stopped its child process.
 */
export async function onPotentialHost<T>(
  work: PotentialWork,
  run: (potential: RegisteredPotential, onHost: OnPotentialHost) => Promise<T>,
): Promise<T> {
  const potential = await lookupPotential(work);
  const taskQueue = potential.host?.taskQueue ?? workflowInfo().taskQueue;
  const onHost: OnPotentialHost = (options) =>
    proxyActivities<HostQueueActivities>({
      taskQueue,
      scheduleToStartTimeout: POTENTIAL_HOST_START_TIMEOUT,
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: { ...transientRetry, maximumAttempts: 5 },
      ...options,
    });
  try {
    return await run(potential, onHost);
  } catch (err) {
    if (!hostLost(err)) throw err;
    const host = potential.host?.id;
    throw ApplicationFailure.nonRetryable(
      `host ${host ?? 'any host (no host recorded)'}, which holds the files of ${potential.scoringId}, did not pick ` +
        `the ${work.noun} up within ${POTENTIAL_HOST_START_TIMEOUT}: is its worker running (npm run worker with ` +
        `MLIP_HOST_ID=${host ?? '…'})?`,
      work.hostGone,
    );
  }
}

/** The registry's answer: the potential's (or committee's) files, the host that holds them, what to rank by. */
async function lookupPotential(work: PotentialWork): Promise<RegisteredPotential> {
  try {
    // Registered under its first name, which recorded histories schedule it by.
    return await proxyActivities<SharedQueueActivities>({
      startToCloseTimeout: '2m',
      retry: transientRetry,
      summary: `look up ${work.potentialId} in the registry`,
    }).lookupScoringPotential({ potentialId: work.potentialId });
  } catch (err) {
    // A refusal (no such potential, a committee still training) is the request's fault: the same reason,
    // as the workflow's own failure type.
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable)
      throw ApplicationFailure.nonRetryable(err.cause.message, work.invalidRequest);
    throw err;
  }
}

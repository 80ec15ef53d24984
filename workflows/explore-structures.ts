/**
 * exploreStructures: molecular dynamics in LAMMPS with a published potential, from a campaign's own
 * structures, writing the frames where the potential extrapolates (γ above a lower bound) to `candidates`
 * as a new generation, and stopping a run where it extrapolates too far (above an upper bound).
 *
 *   lookupScoringPotential (shared queue)  registry id → files, the host that holds them
 *   exploreStructures (that host's queue)  the MD runs; candidates written run by run, resumable
 *
 * Returns counts (runs, frames sampled, extrapolative, candidates written): the frames themselves are in
 * the candidates' documents, never in history.
 */
import { FailureType, type ExplorationRequestInput, type ExplorationResult } from '../src/api';
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { HostQueueActivities, SharedQueueActivities } from '../activities';
import { hostLost, resolveOnce, transientRetry } from './activity-options';

/** How long the host that holds the files may take to pick the exploration up before it is called gone. */
const HOST_START_TIMEOUT = '10m';

export async function exploreStructures(input: ExplorationRequestInput): Promise<ExplorationResult> {
  const resolved = await resolveOnce(
    'resolve the exploration request and its defaults',
  ).resolveExplorationRequest(input);
  if (!resolved.ok) throw ApplicationFailure.nonRetryable(resolved.message, resolved.failureType);
  const request = resolved.request;
  const { taskQueue: sharedQueue } = workflowInfo();
  const potential = await proxyActivities<SharedQueueActivities>({
    startToCloseTimeout: '2m',
    retry: transientRetry,
    summary: `look up ${request.potentialId} in the registry`,
  })
    .lookupScoringPotential({ potentialId: request.potentialId })
    .catch((err: unknown) => {
      // The lookup speaks of scoring; the same reason, as this workflow's failure type.
      if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable)
        throw ApplicationFailure.nonRetryable(err.cause.message, FailureType.InvalidExplorationRequest);
      throw err;
    });

  const host = potential.host?.id ?? 'any host (no host recorded)';
  const { settings } = request;
  const what =
    `MD with ${request.potentialId} from ${settings.seeds.count} structure(s) of ${request.campaign} at ` +
    `${settings.temperaturesK.join(', ')} K${settings.pressuresBar ? ` and ${settings.pressuresBar.join(', ')} bar` : ''}`;
  setCurrentDetails(`**Exploring**: ${what}, ${settings.steps} steps each, on ${host}`);
  try {
    const result = await proxyActivities<HostQueueActivities>({
      taskQueue: potential.host?.taskQueue ?? sharedQueue,
      scheduleToStartTimeout: HOST_START_TIMEOUT,
      startToCloseTimeout: '7d',
      heartbeatTimeout: request.heartbeatTimeout,
      // The workflow ends only once the explorer is stopped and its scratch folder removed.
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: { ...transientRetry, maximumAttempts: 5 },
      summary: `explore: ${what}`,
    }).exploreStructures({ request, potential });
    setCurrentDetails(
      `**Explored**: ${result.runsDone} runs (${result.runsStopped} stopped above γ ${settings.gammaUpper}); ` +
        `${result.framesExtrapolative} of ${result.framesSampled} frames above γ ${settings.gammaLower}; ` +
        `${result.candidatesWritten} candidates written to ${result.campaign} generation ${result.generation}; ` +
        `${result.seconds} s on ${result.host}`,
    );
    return result;
  } catch (err) {
    if (hostLost(err))
      throw ApplicationFailure.nonRetryable(
        `host ${host}, which holds the files of ${request.potentialId}, did not pick the exploration up within ` +
          `${HOST_START_TIMEOUT}: is its worker running?`,
        FailureType.ExplorationFailed,
      );
    throw err;
  }
}

/**
 * scoreCandidates: ranks a campaign's candidate structures by how far they lie from what a published
 * potential (or a committee) was trained on, and writes each candidate's score back to its document.
 *
 *   lookupScoringPotential (shared queue)  registry id or committee id → files, host, what to rank by
 *   scoreCandidates (the host that holds the files; any host for entries that predate recording hosts)
 *
 * Returns counts per extrapolation-grade band, the committee's disagreement summary, and the ids of the
 * top K: never the scores of every candidate (those are in the candidates' documents).
 */
import {
  FailureType,
  type ScoreCandidatesResult,
  type ScoringRequestInput,
  scoringCountsSignal,
  scoringProgressQuery,
  type ScoringProgress,
  resolveScoringRequest,
} from '../src/api';
import {
  ActivityCancellationType,
  ApplicationFailure,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { HostQueueActivities, SharedQueueActivities } from '../activities';
import { hostLost, resolveOnce, transientRetry } from './activity-options';
import { PATCHES } from './patches';

/** How long the host that holds the files may take to pick the scoring up before it is called gone. */
const HOST_START_TIMEOUT = '10m';

export async function scoreCandidates(input: ScoringRequestInput): Promise<ScoreCandidatesResult> {
  let progress: ScoringProgress = { phase: 'validating' };
  setHandler(scoringProgressQuery, () => progress);
  setHandler(scoringCountsSignal, (counts) => {
    if (progress.phase === 'scoring') progress = { ...progress, ...counts };
  });

  // Runs that started before the request was resolved by a local activity still validate in workflow code.
  const resolved = patched(PATCHES.resolveRequestOnce)
    ? await resolveOnce('resolve the scoring request and its defaults').resolveScoringRequest(input)
    : resolveScoringRequest(input);
  if (!resolved.ok) throw ApplicationFailure.nonRetryable(resolved.message, resolved.failureType);
  const request = resolved.request;
  const { workflowId, runId, taskQueue: sharedQueue } = workflowInfo();
  const selection = `${request.campaign}${request.generation === undefined ? '' : ` generation ${request.generation}`}`;

  progress = { phase: 'looking-up-potential', potentialId: request.potentialId };
  const potential = await proxyActivities<SharedQueueActivities>({
    startToCloseTimeout: '2m',
    retry: transientRetry,
    summary: `look up ${request.potentialId} in the registry`,
  }).lookupScoringPotential({ potentialId: request.potentialId });

  const host = potential.host?.id ?? 'any host (no host recorded)';
  const members = potential.members.length;
  progress = { phase: 'scoring', potentialId: potential.scoringId, host };
  setCurrentDetails(
    `**Scoring** candidates of ${selection} with ${potential.scoringId}` +
      (members > 1 ? ` (committee of ${members})` : '') +
      `, ranked by ${potential.rankedBy}, on ${host}`,
  );
  try {
    const result = await proxyActivities<HostQueueActivities>({
      taskQueue: potential.host?.taskQueue ?? sharedQueue,
      scheduleToStartTimeout: HOST_START_TIMEOUT,
      startToCloseTimeout: '24h',
      heartbeatTimeout: '1m',
      // The workflow ends only once the scorer is stopped.
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: { ...transientRetry, maximumAttempts: 5 },
      summary: `score ${selection} with ${potential.scoringId}`,
    }).scoreCandidates({
      potential,
      campaign: request.campaign,
      generation: request.generation,
      topK: request.topK,
      reportTo: { workflowId, runId },
    });
    progress = {
      ...progress,
      phase: 'completed',
      total: result.total,
      scored: result.scored,
      reused: result.reused,
      failed: result.failed.count,
    };
    const bands = result.bands
      ? `; γ ≤ 1: ${result.bands.interpolation}, 1–5: ${result.bands.extrapolation}, > 5: ${result.bands.unreliable}`
      : '';
    setCurrentDetails(
      `**Scored** ${result.scored} of ${result.total} candidates of ${selection} with ${result.potentialId}` +
        `${bands}; ${result.failed.count} failed; ${result.seconds} s on ${result.host}`,
    );
    return result;
  } catch (err) {
    progress = { ...progress, phase: isCancellation(err) ? 'cancelled' : 'failed' };
    if (hostLost(err))
      throw ApplicationFailure.nonRetryable(
        `host ${host}, which holds the files of ${potential.scoringId}, did not pick the scoring up within ` +
          `${HOST_START_TIMEOUT}: is its worker running (npm run worker with MLIP_HOST_ID=${potential.host?.id ?? '…'})?`,
        FailureType.ScoringFailed,
      );
    throw err;
  }
}

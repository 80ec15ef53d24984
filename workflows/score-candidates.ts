/**
 * scoreCandidates: ranks a campaign's candidate structures by how far they lie from what a published
 * potential (or a committee) was trained on, and writes each candidate's score back to its document.
 *
 *   lookupPotential (shared queue)  registry id or committee id → files, host, what to rank by
 *   scoreCandidates (the host that holds the files; any host for entries that predate recording hosts)
 *
 * (potential-host.ts: the look-up, the host, and a host that never picks the scoring up.)
 *
 * Returns counts per extrapolation-grade band, the committee's disagreement summary, and the ids of the
 * top K: never the scores of every candidate (those are in the candidates' documents).
 */
import {
  FailureType,
  type ScoreCandidatesResult,
  type RegisteredPotential,
  type ScoringRequest,
  type ScoringRequestInput,
  scoringCountsSignal,
  scoringProgressQuery,
  type ScoringProgress,
  resolveScoringRequest,
} from '../src/api';
import {
  ApplicationFailure,
  isCancellation,
  patched,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { resolveOnce } from './activity-options';
import { PATCHES } from './patches';
import { onPotentialHost, type OnPotentialHost } from './potential-host';

export async function scoreCandidates(input: ScoringRequestInput): Promise<ScoreCandidatesResult> {
  const status: { progress: ScoringProgress } = { progress: { phase: 'validating' } };
  setHandler(scoringProgressQuery, () => status.progress);
  setHandler(scoringCountsSignal, (counts) => {
    if (status.progress.phase === 'scoring') status.progress = { ...status.progress, ...counts };
  });

  // Runs that started before the request was resolved by a local activity still validate in workflow code.
  const resolved = patched(PATCHES.resolveRequestOnce)
    ? await resolveOnce('resolve the scoring request and its defaults').resolveScoringRequest(input)
    : resolveScoringRequest(input);
  if (!resolved.ok) throw ApplicationFailure.nonRetryable(resolved.message, resolved.failureType);
  const request = resolved.request;

  status.progress = { phase: 'looking-up-potential', potentialId: request.potentialId };
  const work = {
    potentialId: request.potentialId,
    noun: 'scoring',
    invalidRequest: FailureType.InvalidScoringRequest,
    hostGone: FailureType.ScoringFailed,
  };
  return onPotentialHost(work, async (potential, onHost) => {
    try {
      return await scoreOnHost(request, potential, onHost, status);
    } catch (err) {
      status.progress = { ...status.progress, phase: isCancellation(err) ? 'cancelled' : 'failed' };
      throw err;
    }
  });
}

async function scoreOnHost(
  request: ScoringRequest,
  potential: RegisteredPotential,
  onHost: OnPotentialHost,
  status: { progress: ScoringProgress },
): Promise<ScoreCandidatesResult> {
  const { workflowId, runId } = workflowInfo();
  const selection = `${request.campaign}${request.generation === undefined ? '' : ` generation ${request.generation}`}`;
  const host = potential.host?.id ?? 'any host (no host recorded)';
  const members = potential.members.length;
  status.progress = { phase: 'scoring', potentialId: potential.scoringId, host };
  setCurrentDetails(
    `**Scoring** candidates of ${selection} with ${potential.scoringId}` +
      (members > 1 ? ` (committee of ${members})` : '') +
      `, ranked by ${potential.rankedBy}, on ${host}`,
  );
  const result = await onHost({
    startToCloseTimeout: '24h',
    heartbeatTimeout: '1m',
    summary: `score ${selection} with ${potential.scoringId}`,
  }).scoreCandidates({
    potential,
    campaign: request.campaign,
    generation: request.generation,
    topK: request.topK,
    reportTo: { workflowId, runId },
  });
  const { total, scored, reused } = result;
  status.progress = {
    ...status.progress,
    phase: 'completed',
    total,
    scored,
    reused,
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
}

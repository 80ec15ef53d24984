/**
 * exploreStructures: molecular dynamics in LAMMPS with a published potential, from a campaign's own
 * structures, writing the frames where the potential extrapolates (γ above a lower bound) to `candidates`
 * as a new generation, and stopping a run where it extrapolates too far (above an upper bound).
 *
 *   lookupPotential (shared queue)         registry id → files, the host that holds them
 *   exploreStructures (that host's queue)  the MD runs; candidates written run by run, resumable
 *
 * (potential-host.ts: the look-up, the host, and a host that never picks the exploration up.)
 *
 * Returns counts (runs, frames sampled, extrapolative, candidates written): the frames themselves are in
 * the candidates' documents, never in history.
 */
import { FailureType, type ExplorationRequestInput, type ExplorationResult } from '../src/api';
import { ApplicationFailure, setCurrentDetails } from '@temporalio/workflow';
import { resolveOnce } from './activity-options';
import { onPotentialHost } from './potential-host';

export async function exploreStructures(input: ExplorationRequestInput): Promise<ExplorationResult> {
  const resolved = await resolveOnce(
    'resolve the exploration request and its defaults',
  ).resolveExplorationRequest(input);
  if (!resolved.ok) throw ApplicationFailure.nonRetryable(resolved.message, resolved.failureType);
  const request = resolved.request;
  const work = {
    potentialId: request.potentialId,
    noun: 'exploration',
    invalidRequest: FailureType.InvalidExplorationRequest,
    hostGone: FailureType.ExplorationFailed,
  };
  return onPotentialHost(work, async (potential, onHost) => {
    const host = potential.host?.id ?? 'any host (no host recorded)';
    const { settings } = request;
    const what =
      `MD with ${request.potentialId} from ${settings.seeds.count} structure(s) of ${request.campaign} at ` +
      `${settings.temperaturesK.join(', ')} K${settings.pressuresBar ? ` and ${settings.pressuresBar.join(', ')} bar` : ''}`;
    setCurrentDetails(`**Exploring**: ${what}, ${settings.steps} steps each, on ${host}`);
    const result = await onHost({
      startToCloseTimeout: '7d',
      heartbeatTimeout: request.heartbeatTimeout,
      summary: `explore: ${what}`,
    }).exploreStructures({ request, potential });
    setCurrentDetails(
      `**Explored**: ${result.runsDone} runs (${result.runsStopped} stopped above γ ${settings.gammaUpper}); ` +
        `${result.framesExtrapolative} of ${result.framesSampled} frames above γ ${settings.gammaLower}; ` +
        `${result.candidatesWritten} candidates written to ${result.campaign} generation ${result.generation}; ` +
        `${result.seconds} s on ${result.host}`,
    );
    return result;
  });
}

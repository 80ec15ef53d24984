/**
 * trainPotential: completed DFT calculations of a campaign → a published ACE potential (.yace).
 *
 *   resolveTrainingRequest (local activity) → the request with its defaults, recorded once per run
 *   acquireWorkspace (shared queue) → this host's queue + a workspace directory   (host-failover.ts)
 *   [lookupInitialPotential, warm starts only] → fetchTrainingData → generatePacemakerConfig →
 *   executeTraining → buildActiveSet → publishPotential   (host queue; training-steps.ts)
 *   finally: cleanupWorkspace (host queue, not cancellable)
 *
 * What the run shows meanwhile (phase, progress, the Web UI notebook) is training-notebook.ts. Only paths,
 * ids, hashes and a few numbers enter history, and a fit adds a bounded number of events however long it
 * runs (src/api/progress-reports.ts).
 *
 * Commands must stay in the order recorded histories have them (test/replay): a new behaviour either only
 * happens where old runs never went (a workspace taken over), or sits behind patched() (workflows/patches.ts).
 */
import {
  checkedTrainingRequest,
  MlipCampaign,
  type CommitteeMembership,
  type TrainingRequestInput,
  type TrainingResult,
} from '../src/api';
import { ApplicationFailure, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { resolveOnce } from './activity-options';
import { trainOnSomeHost } from './host-failover';
import { PATCHES } from './patches';
import { TrainingNotebook } from './training-notebook';
import { runStepsOnHost } from './training-steps';

export async function trainPotential(
  input: TrainingRequestInput,
  membership?: CommitteeMembership,
): Promise<TrainingResult> {
  const notebook = new TrainingNotebook();

  // Runs that started before the request was resolved by a local activity still validate in workflow code.
  const resolved = patched(PATCHES.resolveRequestOnce)
    ? await resolveOnce('resolve the request and its defaults').resolveTrainingRequest(input)
    : checkedTrainingRequest(input);
  if (!resolved.ok) {
    if (patched(PATCHES.finalPhaseBeforeHost)) notebook.refused();
    throw ApplicationFailure.nonRetryable(resolved.message, resolved.failureType);
  }
  const request = resolved.request;
  const name = request.potentialName ?? request.campaign;

  upsertSearchAttributes([{ key: MlipCampaign, value: request.campaign }]);
  notebook.note(`**Campaign** ${request.campaign} → potential **${name}**`);
  if (membership)
    notebook.note(
      `**Committee** member ${membership.member + 1} of ${membership.size} (${membership.committeeId})`,
    );

  const { workflowId, runId } = workflowInfo();
  return trainOnSomeHost(request, membership, notebook, (ws, onHost, done) =>
    runStepsOnHost(
      { request, name, membership, notebook, ws, onHost, reportTo: { workflowId, runId } },
      done,
    ),
  );
}

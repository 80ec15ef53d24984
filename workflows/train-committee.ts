/**
 * trainCommittee: K potentials as child trainPotential workflows, each fitted to its own bootstrap
 * resample of one dataset (member i draws with seed + i and tests on the structures it did not draw), so
 * that their disagreement measures how well the data determine the potential (src/api/committee.ts).
 * The dataset is fetched once, into the committee's own workspace on one host, and the members
 * train there from it (they are pinned to that host). Returns every member's result and the spread of
 * their errors; the members' registry documents share `committee.id` = this workflow's id.
 * Cancelling the committee cancels the members (each cleans its workspace) and then cleans its own.
 */
import {
  type TrainingResult,
  type CommitteeInput,
  type CommitteeResult,
  type CommitteeMembership,
  committeeSpread,
  memberRequest,
  checkedCommitteeInput,
} from '../src/api';
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  patched,
  setCurrentDetails,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { anyHostWithRoom, hostActivities, resolveOnce } from './activity-options';
import { PATCHES } from './patches';
import { trainPotential } from './train-potential';
import { fetchDataset } from './training-steps';

export async function trainCommittee(input: CommitteeInput): Promise<CommitteeResult> {
  const { request, committeeSize } = await resolveCommittee(input);
  const { workflowId, runId } = workflowInfo();

  const ws = await anyHostWithRoom("pick a host with room for the committee's dataset").acquireWorkspace({
    workflowId,
    runId,
    hostAttempt: 1,
  });
  const onHost = hostActivities(ws.hostTaskQueue, request);

  try {
    const dataset = await fetchDataset(onHost, request, ws.workspaceDir, 'fetch the committee dataset once');
    setCurrentDetails(
      `**Committee** of ${committeeSize} on ${request.campaign}: ${dataset.structures} structures on host ${ws.hostId}`,
    );
    const results = await trainMembers(input, committeeSize, {
      hostTaskQueue: ws.hostTaskQueue,
      hostId: ws.hostId,
      summary: dataset,
    });
    const spread = committeeSpread(results.map((r) => r.metrics));
    setCurrentDetails(
      `**Committee** of ${committeeSize} done: train force RMSE ${spread.trainForcesMeVPerA.mean.toFixed(1)} ± ${spread.trainForcesMeVPerA.std.toFixed(1)} meV/Å`,
    );
    return { committeeId: workflowId, members: results, spread };
  } finally {
    // Members have ended (completed, failed or cancelled) by now: their shared dataset can go.
    await CancellationScope.nonCancellable(async () => {
      try {
        await onHost("remove the committee's workspace").cleanupWorkspace({ workspaceDir: ws.workspaceDir });
      } catch (err) {
        log.warn('could not clean the committee workspace', {
          workspaceDir: ws.workspaceDir,
          error: String(err),
        });
      }
    });
  }
}

/** The committee's input with its defaults, or the failure that refuses it. */
async function resolveCommittee(input: CommitteeInput) {
  // Runs that started before the input was resolved by a local activity still validate in workflow code.
  const resolved = patched(PATCHES.resolveRequestOnce)
    ? await resolveOnce('resolve the committee request and its defaults').resolveCommitteeInput(input)
    : checkedCommitteeInput(input);
  if (!resolved.ok) throw ApplicationFailure.nonRetryable(resolved.message, resolved.failureType);
  return resolved.request;
}

type SharedDataset = CommitteeMembership['sharedDataset'];

/**
 * The members, started one after the other as child trainPotential workflows on the shared dataset, in a
 * scope of their own: the first failure cancels the others, and this returns (or throws) only once every
 * member has ended, so that the shared dataset is removed after them.
 */
async function trainMembers(
  input: CommitteeInput,
  committeeSize: number,
  sharedDataset: SharedDataset,
): Promise<TrainingResult[]> {
  const { workflowId } = workflowInfo();
  const membersScope = new CancellationScope();
  /** Why members stopped being started: a member failed (the scope is cancelled) or the committee was. */
  let startsStopped: unknown;
  const outcomes = await membersScope.run(async () => {
    const results: Promise<TrainingResult>[] = [];
    for (let member = 0; member < committeeSize; member++) {
      let handle;
      try {
        handle = await startChild(trainPotential, {
          workflowId: `${workflowId}/member-${member}`,
          args: [
            memberRequest(input.request, member),
            { committeeId: workflowId, member, size: committeeSize, sharedDataset, resample: 'bootstrap' },
          ],
          staticSummary: `committee member ${member + 1} of ${committeeSize}`,
        });
      } catch (err) {
        // Start no more members, and let the started ones end (they clean up) before the dataset goes.
        if (!isCancellation(err)) throw err;
        startsStopped = err;
        break;
      }
      const result = handle.result();
      result.catch(() => membersScope.cancel());
      results.push(result);
    }
    return Promise.allSettled(results);
  });
  return membersResults(outcomes, startsStopped);
}

/** Every member's result, or the failure that stopped the committee. */
function membersResults(
  outcomes: PromiseSettledResult<TrainingResult>[],
  startsStopped: unknown,
): TrainingResult[] {
  const failures = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason as unknown);
  if (failures.length > 0) {
    // Report the member that failed first-hand, not the ones cancelled because of it.
    throw failures.find((f) => !isCancellation(f)) ?? failures[0];
  }
  if (startsStopped !== undefined) throw startsStopped;
  return outcomes.map((o) => (o as PromiseFulfilledResult<TrainingResult>).value);
}

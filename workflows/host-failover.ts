/**
 * A training's hosts: it takes a workspace on a host with room (or, for a committee member, on the host of
 * its committee's dataset) and runs its steps there. If the host stops serving its queue (a step waits
 * longer than limits.hostStartTimeout to start), the training starts again on another host, up to
 * limits.maxHostAttempts; when the hosts share their work root, the next host takes the workspace over
 * and continues with the step that was lost (a fit from its checkpoint). Whatever the outcome, the
 * workspaces are removed (not cancellable), except a lost host's: its worker sweeps them when it returns.
 * Workflow code only.
 */
import { CancellationScope, isCancellation, log, patched, workflowInfo } from '@temporalio/workflow';
import type { CommitteeMembership, TrainingRequest, TrainingResult } from '../src/api';
import type { AcquiredWorkspace } from '../activities';
import { anyHostWithRoom, hostActivities, hostLost, transientRetry, type OnHost } from './activity-options';
import { rebasePaths } from './carry-over';
import { PATCHES } from './patches';
import type { TrainingNotebook } from './training-notebook';
import { readyToHandOver, type StepsDone } from './training-steps';

/** A lost workspace on a shared work root and what was done in it: the next host continues from there. */
interface HandOver {
  workspaceDir: string;
  done: StepsDone;
}

/** The steps on one host, given its workspace and what was done already; they fill `done` in as they go. */
export type StepsOnHost = (
  ws: AcquiredWorkspace,
  onHost: OnHost,
  done: Partial<StepsDone>,
) => Promise<TrainingResult>;

export async function trainOnSomeHost(
  request: TrainingRequest,
  membership: CommitteeMembership | undefined,
  notebook: TrainingNotebook,
  runSteps: StepsOnHost,
): Promise<TrainingResult> {
  const pinned = membership?.sharedDataset !== undefined;
  let handOver: HandOver | undefined;
  /** Workspaces taken over from lost hosts: the host that ends the training removes them. */
  const takenOver: string[] = [];

  for (let hostAttempt = 1; ; hostAttempt++) {
    notebook.phase('acquiring-workspace');
    const ws = await acquireWorkspace(request, membership, hostAttempt, handOver, notebook);
    const onHost = hostActivities(ws.hostTaskQueue, request);
    const done = takeOver(ws, hostAttempt, handOver, notebook, takenOver);
    handOver = undefined;
    let lost = false;
    try {
      return await runSteps(ws, onHost, done);
    } catch (err) {
      // A committee member cannot move: its dataset lives on its host.
      lost = !isCancellation(err) && !pinned && hostLost(err);
      if (lost && hostAttempt < request.limits.maxHostAttempts) {
        log.warn('training host stopped serving its queue; starting again on another host', {
          host: ws.hostId,
          hostAttempt,
        });
        // On a shared work root the next host can continue in this workspace, once its data are configured.
        if (ws.sharedWorkRoot && readyToHandOver(done)) {
          handOver = { workspaceDir: ws.workspaceDir, done };
          notebook.note(
            `**Host lost** ${ws.hostId}: another host that shares the work root takes the training over`,
          );
        } else {
          notebook.note(`**Host lost** ${ws.hostId}: starting again on another host`);
        }
        continue;
      }
      notebook.phase(isCancellation(err) ? 'cancelled' : 'failed');
      throw err;
    } finally {
      // A lost host cannot clean up now; its worker removes stale workspaces when it comes back (or, on a
      // shared work root, the host that takes the training over removes it at the end).
      await removeWorkspaces(onHost, lost ? [] : [ws.workspaceDir, ...(handOver ? [] : takenOver)]);
    }
  }
}

async function acquireWorkspace(
  request: TrainingRequest,
  membership: CommitteeMembership | undefined,
  hostAttempt: number,
  handOver: HandOver | undefined,
  notebook: TrainingNotebook,
): Promise<AcquiredWorkspace> {
  const pinned = membership?.sharedDataset;
  const run = { ...workflowRun(), hostAttempt };
  try {
    return pinned
      ? await hostActivities(
          pinned.hostTaskQueue,
          request,
        )('make a workspace next to the committee dataset').acquireWorkspace({ ...run, pinned: true })
      : await anyHostWithRoom(
          handOver
            ? 'pick a host that shares the work root and take the lost workspace over'
            : 'pick a training host with room and make a workspace there',
        ).acquireWorkspace({
          ...run,
          ...(handOver ? { carryOver: { workspaceDir: handOver.workspaceDir } } : {}),
        });
  } catch (err) {
    // No workspace yet, so nothing to clean; the phase says how the training ended.
    if (patched(PATCHES.finalPhaseBeforeHost)) notebook.phase(isCancellation(err) ? 'cancelled' : 'failed');
    throw err;
  }
}

/** What the new workspace starts with: the lost one's results when this host took it over, else nothing. */
function takeOver(
  ws: AcquiredWorkspace,
  hostAttempt: number,
  handOver: HandOver | undefined,
  notebook: TrainingNotebook,
  takenOver: string[],
): Partial<StepsDone> {
  if (!handOver || !ws.carriedOver) {
    notebook.note(`**Host** ${ws.hostId} (attempt ${hostAttempt}), workspace \`${ws.workspaceDir}\``);
    return {};
  }
  const done = rebasePaths(handOver.done, handOver.workspaceDir, ws.workspaceDir);
  takenOver.push(handOver.workspaceDir);
  notebook.note(
    `**Host** ${ws.hostId} (attempt ${hostAttempt}) took the workspace over (shared work root): the training ` +
      `continues from ${done.training ? 'its finished fit' : "the fit's latest checkpoint"}, \`${ws.workspaceDir}\``,
  );
  return { ...done };
}

async function removeWorkspaces(onHost: OnHost, workspaceDirs: string[]) {
  if (workspaceDirs.length === 0) return;
  await CancellationScope.nonCancellable(async () => {
    for (const workspaceDir of workspaceDirs) {
      try {
        await onHost('remove the workspace', {
          startToCloseTimeout: '5m',
          retry: { ...transientRetry, maximumAttempts: 5 },
        }).cleanupWorkspace({ workspaceDir });
      } catch (cleanupErr) {
        log.warn('could not clean the workspace', { workspaceDir, error: String(cleanupErr) });
      }
    }
  });
}

function workflowRun() {
  const { workflowId, runId } = workflowInfo();
  return { workflowId, runId };
}

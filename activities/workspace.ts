/**
 * acquireWorkspace runs on the shared task queue: whichever host's worker takes it makes the workspace
 * on its own disk and answers with its own host queue, so the following steps run where the files are
 * (Temporal's worker-specific task queue pattern). cleanupWorkspace runs on that host queue.
 */
import fs from 'node:fs';
import path from 'node:path';
import { benign, FailureType, nonRetryable } from '../src/errors';
import { stopRecordedGroup } from '../src/pacemaker/process-group';
import { workspaceName } from '../src/training/names';
import { TRAINER_FILES } from './execute-training';

export const OWNER_FILE = '.owner.json';

/** Stops any trainer still running in a workspace (its pid file), then deletes the workspace. */
export async function removeWorkspace(dir: string, killGraceMs: number): Promise<void> {
  await stopRecordedGroup(path.join(dir, TRAINER_FILES.pid), killGraceMs);
  fs.rmSync(dir, { recursive: true, force: true });
}

export interface WorkspaceOwner {
  workflowId: string;
  runId: string;
}

export interface WorkspaceDeps {
  hostId: string;
  hostTaskQueue: string;
  workRoot: string;
  /**
   * Trainings this host takes at once (MLIP_MAX_CONCURRENT_TRAININGS): a host that already holds this many
   * workspaces turns new trainings away (retryable HostBusy), so they go to a host with room.
   */
  capacity: number;
  killGraceMs?: number;
}

export interface AcquireWorkspaceInput {
  workflowId: string;
  runId: string;
  /** 1 for the first host, 2 when the training moved to another host, ... */
  hostAttempt: number;
  /**
   * Set by trainings pinned to this host (committee members sharing a dataset that lives here): they
   * were admitted with their committee, so they are not turned away when the host is full.
   */
  pinned?: boolean;
}

export interface AcquiredWorkspace {
  hostId: string;
  hostTaskQueue: string;
  workspaceDir: string;
}

export function createWorkspaceActivities(deps: WorkspaceDeps) {
  const root = path.resolve(deps.workRoot);

  /** Workspaces of trainings on this host that have not been cleaned up yet. */
  function liveWorkspaces(): number {
    if (!fs.existsSync(root)) return 0;
    return fs.readdirSync(root).filter((entry) => fs.existsSync(path.join(root, entry, OWNER_FILE))).length;
  }

  async function acquireWorkspace(input: AcquireWorkspaceInput): Promise<AcquiredWorkspace> {
    const dir = path.join(root, workspaceName(input.workflowId, input.runId, input.hostAttempt));
    // Check and create synchronously: no other acquire in this process can slip in between.
    if (!input.pinned && !fs.existsSync(dir) && liveWorkspaces() >= deps.capacity) {
      throw benign(
        FailureType.HostBusy,
        `host ${deps.hostId} is running ${deps.capacity} training(s), its MLIP_MAX_CONCURRENT_TRAININGS; waiting for room here or on another host`,
      );
    }
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw nonRetryable(
        FailureType.WorkerMisconfigured,
        `host ${deps.hostId} cannot create its workspace under MLIP_WORK_ROOT=${root}: ${(err as Error).message}`,
      );
    }
    // Lets a restarted worker tell its own stale workspaces (owner workflow closed) from live ones.
    const owner: WorkspaceOwner = { workflowId: input.workflowId, runId: input.runId };
    fs.writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify(owner));
    return { hostId: deps.hostId, hostTaskQueue: deps.hostTaskQueue, workspaceDir: dir };
  }

  /** Stops any trainer still running there and removes the workspace. Idempotent. */
  async function cleanupWorkspace(input: { workspaceDir: string }): Promise<{ removed: boolean }> {
    const dir = path.resolve(input.workspaceDir);
    // Never delete anything outside this host's work root, whatever the input says.
    if (path.dirname(dir) !== root) {
      throw nonRetryable(
        FailureType.WorkerMisconfigured,
        `refusing to remove ${dir}: it is not a workspace under ${root}`,
      );
    }
    if (!fs.existsSync(dir)) return { removed: false };
    await removeWorkspace(dir, deps.killGraceMs ?? 10_000);
    return { removed: true };
  }

  return { acquireWorkspace, cleanupWorkspace };
}

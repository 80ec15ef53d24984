/**
 * acquireWorkspace runs on the shared task queue: whichever host's worker takes it makes the workspace
 * on its own disk and answers with its own host queue, so the following steps run where the files are
 * (Temporal's worker-specific task queue pattern). cleanupWorkspace runs on that host queue.
 *
 * Hosts that share their work root (MLIP_SHARED_WORK_ROOT=true: one file system mounted at the same path
 * on every host) can take over a lost host's workspace: acquireWorkspace with `carryOver` copies its files
 * into the new workspace, so the training continues where it was (a fit from its checkpoint). It copies,
 * rather than moving in, because the lost host's pacemaker may still be running there (its worker died,
 * not its machine): never two fits writing one workspace.
 */
import fs from 'node:fs';
import path from 'node:path';
import { NOT_CARRIED_OVER, OWNER_FILE, TRAINER_FILES, workspaceName } from '../src/artefact-names';
import { benign, FailureType, nonRetryable } from '../src/api';
import { stopRecordedGroup } from '../src/process';

/** Stops any trainer still running in a workspace (its pid file), then deletes the workspace. */
export async function removeWorkspace(dir: string, killGraceMs: number): Promise<void> {
  await stopRecordedGroup(path.join(dir, TRAINER_FILES.pid), killGraceMs);
  fs.rmSync(dir, { recursive: true, force: true });
}

export interface WorkspaceOwner {
  workflowId: string;
  runId: string;
  /** The host that made it: on a shared work root each host counts only its own against its capacity. */
  hostId?: string;
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
  /** MLIP_SHARED_WORK_ROOT: workRoot is the same file system, at the same path, on every training host. */
  sharedWorkRoot?: boolean;
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
  /** A lost host's workspace on the shared work root, to continue from (its files are copied over). */
  carryOver?: { workspaceDir: string };
}

export interface AcquiredWorkspace {
  hostId: string;
  hostTaskQueue: string;
  workspaceDir: string;
  /** This host's work root is shared with the other hosts: another host can take this workspace over. */
  sharedWorkRoot?: boolean;
  /** The carryOver workspace's files were copied here; absent when this host could not see them. */
  carriedOver?: { files: number; bytes: number };
}

export function createWorkspaceActivities(deps: WorkspaceDeps) {
  const root = path.resolve(deps.workRoot);

  async function acquireWorkspace(input: AcquireWorkspaceInput): Promise<AcquiredWorkspace> {
    const dir = path.join(root, workspaceName(input.workflowId, input.runId, input.hostAttempt));
    // Check and create synchronously: no other acquire in this process can slip in between.
    if (!input.pinned && !fs.existsSync(dir) && liveWorkspaces(root, deps.hostId) >= deps.capacity) {
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
    const owner: WorkspaceOwner = { workflowId: input.workflowId, runId: input.runId, hostId: deps.hostId };
    fs.writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify(owner));
    const carriedOver =
      input.carryOver && deps.sharedWorkRoot && takeOver(root, input.carryOver.workspaceDir, dir, owner);
    return {
      hostId: deps.hostId,
      hostTaskQueue: deps.hostTaskQueue,
      workspaceDir: dir,
      ...(deps.sharedWorkRoot ? { sharedWorkRoot: true } : {}),
      ...(carriedOver ? { carriedOver } : {}),
    };
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

/** Workspaces of trainings on this host (`hostId`) that have not been cleaned up yet. */
function liveWorkspaces(root: string, hostId: string): number {
  if (!fs.existsSync(root)) return 0;
  return fs.readdirSync(root).filter((entry) => {
    const owner = readOwner(path.join(root, entry));
    // Files written before hosts were recorded belong to this host (work roots were not shared then).
    return owner !== undefined && (owner.hostId ?? hostId) === hostId;
  }).length;
}

/**
 * Copies a lost workspace of the same training on the shared work root `root` into `dir`, with the inputs'
 * paths moved to `dir`; undefined (a fresh start) when this host cannot see the workspace.
 */
function takeOver(
  root: string,
  from: string,
  dir: string,
  owner: WorkspaceOwner,
): AcquiredWorkspace['carriedOver'] {
  const source = path.resolve(from);
  if (path.dirname(source) !== root) return undefined;
  const previous = readOwner(source);
  // Only a workspace of this very run: never another training's files.
  if (previous?.workflowId !== owner.workflowId || previous.runId !== owner.runId) return undefined;
  return copyWorkspace(source, dir);
}

/** Who made a workspace, or undefined for a folder that is not one of ours (or not readable). */
export function readOwner(dir: string): WorkspaceOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as WorkspaceOwner;
  } catch {
    return undefined;
  }
}

/** pacemaker's inputs name the dataset by absolute path: those are the files whose text names the workspace. */
const REWRITTEN = /^input(\.[a-z]+)?\.yaml$/;

/**
 * Copies every file of `from` into `to` (a retry copies again over what a failed attempt left), except the
 * owner and pid files, rewriting the inputs' paths; returns the count and size.
 */
export function copyWorkspace(from: string, to: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const copy = (src: string, dst: string) => {
    for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
      if (NOT_CARRIED_OVER.has(entry.name) && src === from) continue;
      const s = path.join(src, entry.name);
      const d = path.join(dst, entry.name);
      if (entry.isDirectory()) {
        fs.mkdirSync(d, { recursive: true });
        copy(s, d);
      } else if (entry.isFile()) {
        if (src === from && REWRITTEN.test(entry.name)) {
          fs.writeFileSync(d, fs.readFileSync(s, 'utf8').split(`${from}/`).join(`${to}/`));
        } else {
          fs.copyFileSync(s, d);
        }
        files += 1;
        bytes += fs.statSync(d).size;
      }
    }
  };
  copy(from, to);
  return { files, bytes };
}

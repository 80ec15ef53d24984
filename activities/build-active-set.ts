/**
 * buildActiveSet: runs pace_activeset on the fitted B-basis potential and the structures it was fitted to,
 * giving the `.asi` active set that LAMMPS (`pair_style pace/extrapolation`) and pyace
 * (`PyACECalculator.set_active_set`) need for the extrapolation grade gamma. The options, and why, are in
 * src/pacemaker/active-set.ts.
 *
 * - Runs next to the potential (in the workspace) through runProcess: without a shell, in a process group
 *   of its own (pid file in the workspace, like the fit): a cancelled activity stops the whole group, and a
 *   retry after a worker crash stops whatever the crashed attempt left running before it starts again.
 * - Its output goes to `pace_activeset.log` in the workspace; only its tail and its per-element summary
 *   lines are kept in memory.
 * - The dataset is pacemaker's own record of the training split (`fitting_data_info.pckl.gzip`, written
 *   by every fit) when the workspace holds it: held-out test structures are then graded like any other
 *   unseen structure. Otherwise the dataset the caller names (the whole fetched dataset).
 * - An element with fewer training atoms than basis functions cannot have an active set (MaxVol is
 *   under-determined): the potential is still good, so the result says why there is no `.asi` instead of
 *   failing the training. Any other failure is InvalidTrainerOutput with the tail of the log.
 */
import { type ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import fs from 'node:fs';
import path from 'node:path';
import { ACTIVE_SET_FILES } from '../src/artefact-names';
import { FailureType, nonRetryable, retryable } from '../src/api';
import {
  activeSetArgs,
  activeSetFileName,
  createOutputCollector,
  isActiveSetSummaryLine,
  parseActiveSetLog,
  underdeterminedReason,
  type ActiveSetElement,
  readableTail,
} from '../src/pacemaker';
import { ProcessStartError, runRecordedProcess, stopRecordedGroup } from '../src/process';
import { stopChildOnCancel } from './cancel-child';

export interface BuildActiveSetInput {
  workspaceDir: string;
  /** The fitted B-basis potential (output_potential.yaml): pace_activeset cannot read a .yace. */
  potentialYamlPath: string;
  /** The pacemaker dataset to use when the workspace has no fitting_data_info.pckl.gzip. */
  datasetPath: string;
}

export interface BuildActiveSetResult {
  /** The `.asi` in the workspace; absent when no active set can exist (see `skipped`). */
  asiPath?: string;
  /** Why there is no active set. */
  skipped?: string;
  /** File name of the dataset the active set was built from. */
  dataset: string;
  seconds: number;
  /** Per element: training atoms, basis functions, active-set size, largest training gamma. */
  elements: ActiveSetElement[];
}

export interface BuildActiveSetDeps {
  paceActivesetBin: string;
  /** SIGTERM → SIGKILL grace period. */
  killGraceMs?: number;
  heartbeatIntervalMs?: number;
}

export function createBuildActiveSetActivity(deps: BuildActiveSetDeps) {
  const settings: ActiveSetSettings = {
    bin: deps.paceActivesetBin,
    killGraceMs: deps.killGraceMs ?? 10_000,
    heartbeatIntervalMs: deps.heartbeatIntervalMs ?? 5_000,
  };

  async function buildActiveSet(input: BuildActiveSetInput): Promise<BuildActiveSetResult> {
    const ctx = Context.current();
    const files = activeSetFiles(input);
    const previous = await stopRecordedGroup(files.pid, settings.killGraceMs);
    ctx.log.info(`buildActiveSet attempt ${ctx.info.attempt}: ${previous}`);
    fs.rmSync(files.asi, { force: true }); // what a crashed attempt left is no proof of success

    const run = await runActiveSet(ctx, settings, files);
    const result = {
      dataset: path.basename(files.dataset),
      seconds: run.seconds,
      elements: parseActiveSetLog(run.summary),
    };
    const verdict = classifyActiveSetExit(run, {
      potential: files.potentialName,
      asiWritten: fs.existsSync(files.asi),
    });
    if (verdict.kind === 'failed') throw verdict.failure;
    if (verdict.kind === 'skipped') {
      ctx.log.warn(`publishing without an active set: ${verdict.skipped}`);
      return { ...result, skipped: verdict.skipped };
    }
    return { ...result, asiPath: files.asi };
  }

  return { buildActiveSet };
}

interface ActiveSetSettings {
  bin: string;
  killGraceMs: number;
  heartbeatIntervalMs: number;
}

/** Where pace_activeset reads and writes, once the inputs are known to exist. */
interface ActiveSetFiles {
  log: string;
  pid: string;
  /** pacemaker's record of the training split, else the dataset the caller names. */
  dataset: string;
  /** pace_activeset runs here, next to the potential, with its bare name. */
  potentialDir: string;
  potentialName: string;
  asi: string;
}

function activeSetFiles(input: BuildActiveSetInput): ActiveSetFiles {
  const ws = input.workspaceDir;
  if (!fs.existsSync(input.potentialYamlPath)) {
    throw nonRetryable(
      FailureType.InvalidTrainerOutput,
      `building the active set: the fitted potential ${input.potentialYamlPath} does not exist`,
    );
  }
  const fittingData = path.join(ws, ACTIVE_SET_FILES.fittingData);
  const dataset = fs.existsSync(fittingData) ? fittingData : input.datasetPath;
  if (!fs.existsSync(dataset)) {
    throw nonRetryable(
      FailureType.InvalidTrainerOutput,
      `building the active set: the dataset ${dataset} does not exist`,
    );
  }
  // pace_activeset derives the .asi's path from the name it is given, so it runs next to the potential with
  // its bare name: the .asi lands next to the potential (in the workspace, for the workflow).
  const potentialDir = path.dirname(path.resolve(input.potentialYamlPath));
  const potentialName = path.basename(input.potentialYamlPath);
  return {
    log: path.join(ws, ACTIVE_SET_FILES.log),
    pid: path.join(ws, ACTIVE_SET_FILES.pid),
    dataset,
    potentialDir,
    potentialName,
    asi: path.join(potentialDir, activeSetFileName(potentialName)),
  };
}

/** How a run of pace_activeset ended, with what its output said. */
interface ActiveSetRun {
  exit: { code: number | null; signal: NodeJS.Signals | null; cancelled: boolean };
  seconds: number;
  /** Its per-element summary lines. */
  summary: string;
  /** The end of its output. */
  tail: string;
}

async function runActiveSet(
  ctx: Context,
  settings: ActiveSetSettings,
  files: ActiveSetFiles,
): Promise<ActiveSetRun> {
  const args = activeSetArgs(files.potentialName, path.resolve(files.dataset));
  fs.appendFileSync(
    files.log,
    `\n===== mlip-train: attempt ${ctx.info.attempt} at ${new Date().toISOString()}: pace_activeset ${args.join(' ')} =====\n`,
  );
  const started = performance.now();
  const output = createOutputCollector(isActiveSetSummaryLine);
  const stop = new AbortController();
  let pid: number | undefined;
  const cancellation = stopChildOnCancel(ctx, {
    name: 'pace_activeset',
    pid: () => pid,
    stop: () => stop.abort(),
  });
  try {
    const exit = await runRecordedProcess({
      command: settings.bin,
      args,
      cwd: files.potentialDir,
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
      signal: stop.signal,
      killGraceMs: settings.killGraceMs,
      pidFile: files.pid,
      logFile: files.log,
      onSpawn: (leader) => (pid = leader),
      onOutput: (chunk) => output.push(chunk.toString('utf8')),
      heartbeat: () =>
        ctx.heartbeat({ step: 'active-set', seconds: Math.round((performance.now() - started) / 1000) }),
      heartbeatIntervalMs: settings.heartbeatIntervalMs,
    });
    output.end();
    return {
      exit,
      seconds: (performance.now() - started) / 1000,
      summary: output.kept(),
      tail: output.tail(),
    };
  } catch (err) {
    if (!(err instanceof ProcessStartError)) throw err;
    throw nonRetryable(
      FailureType.WorkerMisconfigured,
      `could not run pace_activeset (${settings.bin}): ${String(err.cause)}; set PACE_ACTIVESET_BIN`,
    );
  } finally {
    cancellation.dispose();
  }
}

type ActiveSetVerdict =
  | { kind: 'built' }
  /** No active set can exist (an element with too few training atoms): the potential is still good. */
  | { kind: 'skipped'; skipped: string }
  | { kind: 'failed'; failure: ApplicationFailure | CancelledFailure };

/** What a run of pace_activeset's end means for the training. Pure. */
function classifyActiveSetExit(
  run: Pick<ActiveSetRun, 'exit' | 'summary' | 'tail'>,
  facts: { potential: string; asiWritten: boolean },
): ActiveSetVerdict {
  const failed = (failure: ApplicationFailure | CancelledFailure): ActiveSetVerdict => ({
    kind: 'failed',
    failure,
  });
  const { exit } = run;
  const lastLines = () => `Last lines of ${ACTIVE_SET_FILES.log}:\n${readableTail(run.tail)}`;
  if (exit.cancelled)
    return failed(new CancelledFailure('building the active set cancelled; pace_activeset stopped'));
  if (exit.signal)
    return failed(
      retryable(
        FailureType.ProcessKilled,
        `pace_activeset was killed by ${exit.signal} while building the active set.\n${readableTail(run.tail)}`,
      ),
    );
  if (exit.code !== 0) {
    const skipped = underdeterminedReason(run.summary);
    if (skipped) return { kind: 'skipped', skipped };
    return failed(
      nonRetryable(
        FailureType.InvalidTrainerOutput,
        `pace_activeset could not build the active set of ${facts.potential} (exit code ${exit.code}). ${lastLines()}`,
      ),
    );
  }
  if (!facts.asiWritten)
    return failed(
      nonRetryable(
        FailureType.InvalidTrainerOutput,
        `pace_activeset exited 0 but wrote no ${activeSetFileName(facts.potential)}. ${lastLines()}`,
      ),
    );
  return { kind: 'built' };
}

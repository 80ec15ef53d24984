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
import { CancelledFailure, Context } from '@temporalio/activity';
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
  const killGraceMs = deps.killGraceMs ?? 10_000;
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? 5_000;

  async function buildActiveSet(input: BuildActiveSetInput): Promise<BuildActiveSetResult> {
    const ctx = Context.current();
    const ws = input.workspaceDir;
    const logPath = path.join(ws, ACTIVE_SET_FILES.log);
    const pidPath = path.join(ws, ACTIVE_SET_FILES.pid);
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

    const previous = await stopRecordedGroup(pidPath, killGraceMs);
    ctx.log.info(`buildActiveSet attempt ${ctx.info.attempt}: ${previous}`);
    // Run next to the potential with its bare name: pace_activeset derives the .asi's path from the name
    // it is given, so the .asi lands next to the potential (in the workspace, for the workflow).
    const potentialDir = path.dirname(path.resolve(input.potentialYamlPath));
    const potentialName = path.basename(input.potentialYamlPath);
    const asiPath = path.join(potentialDir, activeSetFileName(potentialName));
    fs.rmSync(asiPath, { force: true }); // what a crashed attempt left is no proof of success

    const args = activeSetArgs(potentialName, path.resolve(dataset));
    fs.appendFileSync(
      logPath,
      `\n===== mlip-train: attempt ${ctx.info.attempt} at ${new Date().toISOString()}: pace_activeset ${args.join(' ')} =====\n`,
    );
    const started = performance.now();
    const heartbeat = () =>
      ctx.heartbeat({ step: 'active-set', seconds: Math.round((performance.now() - started) / 1000) });

    const output = createOutputCollector(isActiveSetSummaryLine);
    let pid: number | undefined;
    const onCancel = () => ctx.log.info(`cancelling: stopping pace_activeset process group ${pid}`);
    let exit;
    try {
      ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });
      exit = await runRecordedProcess({
        command: deps.paceActivesetBin,
        args,
        cwd: potentialDir,
        env: { ...process.env, PYTHONUNBUFFERED: '1' },
        signal: ctx.cancellationSignal,
        killGraceMs,
        pidFile: pidPath,
        logFile: logPath,
        onSpawn: (leader) => (pid = leader),
        onOutput: (chunk) => output.push(chunk.toString('utf8')),
        heartbeat,
        heartbeatIntervalMs,
      });
    } catch (err) {
      if (!(err instanceof ProcessStartError)) throw err;
      throw nonRetryable(
        FailureType.WorkerMisconfigured,
        `could not run pace_activeset (${deps.paceActivesetBin}): ${String(err.cause)}; set PACE_ACTIVESET_BIN`,
      );
    } finally {
      ctx.cancellationSignal.removeEventListener('abort', onCancel);
    }
    output.end();
    const seconds = (performance.now() - started) / 1000;
    const summary = output.kept();
    const result = { dataset: path.basename(dataset), seconds, elements: parseActiveSetLog(summary) };

    if (exit.cancelled)
      throw new CancelledFailure('building the active set cancelled; pace_activeset stopped');
    if (exit.signal) {
      throw retryable(
        FailureType.ProcessKilled,
        `pace_activeset was killed by ${exit.signal} while building the active set.\n${readableTail(output.tail())}`,
      );
    }
    if (exit.code !== 0) {
      const skipped = underdeterminedReason(summary);
      if (skipped) {
        ctx.log.warn(`publishing without an active set: ${skipped}`);
        return { ...result, skipped };
      }
      throw nonRetryable(
        FailureType.InvalidTrainerOutput,
        `pace_activeset could not build the active set of ${potentialName} (exit code ${exit.code}). ` +
          `Last lines of ${ACTIVE_SET_FILES.log}:\n${readableTail(output.tail())}`,
      );
    }
    if (!fs.existsSync(asiPath)) {
      throw nonRetryable(
        FailureType.InvalidTrainerOutput,
        `pace_activeset exited 0 but wrote no ${path.basename(asiPath)}. Last lines of ${ACTIVE_SET_FILES.log}:\n${readableTail(output.tail())}`,
      );
    }
    return { ...result, asiPath };
  }

  return { buildActiveSet };
}

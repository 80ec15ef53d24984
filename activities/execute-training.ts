/**
 * executeTraining: runs pacemaker in the workspace, reports progress, honours cancellation, resumes from
 * its checkpoint after a crash, and converts the result to .yace with the reference energies pacemaker
 * subtracted put back into its E0 (src/pacemaker/reference-energy.ts), so that it returns absolute energies,
 * and the switch to core repulsion below the data's shortest distances moved and widened
 * (src/pacemaker/inner-cutoff.ts). Its phases, in execute-training/:
 *
 * - A retry after a worker crash first stops the pacemaker a previous attempt left running (pid file),
 *   then waits for a training slot (training-slot.ts).
 * - The resume plan (src/pacemaker/resume-plan.ts, pure) continues from the latest interim potential with
 *   the remaining iteration budget, or starts the fit from the beginning.
 * - pacemaker runs (run-pacemaker.ts) with its output in `pacemaker.log`, parsed into the progress that
 *   heartbeats carry every few seconds (fit-progress.ts); a signal reaches the workflow only when the
 *   training's story changes, so its history does not grow with the fit.
 * - Cancellation: SIGTERM to the group, SIGKILL after a grace period, then the cancellation is rethrown.
 *   Drain (the worker shuts down: SIGTERM to it): SIGINT to pacemaker, which stops between two iterations
 *   with its checkpoint whole, then a retryable WorkerShuttingDown hands the fit back to resume.
 * - How the run ended (fit-ending.ts, pure) decides what follows: the conversion, a start from the
 *   beginning when the checkpoint was unreadable, or the failure Temporal retries (or not) by.
 * - The output: the .yace (yace.ts) and the final errors on the training and test sets (final-metrics.ts).
 */
import { Context } from '@temporalio/activity';
import path from 'node:path';
import type { FinalMetrics } from '../src/api';
import {
  fitFromTheBeginning,
  iterationsCompleted,
  planFitRun,
  stoppedEarly,
  type FitRun,
} from '../src/pacemaker';
import { stopRecordedGroup } from '../src/process';
import { classifyFitExit } from './execute-training/fit-ending';
import { createFitReporter, type FitReporter } from './execute-training/fit-progress';
import {
  fitFiles,
  readFitEnd,
  readFitWorkspace,
  setCheckpointAside,
  writeRunInput,
  type FitFiles,
} from './execute-training/fit-workspace';
import { finalMetrics } from './execute-training/final-metrics';
import { runPacemaker } from './execute-training/run-pacemaker';
import { fitSettings, type ExecuteTrainingDeps, type FitSettings } from './execute-training/settings';
import { waitForTrainingSlot } from './execute-training/training-slot';
import { makeYace } from './execute-training/yace';

export type { ExecuteTrainingDeps };

export interface ExecuteTrainingInput {
  workspaceDir: string;
  inputYamlPath: string;
  /** The fit's iteration budget (fit.maxiter), for progress and for resuming. */
  maxIterations: number;
  /** Where to send fit progress (the calling workflow); omitted → heartbeats only. */
  reportTo?: { workflowId: string; runId?: string };
}

export interface ExecuteTrainingResult {
  yacePath: string;
  potentialYamlPath: string;
  logPath: string;
  metrics: FinalMetrics;
  /** Last iteration pacemaker reported. */
  iterations: number;
  /** Set when the fit stopped before its iteration budget because its test loss stopped improving. */
  stoppedEarly?: true;
  /** Checkpoint this (last) attempt continued from. */
  resumedFrom?: string;
}

export function createExecuteTrainingActivity(deps: ExecuteTrainingDeps) {
  const settings = fitSettings(deps);

  async function executeTraining(input: ExecuteTrainingInput): Promise<ExecuteTrainingResult> {
    const ctx = Context.current();
    const files = fitFiles(input.workspaceDir, input.inputYamlPath);
    // Whatever a previous attempt left running must stop before anything else touches the workspace.
    const previous = await stopRecordedGroup(files.pid, settings.killGraceMs);
    ctx.log.info(`executeTraining attempt ${ctx.info.attempt}: ${previous}`);

    const reporter = createFitReporter(
      ctx,
      { ...settings, reportTo: input.reportTo, reportProgress: deps.reportProgress },
      input.maxIterations,
    );
    const release = await waitForTrainingSlot(ctx, deps.trainingSlots, reporter, settings.hostId);
    try {
      const { run, logText } = await fitToTheEnd(ctx, settings, files, reporter, input.maxIterations);
      reporter.set({ ...reporter.progress, phase: 'converting' });
      // The conversion and the metrics read big files on big fits: keep heartbeating meanwhile.
      return await reporter.whileReporting(async () => {
        await makeYace(ctx, settings, files);
        return {
          yacePath: files.yace,
          potentialYamlPath: files.potentialYaml,
          logPath: files.log,
          metrics: await finalMetrics(ctx, settings, files.dir),
          iterations: iterationsCompleted(logText),
          resumedFrom: run.resumedFrom,
          ...(stoppedEarly(logText) ? { stoppedEarly: true as const } : {}),
        };
      });
    } finally {
      release();
      reporter.end();
    }
  }

  return { executeTraining };
}

/**
 * Runs pacemaker as the resume plan says until it has fitted, or throws how it failed. A run from the
 * beginning follows a checkpoint pacemaker could not read; it continues from none, so there is no third.
 */
async function fitToTheEnd(
  ctx: Context,
  settings: FitSettings,
  files: FitFiles,
  reporter: FitReporter,
  maxIterations: number,
): Promise<{ run: FitRun; logText: string }> {
  let run = planFitRun(readFitWorkspace(files), maxIterations);
  for (;;) {
    writeRunInput(files, run);
    const exit = await runPacemaker(run, ctx, files, reporter, settings);
    const ended = readFitEnd(files, run, settings.hostId);
    const verdict = classifyFitExit(exit, ended);
    if (verdict.kind === 'completed') return { run, logText: ended.logText };
    if (verdict.kind === 'failed') throw verdict.failure;
    ctx.log.warn(
      `pacemaker could not continue from ${verdict.unusableCheckpoint}; starting the fit from the beginning`,
    );
    setCheckpointAside(files, verdict.unusableCheckpoint);
    run = fitFromTheBeginning(path.basename(files.inputYaml), maxIterations);
  }
}

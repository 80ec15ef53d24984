/**
 * What a fit tells while it runs: a small TrainingProgress on every heartbeat (the Web UI and
 * `mlip-train status` show it), counted by the fit metrics, and a signal to the workflow only when the
 * training's story changes (src/api progress-reports), so that its history does not grow with the fit.
 */
import type { Context } from '@temporalio/activity';
import { reportReason, type LastReport, type TrainingProgress } from '../../src/api';
import type { FitRun, ParsedProgress } from '../../src/pacemaker';
import { fitMetrics } from '../../src/telemetry';
import type { ExecuteTrainingDeps } from './settings';

export interface FitReporterOptions {
  reportTo?: { workflowId: string; runId?: string };
  reportProgress?: ExecuteTrainingDeps['reportProgress'];
  /** At most one checkpoint report to the workflow per this interval. */
  reportIntervalMs: number;
  heartbeatIntervalMs: number;
}

export interface FitReporter {
  readonly progress: TrainingProgress;
  /** The progress from now on; the next report carries it. */
  set(progress: TrainingProgress): void;
  /** The progress from now on, counted by the fit metrics at once (pacemaker's output between heartbeats). */
  record(progress: TrainingProgress): void;
  /** Heartbeats the progress, and signals the workflow when that is worth a signal. */
  report(): void;
  /** Reports now and every heartbeat interval until `work` settles: for steps that print nothing. */
  whileReporting<T>(work: () => Promise<T>): Promise<T>;
  /** Ends the fit metrics' timing of the last phase. */
  end(): void;
}

export function createFitReporter(
  ctx: Context,
  options: FitReporterOptions,
  maxIterations: number,
): FitReporter {
  let progress: TrainingProgress = { phase: 'waiting-for-slot', maxIterations };
  let lastReport: LastReport | undefined;
  // Iterations counted and phases timed from the same progress the heartbeats carry.
  const instruments = fitMetrics(ctx.metricMeter);
  const { reportTo, reportProgress } = options;
  const report = () => {
    instruments.observe(progress);
    ctx.heartbeat(progress);
    const now = Date.now();
    if (!reportTo || !reportProgress || !reportReason(lastReport, progress, now, options.reportIntervalMs))
      return;
    lastReport = { phase: progress.phase, resumedFrom: progress.resumedFrom, at: now };
    reportProgress(reportTo, progress).catch((err: unknown) => {
      ctx.log.warn(`could not report progress to the workflow: ${String(err)}`);
    });
  };
  return {
    get progress() {
      return progress;
    },
    set(next) {
      progress = next;
    },
    record(next) {
      progress = next;
      instruments.observe(progress);
    },
    report,
    async whileReporting(work) {
      report();
      const ticker = setInterval(report, options.heartbeatIntervalMs);
      try {
        return await work();
      } finally {
        clearInterval(ticker);
      }
    },
    end: () => instruments.end(),
  };
}

/** A run about to start: pacemaker has printed nothing yet. */
export function preparingProgress(run: FitRun): TrainingProgress {
  return {
    phase: 'preparing',
    maxIterations: run.maxIterations,
    resumedFrom: run.resumedFrom,
    ...(run.iterationsBefore ? { iterationsBefore: run.iterationsBefore } : {}),
  };
}

/** A running fit, from what pacemaker has printed so far and the checkpoint it has written last. */
export function runningProgress(
  run: FitRun,
  parsed: ParsedProgress,
  checkpoint: string | undefined,
): TrainingProgress {
  return {
    phase: parsed.latest || parsed.stats.fit ? 'fitting' : 'preparing',
    maxIterations: run.maxIterations,
    latest: parsed.latest,
    fitStats: parsed.stats.fit ?? parsed.stats.cycle,
    checkpoint,
    resumedFrom: run.resumedFrom,
    ...(run.iterationsBefore ? { iterationsBefore: run.iterationsBefore } : {}),
  };
}

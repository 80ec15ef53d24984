/**
 * What a scoring tells while it runs: its counts on every heartbeat, and to the calling workflow at most
 * once per report interval (and at the start and the end), so that its history does not grow with the
 * candidates. On a timer, not per candidate: FerretDB may take minutes before the first batch of a large
 * selection.
 */
import type { Context } from '@temporalio/activity';
import type { ScoringCounts } from '../../src/api';

export interface ScoringReporterOptions {
  reportTo?: { workflowId: string; runId?: string };
  reportProgress?: (target: { workflowId: string; runId?: string }, counts: ScoringCounts) => Promise<void>;
  reportIntervalMs: number;
  heartbeatIntervalMs: number;
}

export interface ScoringReporter {
  /** Heartbeats the counts, and reports them to the workflow when the interval has passed or `force`. */
  report(force?: boolean): void;
  /** Stops the timer. */
  stop(): void;
}

/** Starts reporting: now (to the workflow too) and on every heartbeat interval. */
export function startScoringReporter(
  ctx: Context | undefined,
  options: ScoringReporterOptions,
  counts: () => ScoringCounts,
): ScoringReporter {
  const { reportTo, reportProgress } = options;
  let lastReport = 0;
  const report = (force = false) => {
    const now = counts();
    ctx?.heartbeat(now);
    const t = Date.now();
    if (reportTo && reportProgress && (force || t - lastReport >= options.reportIntervalMs)) {
      lastReport = t;
      reportProgress(reportTo, now).catch((err: unknown) => {
        ctx?.log.warn(`could not report scoring progress to the workflow: ${String(err)}`);
      });
    }
  };
  const ticker = setInterval(() => report(), options.heartbeatIntervalMs);
  report(true);
  return { report, stop: () => clearInterval(ticker) };
}

/**
 * What of a fit's progress reaches the workflow's history. Heartbeats carry every step of a fit (the Web
 * UI shows them under Pending Activities, `mlip-train status/watch` reads them from describe()) and cost no
 * history; a signal to the workflow costs about four events (the signal and a workflow task), so
 * executeTraining sends one only when the training's story changes: its phase (waiting for a slot,
 * preparing, fitting, converting), an attempt that resumed from a checkpoint, and at most one checkpoint
 * report every CHECKPOINT_REPORT_INTERVAL_MS. That bounds a training's history by the fit's duration
 * divided by the interval, not by its iterations: a 30-day fit stays under 1,000 events (docs/design.md,
 * "Long trainings: the history budget"). Pure.
 */
import type { TrainingProgress } from './progress';

/** At most one report of a fit's latest checkpoint and numbers per this interval. */
export const CHECKPOINT_REPORT_INTERVAL_MS = 4 * 3_600_000;

export interface LastReport {
  phase: TrainingProgress['phase'];
  resumedFrom?: string;
  at: number;
}

export type ReportReason = 'phase' | 'resumed' | 'checkpoint';

/** Why `next` is worth a signal now, or undefined when the heartbeat alone should carry it. */
export function reportReason(
  last: LastReport | undefined,
  next: TrainingProgress,
  now: number,
  intervalMs: number = CHECKPOINT_REPORT_INTERVAL_MS,
): ReportReason | undefined {
  if (!last || last.phase !== next.phase) return 'phase';
  if (next.resumedFrom !== last.resumedFrom) return 'resumed';
  if (next.checkpoint && now - last.at >= intervalMs) return 'checkpoint';
  return undefined;
}

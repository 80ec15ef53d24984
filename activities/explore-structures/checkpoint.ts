/**
 * What an exploration's heartbeat carries: the runs done and what they counted. A retried attempt reads it
 * back and starts at the first run not done, so the counts of the earlier attempts' runs carry over.
 * Runs count as done only once their frames are written, so no run's frames are lost between attempts.
 */
import type { Context } from '@temporalio/activity';
import type { ExplorationCounts } from '../../src/api';
import type { ExplorerRunSummary } from '../../src/exploration';
import type { InsertCounts } from '../candidate-writer';

export interface ExplorationCheckpoint {
  counts: ExplorationCounts;
  /** Largest γ of any run done (null when nothing was sampled yet). */
  gammaMax: number | null;
}

const ZERO_COUNTS: ExplorationCounts = {
  runsDone: 0,
  runsStopped: 0,
  runsFailed: 0,
  framesSampled: 0,
  framesExtrapolative: 0,
  candidatesWritten: 0,
  candidatesExisting: 0,
};

/** The last heartbeat's checkpoint, or a fresh one (a first attempt, or details this build did not write). */
export function checkpointFrom(details: unknown): ExplorationCheckpoint {
  const d = details as Partial<ExplorationCheckpoint> | undefined;
  const counts = d?.counts;
  const valid =
    counts !== undefined &&
    Object.keys(ZERO_COUNTS).every((k) => Number.isInteger(counts[k as keyof ExplorationCounts]));
  return valid
    ? { counts: { ...counts }, gammaMax: typeof d?.gammaMax === 'number' ? d.gammaMax : null }
    : { counts: { ...ZERO_COUNTS }, gammaMax: null };
}

/** The checkpoint once a run is done: its summary from the explorer, its frames' candidates written. Pure. */
export function withRunDone(
  checkpoint: ExplorationCheckpoint,
  run: ExplorerRunSummary,
  candidates: InsertCounts,
): ExplorationCheckpoint {
  const { counts, gammaMax } = checkpoint;
  return {
    counts: {
      runsDone: run.index + 1,
      runsStopped: counts.runsStopped + (run.stoppedAtStep !== null ? 1 : 0),
      runsFailed: counts.runsFailed + (run.error !== null ? 1 : 0),
      framesSampled: counts.framesSampled + run.sampled,
      framesExtrapolative: counts.framesExtrapolative + run.extrapolative,
      candidatesWritten: counts.candidatesWritten + candidates.written,
      candidatesExisting: counts.candidatesExisting + candidates.existing,
    },
    gammaMax:
      run.gammaMax === null ? gammaMax : gammaMax === null ? run.gammaMax : Math.max(gammaMax, run.gammaMax),
  };
}

/** Heartbeats the current checkpoint now and every `intervalMs` until stopped (and on `beat()`). */
export function startHeartbeat(
  ctx: Context | undefined,
  checkpoint: () => ExplorationCheckpoint,
  intervalMs: number,
) {
  const beat = () => ctx?.heartbeat(checkpoint());
  const ticker = setInterval(beat, intervalMs);
  beat();
  return { beat, stop: () => clearInterval(ticker) };
}

export type Heartbeat = ReturnType<typeof startHeartbeat>;

/**
 * The one-line progress display of `mlip-train watch` / `start --wait`. Pure: a TrainingProgress in, a
 * line out, so the same line is redrawn on a TTY and printed only when it changes elsewhere.
 */
import type { TrainingProgress } from '../api';

/** `[#######.............]` for done/total; an empty bar when the total is unknown. */
export function progressBar(done: number, total: number | undefined, width = 20): string {
  if (!total || total <= 0 || !Number.isFinite(done)) return `[${'.'.repeat(width)}]`;
  const fraction = Math.min(1, Math.max(0, done / total));
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function number(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}

/**
 * e.g. `fitting     [########............]  40/100  loss 1.234e-3  RMSE E 17.95 meV/atom  F 7.9 meV/Å`.
 * Before the fit reports anything it is just the phase (with "resumed from ..." when it resumed).
 */
export function formatProgressLine(progress: TrainingProgress, width = 20): string {
  const parts = [progress.phase.padEnd(19)];
  const latest = progress.latest;
  if (latest) {
    const total = progress.maxIterations;
    const counter = total
      ? `${String(latest.iteration).padStart(String(total).length)}/${total}`
      : `it ${latest.iteration}`;
    parts.push(
      progressBar(latest.iteration, total, width),
      counter,
      `loss ${latest.loss.toExponential(3)}`,
      `RMSE E ${number(latest.rmseEnergyMeVPerAtom, 2)} meV/atom`,
      `F ${number(latest.rmseForcesMeVPerA, 1)} meV/Å`,
    );
  } else if (progress.maxIterations) {
    parts.push(progressBar(0, progress.maxIterations, width), `0/${progress.maxIterations}`);
  }
  if (progress.resumedFrom) parts.push(`(resumed from ${progress.resumedFrom})`);
  return parts.join('  ').trimEnd();
}

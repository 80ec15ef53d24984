/**
 * The small progress record shared by executeTraining's heartbeats, the workflow's `progress` query and
 * the CLI. Everything here is a handful of numbers: it is stored in history and heartbeat details.
 */
export const TRAINING_PHASES = [
  'validating',
  'acquiring-workspace',
  'fetching-data',
  'generating-config',
  'waiting-for-slot',
  'preparing',
  'fitting',
  'converting',
  'building-active-set',
  'publishing',
  'cleaning-up',
  'completed',
  'failed',
  'cancelled',
] as const;

export type TrainingPhase = (typeof TRAINING_PHASES)[number];

/** Latest numbers reported by pacemaker (units as pacemaker prints them). */
export interface FitMetrics {
  /** Optimiser iteration (0 = initial state). */
  iteration: number;
  /** Total loss. */
  loss: number;
  /** RMSE of energy per atom, meV/atom. */
  rmseEnergyMeVPerAtom: number;
  /** RMSE of force components, meV/Å. */
  rmseForcesMeVPerA: number;
}

export interface TrainingProgress {
  phase: TrainingPhase;
  /** Iteration budget of this fit, when known. */
  maxIterations?: number;
  /** Latest per-iteration line from pacemaker. */
  latest?: FitMetrics;
  /** Latest FIT STATS block (every display_step iterations). */
  fitStats?: FitMetrics;
  /** Latest checkpoint file written by pacemaker (interim potential), relative to the workspace. */
  checkpoint?: string;
  /** Checkpoint this attempt continued from, if it resumed. */
  resumedFrom?: string;
}

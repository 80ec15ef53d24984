/**
 * The small progress record shared by executeTraining's heartbeats, the workflow's `progress` query and
 * the CLI. Everything here is a handful of numbers: it is kept in heartbeat details, and the few reports
 * that reach the workflow are stored in its history. The CLI reads it back from heartbeats written by
 * another process, so it is a schema, checked where it is read.
 */
import { z } from 'zod';

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

export const TrainingPhaseSchema = z.enum(TRAINING_PHASES);
export type TrainingPhase = z.infer<typeof TrainingPhaseSchema>;

/** The phases executeTraining reports itself, from its heartbeats: the workflow only knows it is in one. */
export const FIT_PHASES: readonly TrainingPhase[] = [
  'waiting-for-slot',
  'preparing',
  'fitting',
  'converting',
];

/** pacemaker prints nan for a diverged fit; JSON carries it as null. */
const metric = z
  .number()
  .nullable()
  .transform((v) => v ?? Number.NaN);

/** Latest numbers reported by pacemaker (units as pacemaker prints them). */
export const FitMetricsSchema = z.object({
  /** Optimiser iteration (0 = initial state). */
  iteration: z.number().int().nonnegative(),
  /** Total loss. */
  loss: metric,
  /** RMSE of energy per atom, meV/atom. */
  rmseEnergyMeVPerAtom: metric,
  /** RMSE of force components, meV/Å. */
  rmseForcesMeVPerA: metric,
});
export type FitMetrics = z.infer<typeof FitMetricsSchema>;

export const TrainingProgressSchema = z.object({
  phase: TrainingPhaseSchema,
  /** Iteration budget of this fit (of this attempt, when it resumed), when known. */
  maxIterations: z.number().int().positive().optional(),
  /** Latest per-iteration line from pacemaker. */
  latest: FitMetricsSchema.optional(),
  /** Latest FIT STATS block (every display_step iterations). */
  fitStats: FitMetricsSchema.optional(),
  /** Latest checkpoint file written by pacemaker (interim potential), relative to the workspace. */
  checkpoint: z.string().optional(),
  /** Checkpoint this attempt continued from, if it resumed. */
  resumedFrom: z.string().optional(),
  /** Iterations earlier attempts completed before this one resumed (0 or absent for a first attempt). */
  iterationsBefore: z.number().int().nonnegative().optional(),
});
export type TrainingProgress = z.infer<typeof TrainingProgressSchema>;

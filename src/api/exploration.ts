/**
 * The input and result of exploreStructures: molecular dynamics in LAMMPS with a published potential,
 * started from a campaign's own structures, whose extrapolative frames become candidates (the next
 * generation a loop scores, selects and labels). Field names are a public contract: the CLI and parent
 * workflows (activeLearningRound's `exploration`) send them. Pure.
 *
 * Where the defaults come from:
 * - gammaLower 5, gammaUpper 25: pacemaker's own LAMMPS example (dump above 5, stop above 25); its docs
 *   call 1 < γ ≤ 5 extrapolation that is still reliable and γ > 5 unreliable.
 * - temperaturesK [300, 1000]: room temperature, and a temperature where a solid's atoms sample the
 *   anharmonic part of their wells (about 0.6–0.8 of the melting point of Si, 1687 K, and Cu, 1358 K).
 * - timestepFs 1: a common choice for metal units and light elements (Si, C); sampleEvery 20 steps, as
 *   pacemaker's example dumps every 20.
 * - steps 2000 (2 ps) and 4 seeds: an exploration of a few minutes on one core for a few hundred
 *   basis functions; runs stop early where the potential extrapolates beyond gammaUpper.
 */
import { z } from 'zod';
import { FailureType } from './failures';
import type { Resolution } from './resolution';
import { DurationSchema } from './training-request';

/** Every run (seed × temperature × pressure) is one line of a plan; this many keeps a plan small. */
export const MAX_EXPLORATION_RUNS = 1000;

export const ExplorationSettingsSchema = z
  .strictObject({
    seeds: z
      .strictObject({
        count: z
          .number()
          .int()
          .min(1)
          .max(MAX_EXPLORATION_RUNS)
          .default(4)
          .describe(
            "how many of the campaign's completed, periodic structures to start from (evenly spread in _id order)",
          ),
        maxGeneration: z
          .number()
          .int()
          .min(0)
          .optional()
          .describe('start only from calculations of this generation or earlier (default: any)'),
      })
      .prefault({})
      .describe("the campaign's structures the MD starts from"),
    temperaturesK: z
      .array(z.number().min(1).max(10_000))
      .min(1)
      .max(20)
      .default([300, 1000])
      .describe('thermostat temperatures, K: one run per seed and temperature (and pressure)'),
    pressuresBar: z
      .array(z.number().min(-100_000).max(10_000_000))
      .min(1)
      .max(20)
      .optional()
      .describe('isotropic NPT at each of these pressures, bar (default: NVT at the seed volume)'),
    steps: z.number().int().min(1).max(10_000_000).default(2000).describe('MD steps per run'),
    timestepFs: z.number().min(0.01).max(10).default(1).describe('MD time step, fs'),
    sampleEvery: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(20)
      .describe(
        'steps between two readings of the extrapolation grade γ (each a frame that may become a candidate)',
      ),
    gammaLower: z
      .number()
      .positive()
      .default(5)
      .describe('a frame whose largest γ is at least this becomes a candidate'),
    gammaUpper: z
      .number()
      .positive()
      .default(25)
      .describe('a run stops at its first frame above this (not written: the potential no longer knows it)'),
    maxFramesPerRun: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(10)
      .describe('candidates written per run at most (the first ones above gammaLower)'),
    velocitySeed: z
      .number()
      .int()
      .min(1)
      .max(900_000_000)
      .default(4928459)
      .describe(
        'seed of the initial velocities; run i uses velocitySeed + i, so a retry repeats a run exactly',
      ),
  })
  .refine((s) => s.gammaLower < s.gammaUpper, {
    message: 'gammaLower must be below gammaUpper',
    path: ['gammaLower'],
  })
  .refine(
    (s) => s.seeds.count * s.temperaturesK.length * (s.pressuresBar?.length ?? 1) <= MAX_EXPLORATION_RUNS,
    {
      message: `seeds.count × temperaturesK × pressuresBar makes more than ${MAX_EXPLORATION_RUNS} runs`,
      path: ['seeds', 'count'],
    },
  );

export const ExplorationRequestSchema = z.strictObject({
  potentialId: z
    .string()
    .min(1)
    .max(300)
    .describe('registry id "name@vK" of the potential to run; it needs its active set (potential.asi)'),
  campaign: z.string().min(1).max(200).describe('campaign whose completed calculations are the seeds'),
  candidatesCampaign: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('campaign the candidates are written to (default: campaign)'),
  generation: z.number().int().min(0).describe('generation the candidates are written as'),
  settings: ExplorationSettingsSchema.prefault({}).describe('the MD and what it keeps'),
  heartbeatTimeout: DurationSchema.prefault('2m').describe(
    'an exploration whose worker stops reporting for this long is considered lost; the retry continues at its first unfinished run',
  ),
});

export type ExplorationSettingsInput = z.input<typeof ExplorationSettingsSchema>;
export type ExplorationSettings = z.output<typeof ExplorationSettingsSchema>;
export type ExplorationRequestInput = z.input<typeof ExplorationRequestSchema>;
export type ExplorationRequest = z.output<typeof ExplorationRequestSchema>;

export function resolveExplorationRequest(input: unknown): Resolution<ExplorationRequest> {
  const parsed = ExplorationRequestSchema.safeParse(input ?? {});
  if (parsed.success) return { ok: true, request: parsed.data };
  const lines = parsed.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(request)';
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    return `  ${field}: ${missing ? 'required' : issue.message}`;
  });
  return {
    ok: false,
    failureType: FailureType.InvalidExplorationRequest,
    message: `invalid exploration request:\n${lines.join('\n')}`,
  };
}

/** Counts of an exploration, also its heartbeat details (small: they travel with every heartbeat). */
export interface ExplorationCounts {
  /** Runs finished (to the end, stopped above gammaUpper, or broken off). */
  runsDone: number;
  /** Of those, stopped above gammaUpper. */
  runsStopped: number;
  /** Of those, broken off by a LAMMPS error (lost atoms, a collapsed box). */
  runsFailed: number;
  /** Frames whose γ was read. */
  framesSampled: number;
  /** Of those, with γmax at least gammaLower (written or not). */
  framesExtrapolative: number;
  /** Candidates inserted by this exploration. */
  candidatesWritten: number;
  /** Frames whose candidate already existed (an earlier attempt wrote it). */
  candidatesExisting: number;
}

export interface ExplorationResult extends ExplorationCounts {
  potentialId: string;
  campaign: string;
  generation: number;
  /** Runs planned: seeds × temperatures × pressures. */
  runs: number;
  seeds: number;
  /** framesExtrapolative / framesSampled (0 when nothing was sampled). */
  extrapolativeFraction: number;
  /** Largest γ any frame reached (null when nothing was sampled). */
  gammaMax: number | null;
  /** The first few LAMMPS errors of broken-off runs, for the Web UI. */
  runErrors: string[];
  host: string;
  seconds: number;
}

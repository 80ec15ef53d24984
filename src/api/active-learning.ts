/**
 * The input of activeLearningRound: one generation of an active-learning loop (train → explore by MD, when
 * asked → score candidates → pick structures for DFT). Field names are a public contract: a parent loop sends them each round.
 */
import { z } from 'zod';
import { CommitteeSizeSchema } from './committee';
import { ExplorationSettingsSchema, type ExplorationResult } from './exploration';
import type { ScoreCandidatesResult } from './scoring-result';
import type { TrainingResult } from './training-result';

export const ActiveLearningRoundInputSchema = z.strictObject({
  /**
   * The TrainingRequest of this round (checked by trainPotential / trainCommittee, which name its fields).
   * Put the previous round's `nextInitialPotential` in `training.initialPotential` to start warm.
   */
  training: z.record(z.string(), z.unknown()),
  committeeSize: CommitteeSizeSchema.optional().describe(
    "train a committee of this many members (2-16) instead of one potential; candidates are then also ranked by the members' force disagreement",
  ),
  candidates: z
    .strictObject({
      campaign: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('campaign of the candidate structures (default: the training campaign)'),
      generation: z.number().int().min(0).describe('generation of the candidates to score'),
    })
    .describe('which documents of the `candidates` collection this round scores'),
  exploration: ExplorationSettingsSchema.optional().describe(
    "explore first: MD in LAMMPS with this round's potential from the training campaign's structures, whose frames above gammaLower become the candidates of `candidates.generation` (exploreStructures' settings; {} for its defaults)",
  ),
  selectForDft: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .describe('how many of the highest-scoring candidates to return for DFT'),
  targetForceRmseMeVPerA: z
    .number()
    .positive()
    .optional()
    .describe('accept the potential when its force RMSE (test split if any, else train) is at most this'),
});

export type ActiveLearningRoundInput = z.input<typeof ActiveLearningRoundInputSchema>;

export type ActiveLearningRound = z.output<typeof ActiveLearningRoundInputSchema>;

export interface ActiveLearningRoundResult {
  /**
   * The potential of this round. For a committee, member 0: the next round starts warm from it (the committee
   * as a whole scored the candidates, γ being the lowest over the members' own active sets).
   */
  potential: TrainingResult;
  /** Set when the round trained a committee: every member's registry id. */
  committee?: { committeeId: string; memberIds: string[] };
  forceRmseMeVPerA: number;
  /** Only when a target was given: whether the potential meets it. */
  accepted?: boolean;
  /** Set when the round explored: what the MD found (counts; the frames are candidates). */
  exploration?: ExplorationResult;
  scores: ScoreCandidatesResult;
  /** The candidates to label with DFT before the next round, highest score first. */
  selectedForDft: string[];
  /** What the next round passes as `training.initialPotential` to start warm from this one. */
  nextInitialPotential: string;
}

/**
 * Committees: K potentials trained on bootstrap resamples of one dataset (bagging), for uncertainty
 * estimates in active learning (the spread of their predictions). Pure helpers shared by the workflow,
 * the activities and tests.
 *
 * Why bootstrap resamples: pacemaker starts every coefficient at zero and its optimiser is deterministic,
 * so members that differ only by seed fit the same function, byte for byte, unless a random test split
 * happens to leave different structures out. A member fitted to its own resample (N draws with
 * replacement of the N structures) differs from the others where the data leave the potential
 * undetermined, so the committee's disagreement grows where its error does; the structures a member never
 * drew (about 37 %) are its test set, so no structure is withheld from the committee as a whole. Measured
 * (bench/committee.ts): on held-out structures from easy to hard, the disagreement ranks them by error as
 * well as members with different 10 % test splits do (Spearman 0.83-0.93), and unlike those it singles out
 * the structures predicted wrong by eV/Å (atoms closer than any pair in the data): each resample has its
 * own shortest distance, hence its own onset of the fitted core repulsion.
 */
import { z } from 'zod';
import type { DatasetSummary } from './dataset-summary';
import type { FinalMetrics } from './metrics';
import type { TrainingRequestInput } from './training-request';
import type { TrainingResult } from './training-result';

export const CommitteeSizeSchema = z.number().int().min(2).max(16);

/**
 * How a member's training set is drawn from the committee's dataset. One method today; a name rather than
 * a flag so that the registry says which, and documents written before resampling (without the field)
 * read as members that differed by seed only.
 */
export const CommitteeResampleSchema = z.enum(['bootstrap']);
export type CommitteeResample = z.infer<typeof CommitteeResampleSchema>;

/** What a member's bootstrap resample turned out to be (small numbers: they go into workflow history). */
export interface ResampleSummary {
  method: CommitteeResample;
  /** The member's seed (its trainer.seed): the same seed draws the same resample. */
  seed: number;
  /** Structures drawn (= the dataset's). */
  structures: number;
  /** Different structures among them. */
  distinct: number;
  /** Structures never drawn: the member's test set (0: the member has none). */
  outOfBag: number;
}

/** The input.yaml header line saying what the member is fitted to (testSize does not apply to it). */
export function resampleNote(r: ResampleSummary): string {
  return (
    `Committee member: fitted to a bootstrap resample (seed ${r.seed}) of the committee's ${r.structures} ` +
    `structures (${r.distinct} distinct); its test set is the ${r.outOfBag} out-of-bag structures` +
    `${r.outOfBag === 0 ? ' (none: every structure was drawn)' : ''}, and trainer.testSize does not apply.`
  );
}

/**
 * Set only by trainCommittee for its members: the committee they belong to and the dataset the committee
 * fetched once, on the host that holds it. Not part of the public TrainingRequest.
 */
export interface CommitteeMembership {
  committeeId: string;
  member: number;
  size: number;
  sharedDataset: { hostTaskQueue: string; hostId: string; summary: DatasetSummary };
  /** How the member's training set is drawn from the shared dataset; absent: the whole dataset. */
  resample?: CommitteeResample;
}

/** The default pacemaker seed (python-ace's own default); member i uses seed + i. */
export const DEFAULT_TRAINER_SEED = 42;

export interface Spread {
  mean: number;
  std: number;
  min: number;
  max: number;
}

export interface CommitteeSpread {
  trainEnergyMeVPerAtom: Spread;
  trainForcesMeVPerA: Spread;
  /** Null when the members have no test split. */
  testEnergyMeVPerAtom: Spread | null;
  testForcesMeVPerA: Spread | null;
}

export function spread(values: number[]): Spread {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values) };
}

export function committeeSpread(metrics: FinalMetrics[]): CommitteeSpread {
  const tests = metrics.map((m) => m.test).filter((t) => t !== null);
  const withTest = tests.length === metrics.length;
  return {
    trainEnergyMeVPerAtom: spread(metrics.map((m) => m.train.rmseEnergyMeVPerAtom)),
    trainForcesMeVPerA: spread(metrics.map((m) => m.train.rmseForcesMeVPerA)),
    testEnergyMeVPerAtom: withTest ? spread(tests.map((t) => t.rmseEnergyMeVPerAtom)) : null,
    testForcesMeVPerA: withTest ? spread(tests.map((t) => t.rmseForcesMeVPerA)) : null,
  };
}

/** The request of member i: same data and settings, its own seed (hence its own resample) and registry name. */
export function memberRequest<
  R extends { trainer?: Record<string, unknown>; potentialName?: string; campaign: string },
>(request: R, member: number): R {
  const baseSeed = typeof request.trainer?.seed === 'number' ? request.trainer.seed : DEFAULT_TRAINER_SEED;
  const name = request.potentialName ?? request.campaign;
  return {
    ...request,
    potentialName: `${name}-m${member}`,
    trainer: { ...request.trainer, seed: baseSeed + member },
  };
}

/** trainCommittee's input: the members' TrainingRequest and how many members. */
export interface CommitteeInput {
  request: TrainingRequestInput;
  committeeSize: number;
}

export interface CommitteeResult {
  committeeId: string;
  members: TrainingResult[];
  spread: CommitteeSpread;
}

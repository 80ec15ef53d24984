/**
 * Committees: K potentials trained on the same dataset with different seeds, for uncertainty estimates in
 * active learning (the spread of their predictions). Pure helpers shared by the workflow and tests.
 */
import { z } from 'zod';
import type { FinalMetrics } from './metrics';

export const CommitteeSizeSchema = z.number().int().min(2).max(16);

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

/** The request of member i: same data and settings, its own seed and registry name. */
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

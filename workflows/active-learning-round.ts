/**
 * Example parent workflow: one round of an active-learning loop uses trainPotential as a child and
 * decides from its result whether the potential is good enough to drive the next exploration.
 * Copy it into your own loop; the child's result is the seed's `train()` contract: the .yace path.
 */
import { executeChild, workflowInfo } from '@temporalio/workflow';
import type { TrainingRequestInput } from '../src/training/training-request';
import { trainPotential, type TrainingResult } from './train-potential';

export interface ActiveLearningRoundInput {
  training: TrainingRequestInput;
  /** Accept the potential when its force RMSE (test split if any, else train) is at most this, meV/Å. */
  targetForceRmseMeVPerA: number;
}

export interface ActiveLearningRoundResult {
  potential: TrainingResult;
  forceRmseMeVPerA: number;
  accepted: boolean;
  /** What the loop should do next. */
  next: 'explore-with-this-potential' | 'add-dft-data-and-retrain';
}

export async function activeLearningRound(
  input: ActiveLearningRoundInput,
): Promise<ActiveLearningRoundResult> {
  const potential = await executeChild(trainPotential, {
    args: [input.training],
    // A stable child id per round: a retried parent finds its child instead of starting a second training.
    workflowId: `${workflowInfo().workflowId}/train`,
    staticSummary: `train a potential for campaign ${input.training.campaign}`,
  });
  const split = potential.metrics.test ?? potential.metrics.train;
  const accepted = split.rmseForcesMeVPerA <= input.targetForceRmseMeVPerA;
  return {
    potential,
    forceRmseMeVPerA: split.rmseForcesMeVPerA,
    accepted,
    next: accepted ? 'explore-with-this-potential' : 'add-dft-data-and-retrain',
  };
}

/**
 * activeLearningRound: the body of an active-learning loop, one generation:
 *
 *   trainPotential (or trainCommittee), warm from the previous round's potential when given
 *   → exploreStructures, when `exploration` is given: MD with that potential from the training campaign's
 *     structures, whose extrapolative frames become this round's candidates
 *   → scoreCandidates over this round's candidate structures (extrapolation grade γ; committee disagreement)
 *   → the ids of the candidates worth a DFT calculation
 *
 * The loop around it labels the selected structures with DFT (calculations of the next generation) and
 * starts the next round with `training.initialPotential = result.nextInitialPotential`. Copy it into your
 * own loop or run it as a child. Children have stable ids per round, so a retried round finds them instead
 * of training twice.
 */
import {
  type ActiveLearningRoundResult,
  type ActiveLearningRoundInput,
  type ActiveLearningRound,
  resolveRoundInput,
  type TrainingRequestInput,
} from '../src/api';
import { ApplicationFailure, executeChild, patched, workflowInfo } from '@temporalio/workflow';
import { exploreStructures } from './explore-structures';
import { scoreCandidates } from './score-candidates';
import { trainCommittee } from './train-committee';
import { resolveOnce } from './activity-options';
import { PATCHES } from './patches';
import { trainPotential } from './train-potential';

export type { ActiveLearningRoundInput };

export async function activeLearningRound(
  input: ActiveLearningRoundInput,
): Promise<ActiveLearningRoundResult> {
  // Runs that started before the input was resolved by a local activity still validate in workflow code.
  const resolved = patched(PATCHES.resolveRequestOnce)
    ? await resolveOnce('resolve the round input').resolveRoundInput(input)
    : resolveRoundInput(input);
  if (!resolved.ok) throw ApplicationFailure.nonRetryable(resolved.message, resolved.failureType);
  const round = resolved.request;
  const training = round.training as TrainingRequestInput;
  const { workflowId } = workflowInfo();
  const { potential, committee } = await trainRoundPotential(round, training);

  // A committee explores with member 0: its own active set grades the frames (scoring then ranks them by
  // the whole committee).
  const candidatesCampaign = round.candidates.campaign ?? training.campaign;
  const exploration = round.exploration
    ? await executeChild(exploreStructures, {
        args: [
          {
            potentialId: potential.potentialId,
            campaign: training.campaign,
            candidatesCampaign,
            generation: round.candidates.generation,
            settings: round.exploration,
          },
        ],
        workflowId: `${workflowId}/explore`,
        staticSummary: `explore by MD for candidates of generation ${round.candidates.generation}`,
      })
    : undefined;

  const scores = await executeChild(scoreCandidates, {
    args: [
      {
        potentialId: committee?.committeeId ?? potential.potentialId,
        campaign: candidatesCampaign,
        generation: round.candidates.generation,
        topK: round.selectForDft,
      },
    ],
    workflowId: `${workflowId}/score`,
    staticSummary: `score candidates of generation ${round.candidates.generation}`,
  });
  return roundResult(round, { potential, committee, exploration, scores });
}

/** The round's potential: one trainPotential child, or a trainCommittee child's member 0. */
async function trainRoundPotential(
  round: ActiveLearningRound,
  training: TrainingRequestInput,
): Promise<Pick<ActiveLearningRoundResult, 'potential' | 'committee'>> {
  const { workflowId } = workflowInfo();
  if (round.committeeSize === undefined) {
    const potential = await executeChild(trainPotential, {
      args: [training],
      workflowId: `${workflowId}/train`,
      staticSummary: `train a potential for campaign ${training.campaign}`,
    });
    return { potential };
  }
  const trained = await executeChild(trainCommittee, {
    args: [{ request: training, committeeSize: round.committeeSize }],
    workflowId: `${workflowId}/committee`,
    staticSummary: `train a committee of ${round.committeeSize} for campaign ${training.campaign}`,
  });
  return {
    potential: trained.members[0]!,
    committee: { committeeId: trained.committeeId, memberIds: trained.members.map((m) => m.potentialId) },
  };
}

/** What the round answers: its potential and whether it meets the target, the scores and the DFT picks. */
function roundResult(
  round: ActiveLearningRound,
  done: Pick<ActiveLearningRoundResult, 'potential' | 'committee' | 'exploration' | 'scores'>,
): ActiveLearningRoundResult {
  const { potential, committee, exploration, scores } = done;
  const split = potential.metrics.test ?? potential.metrics.train;
  return {
    potential,
    ...(committee ? { committee } : {}),
    ...(exploration ? { exploration } : {}),
    forceRmseMeVPerA: split.rmseForcesMeVPerA,
    ...(round.targetForceRmseMeVPerA !== undefined
      ? { accepted: split.rmseForcesMeVPerA <= round.targetForceRmseMeVPerA }
      : {}),
    scores,
    selectedForDft: scores.top.map((c) => c.id),
    nextInitialPotential: potential.potentialId,
  };
}

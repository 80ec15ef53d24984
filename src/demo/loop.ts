/**
 * The active-learning loop closed on a demo labeller standing in for DFT (`mlip-train loop-demo`). From a
 * small seeded start, each generation runs activeLearningRound with exploration (train warm from the
 * previous generation → MD in LAMMPS → score → select), then labels the selected frames into the next
 * generation's data. Per generation it reports what a user judges a loop by: the potential's force error
 * on held-out structures the campaign never holds (the labeller's own sequence for another seed), the
 * share of MD frames where it extrapolates (γ above the lower bound), and how many structures were
 * labelled.
 *
 * Idempotent: the seeding and labelling skip what is there, and each generation's round has a fixed
 * workflow id that is never run twice (a second run reads the finished rounds' results), so an interrupted
 * demo continues where it stopped.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import path from 'node:path';
import { z } from 'zod';
import {
  MlipCampaign,
  type ActiveLearningRoundResult,
  type ExplorationSettingsInput,
  type TrainerParamsInput,
} from '../api';
import { PYTHON_ANALYSIS_DIR } from '../config';
import { runPythonHelperForSummary } from '../process';
import { labelDemo, labelDemoRefusal } from './label';
import { LABELLERS, type DemoEnv, type LabellerName } from './labellers';
import { seedDemo } from './seed';

/** A loop's campaign when none is given: its own, apart from seed-demo's. */
export const LOOP_DEMO_CAMPAIGNS: Record<LabellerName, string> = {
  emt: 'demo-loop-cu',
  'kumagai-si': 'demo-loop-si',
  'erhart-albe-sic': 'demo-loop-sic',
};
/** The seed of the held-out structures: the loop's campaign is seed 0, so these are never in it. */
export const HOLDOUT_SEED = 1;

export interface LoopDemoOptions {
  labeller: LabellerName;
  campaign: string;
  generations: number;
  /** Structures seeded before the first round. */
  start: number;
  /** Held-out structures the force error is measured on. */
  holdout: number;
  /** Frames labelled per generation. */
  select: number;
  functions: number;
  maxIterations: number;
  exploration: ExplorationSettingsInput;
}

/** What the loop reads of python/mlip_autopipe/analysis/raw_energy_errors.py's summary line. */
const HeldOutSummarySchema = z.object({
  structures: z.number().int(),
  rmseForcesMeVPerA: z.number(),
  rmseEnergyMeVPerAtom: z.number(),
});

export interface GenerationReport {
  generation: number;
  potentialId: string;
  trainStructures: number;
  heldOut: z.infer<typeof HeldOutSummarySchema>;
  md: {
    framesSampled: number;
    framesExtrapolative: number;
    extrapolativeFraction: number;
    runs: number;
    runsStopped: number;
  };
  candidatesWritten: number;
  labelled: number;
}

export interface LoopDemoDeps {
  client: Client;
  taskQueue: string;
  env: DemoEnv;
}

export interface LoopDemoEvents {
  /** The start is seeded; the rounds begin. */
  seeded(): void;
  generation(report: GenerationReport): void;
}

/** Force and energy RMSE of a published .yace on the held-out structures (raw_energy_errors.py). */
function heldOutErrors(python: string, yace: string, o: LoopDemoOptions) {
  const args = [
    yace,
    '--labeller',
    o.labeller,
    '--seed',
    String(HOLDOUT_SEED),
    '--start',
    '0',
    '--count',
    String(o.holdout),
  ];
  const script = path.join(PYTHON_ANALYSIS_DIR, 'raw_energy_errors.py');
  return runPythonHelperForSummary({ python }, script, args, HeldOutSummarySchema);
}

export function formatGeneration(r: GenerationReport): string {
  const md = r.md;
  return (
    `generation ${r.generation}: ${r.potentialId} on ${r.trainStructures} structures — held-out forces ` +
    `${r.heldOut.rmseForcesMeVPerA.toFixed(1)} meV/Å (energies ${r.heldOut.rmseEnergyMeVPerAtom.toFixed(1)} meV/atom, ` +
    `${r.heldOut.structures} structures); MD: ${md.framesExtrapolative} of ${md.framesSampled} frames extrapolative ` +
    `(${(100 * md.extrapolativeFraction).toFixed(1)} %), ${md.runsStopped} of ${md.runs} runs stopped; ` +
    `${r.labelled} labelled`
  );
}

/** One generation's round, run once: a second run of the demo reads its result instead. */
async function round(
  deps: LoopDemoDeps,
  o: LoopDemoOptions,
  generation: number,
  previous: string | undefined,
): Promise<ActiveLearningRoundResult> {
  const trainer: TrainerParamsInput = {
    ace: { functionsPerElement: o.functions },
    optimizer: { maxIterations: o.maxIterations },
  };
  const workflowId = `loop-demo-${o.campaign}-g${generation}`;
  const args = {
    training: {
      campaign: o.campaign,
      potentialName: o.campaign,
      trainer,
      ...(previous ? { initialPotential: previous } : {}),
    },
    exploration: o.exploration,
    candidates: { generation },
    selectForDft: o.select,
  };
  try {
    return await deps.client.workflow.execute('activeLearningRound', {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [args],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `loop demo: generation ${generation} of ${o.campaign}`,
      typedSearchAttributes: [{ key: MlipCampaign, value: o.campaign }],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return (await deps.client.workflow.getHandle(workflowId).result()) as ActiveLearningRoundResult;
  }
}

export async function runLoopDemo(o: LoopDemoOptions, deps: LoopDemoDeps, on: LoopDemoEvents): Promise<void> {
  const { env } = deps;
  const seeded = await seedDemo(
    {
      labeller: o.labeller,
      campaign: o.campaign,
      elements: LABELLERS[o.labeller].defaultElements,
      count: o.start,
      seed: 0,
      start: 0,
      generation: 0,
      append: true,
    },
    env,
  );
  if (seeded.refused) throw new Error(`campaign '${o.campaign}' could not be seeded`);
  on.seeded();
  let previous: string | undefined;
  for (let generation = 1; generation <= o.generations; generation++) {
    const result = await round(deps, o, generation, previous);
    // Nothing selected: the MD found no frame above the lower bound, and nothing is left to label.
    let labelled = 0;
    if (result.selectedForDft.length > 0) {
      const label = { campaign: o.campaign, generation, labeller: o.labeller, ids: result.selectedForDft };
      const answer = await labelDemo(label, env);
      if (!answer.ok)
        throw new Error(
          `labelling generation ${generation}'s selection: ${labelDemoRefusal(answer, label, env.MLIP_DB)}`,
        );
      labelled = answer.labelled + answer.alreadyPresent;
    }
    const exploration = result.exploration!;
    on.generation({
      generation,
      potentialId: result.potential.potentialId,
      trainStructures: result.potential.dataset.structures,
      heldOut: await heldOutErrors(env.MLIP_PYTHON, result.potential.potentialPath, o),
      md: {
        framesSampled: exploration.framesSampled,
        framesExtrapolative: exploration.framesExtrapolative,
        extrapolativeFraction: exploration.extrapolativeFraction,
        runs: exploration.runs,
        runsStopped: exploration.runsStopped,
      },
      candidatesWritten: exploration.candidatesWritten,
      labelled,
    });
    previous = result.nextInitialPotential;
  }
}

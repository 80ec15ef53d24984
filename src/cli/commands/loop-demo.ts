/**
 * `mlip-train loop-demo`: the active-learning loop closed, on a demo labeller standing in for DFT. From a
 * small start (seed-demo), each generation runs activeLearningRound with exploration (train warm from the
 * previous generation → MD in LAMMPS → score → select), then labels the selected frames (label-demo) into
 * the next generation's data. Per generation it prints what a user judges a loop by: the potential's
 * force error on held-out structures the campaign never holds (the labeller's own sequence for another
 * seed), the share of MD frames where it extrapolates (γ above the lower bound), and how many structures
 * were labelled.
 *
 * Idempotent: the seeding and labelling skip what is there, and each generation's round has a fixed
 * workflow id that is never run twice (a second invocation reads the finished rounds' results), so an
 * interrupted demo continues where it stopped.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { z } from 'zod';
import { loadEnv } from '../../config';
import type { ActiveLearningRoundResult, ExplorationSettingsInput, TrainerParamsInput } from '../../api';
import { MlipCampaign } from '../../api';
import { runPythonHelperForSummary } from '../../process';
import { intFlag, parseCommandArgs } from '../args';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';
import { connectTemporal, TEMPORAL_ENV_HELP } from '../trainings';
import { labelDemoCommand } from './label-demo';
import { seedDemoCommand } from './seed-demo';

const usage = `Usage: mlip-train loop-demo [options]

Runs an active-learning loop end to end on a demo labeller (standing in for DFT), one activeLearningRound
per generation: train (warm from the previous generation) → explore by MD in LAMMPS (pair_style
pace/extrapolation) → score the frames → select the most extrapolative → label them (label-demo) into
the campaign's next generation. Prints per generation: the potential's force error on held-out
structures (the labeller's sequence for seed 1; the campaign holds seed 0's), the share of MD frames
above the lower γ bound, the runs stopped above the upper one, and the structures labelled.

Needs a worker (npm run worker, or npm run demo's) and the local services. Idempotent: a second run reads
the generations already done and continues.

Options:
  --labeller NAME     emt|kumagai-si|erhart-albe-sic (default: emt)
  --campaign NAME     campaign (default: demo-loop-cu, demo-loop-si, demo-loop-sic)
  --generations G     rounds to run (default: 3)
  --start N           structures seeded before the first round (default: 20)
  --holdout N         held-out structures the force error is measured on (default: 30)
  --select K          frames labelled per generation (default: 10)
  --functions F       ACE basis functions per element (default: 30)
  --max-iterations I  pacemaker iterations per fit (default: 100)
  --temperatures T,.. MD thermostat temperatures, K (default: 300,1000)
  --steps S           MD steps per run (default: 2000)
  --seeds N           structures each generation starts MD from (default: 4)
  --json              print one JSON object per generation instead of text

${TEMPORAL_ENV_HELP}
Also: MONGODB_URI, MLIP_DB, MLIP_TASK_QUEUE, MLIP_PYTHON.
Exit codes: 0 done, 1 failed (a round failed, no worker), 2 usage.`;

const DEFAULT_CAMPAIGNS = {
  emt: 'demo-loop-cu',
  'kumagai-si': 'demo-loop-si',
  'erhart-albe-sic': 'demo-loop-sic',
};
type Labeller = keyof typeof DEFAULT_CAMPAIGNS;
/** The seed of the held-out structures: seed-demo's campaign is seed 0, so these are never in it. */
const HOLDOUT_SEED = 1;

/** What loop-demo reads of python/raw_energy_errors.py's summary line (it prints more). */
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

interface Options {
  labeller: Labeller;
  campaign: string;
  generations: number;
  start: number;
  holdout: number;
  select: number;
  functions: number;
  maxIterations: number;
  exploration: ExplorationSettingsInput;
  json: boolean;
}

function positive(name: string, value: string | undefined, fallback: number, max = 100_000): number {
  const n = intFlag(name, value) ?? fallback;
  if (n < 1 || n > max) throw new UsageError(`--${name} must be an integer from 1 to ${max}, got ${n}`);
  return n;
}

export function loopDemoOptions(args: string[]): Options {
  const { values } = parseCommandArgs(args, {
    labeller: { type: 'string' },
    campaign: { type: 'string' },
    generations: { type: 'string' },
    start: { type: 'string' },
    holdout: { type: 'string' },
    select: { type: 'string' },
    functions: { type: 'string' },
    'max-iterations': { type: 'string' },
    temperatures: { type: 'string' },
    steps: { type: 'string' },
    seeds: { type: 'string' },
    json: { type: 'boolean' },
  });
  const labeller = (values.labeller ?? 'emt') as Labeller;
  if (!Object.hasOwn(DEFAULT_CAMPAIGNS, labeller))
    throw new UsageError(
      `--labeller must be one of ${Object.keys(DEFAULT_CAMPAIGNS).join(', ')}, got '${labeller}'`,
    );
  const temperaturesK = (values.temperatures ?? '300,1000').split(',').map((t) => Number(t.trim()));
  if (temperaturesK.some((t) => !Number.isFinite(t) || t <= 0))
    throw new UsageError(
      `--temperatures must be positive numbers separated by commas, got '${values.temperatures}'`,
    );
  return {
    labeller,
    campaign: values.campaign?.trim() || DEFAULT_CAMPAIGNS[labeller],
    generations: positive('generations', values.generations, 3, 20),
    start: positive('start', values.start, 20),
    holdout: positive('holdout', values.holdout, 30, 10_000),
    select: positive('select', values.select, 10, 1000),
    functions: positive('functions', values.functions, 30, 2000),
    maxIterations: positive('max-iterations', values['max-iterations'], 100, 100_000),
    exploration: {
      temperaturesK,
      steps: positive('steps', values.steps, 2000, 10_000_000),
      seeds: { count: positive('seeds', values.seeds, 4, 1000) },
    },
    json: values.json ?? false,
  };
}

/** Runs another command in-process, keeping its output; a failure ends the demo with that output. */
async function runCommand(command: CliCommand, args: string[], io: CliIo): Promise<string[]> {
  const lines: string[] = [];
  const code = await command.run(args, { out: (l) => lines.push(l), err: (l) => lines.push(l), env: io.env });
  if (code !== ExitCode.Ok)
    throw new Error(`mlip-train ${command.name} ${args.join(' ')} failed:\n${lines.join('\n')}`);
  return lines;
}

/** Force and energy RMSE of a published .yace on the held-out structures (python/raw_energy_errors.py). */
function heldOutErrors(python: string, yace: string, o: Options) {
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
  return runPythonHelperForSummary({ python }, 'raw_energy_errors.py', args, HeldOutSummarySchema);
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

async function run(args: string[], io: CliIo): Promise<number> {
  const o = loopDemoOptions(args);
  const env = loadEnv(io.env);
  const trainer: TrainerParamsInput = {
    ace: { functionsPerElement: o.functions },
    optimizer: { maxIterations: o.maxIterations },
  };
  await runCommand(
    seedDemoCommand,
    ['--labeller', o.labeller, '--campaign', o.campaign, '--count', String(o.start), '--append'],
    io,
  );
  if (!o.json)
    io.out(
      `campaign ${o.campaign}: ${o.start} ${o.labeller}-labelled structures to start from; ${o.generations} generations, ` +
        `${o.select} labelled each; held-out: ${o.holdout} structures of seed ${HOLDOUT_SEED}`,
    );
  const session = await connectTemporal(env);
  try {
    let previous: string | undefined;
    for (let generation = 1; generation <= o.generations; generation++) {
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
      let round: ActiveLearningRoundResult;
      try {
        round = await session.client.workflow.execute('activeLearningRound', {
          taskQueue: env.MLIP_TASK_QUEUE,
          workflowId,
          args: [args],
          // A generation runs once: a second invocation reads its result instead.
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          staticSummary: `loop demo: generation ${generation} of ${o.campaign}`,
          typedSearchAttributes: [{ key: MlipCampaign, value: o.campaign }],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        round = (await session.client.workflow.getHandle(workflowId).result()) as ActiveLearningRoundResult;
      }
      // Nothing selected: the MD found no frame above the lower bound, and nothing is left to label.
      const labelArgs = [
        '--labeller',
        o.labeller,
        '--campaign',
        o.campaign,
        '--generation',
        String(generation),
      ];
      const label =
        round.selectedForDft.length === 0
          ? []
          : await runCommand(labelDemoCommand, [...labelArgs, '--json', ...round.selectedForDft], io);
      const labelled = JSON.parse(label.at(-1) ?? '{}') as { labelled?: number; alreadyPresent?: number };
      const exploration = round.exploration!;
      const report: GenerationReport = {
        generation,
        potentialId: round.potential.potentialId,
        trainStructures: round.potential.dataset.structures,
        heldOut: await heldOutErrors(env.MLIP_PYTHON, round.potential.potentialPath, o),
        md: {
          framesSampled: exploration.framesSampled,
          framesExtrapolative: exploration.framesExtrapolative,
          extrapolativeFraction: exploration.extrapolativeFraction,
          runs: exploration.runs,
          runsStopped: exploration.runsStopped,
        },
        candidatesWritten: exploration.candidatesWritten,
        labelled: (labelled.labelled ?? 0) + (labelled.alreadyPresent ?? 0),
      };
      io.out(o.json ? JSON.stringify(report) : formatGeneration(report));
      previous = round.nextInitialPotential;
    }
    return ExitCode.Ok;
  } finally {
    await session.close();
  }
}

export const loopDemoCommand: CliCommand = {
  name: 'loop-demo',
  summary:
    'run an active-learning loop on a demo labeller: train → explore by MD → select → label, per generation',
  usage,
  run,
};

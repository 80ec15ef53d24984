/**
 * `mlip-train loop-demo`: the active-learning loop closed on a demo labeller (src/demo runs it; this file
 * reads the flags, connects to Temporal and prints each generation).
 */
import { loadEnv } from '../../config';
import {
  formatGeneration,
  HOLDOUT_SEED,
  isLabellerName,
  LOOP_DEMO_CAMPAIGNS,
  runLoopDemo,
  type LoopDemoOptions,
} from '../../demo';
import { intFlag, parseCommandArgs } from '../args';
import { ExitCode, UsageError, type CliCommand, type CliIo } from '../command';
import { connectTemporal, TEMPORAL_ENV_HELP } from '../trainings';

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

function positive(name: string, value: string | undefined, fallback: number, max = 100_000): number {
  const n = intFlag(name, value) ?? fallback;
  if (n < 1 || n > max) throw new UsageError(`--${name} must be an integer from 1 to ${max}, got ${n}`);
  return n;
}

export function loopDemoOptions(args: string[]): LoopDemoOptions & { json: boolean } {
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
  const labeller = values.labeller ?? 'emt';
  if (!isLabellerName(labeller))
    throw new UsageError(
      `--labeller must be one of ${Object.keys(LOOP_DEMO_CAMPAIGNS).join(', ')}, got '${labeller}'`,
    );
  const temperaturesK = (values.temperatures ?? '300,1000').split(',').map((t) => Number(t.trim()));
  if (temperaturesK.some((t) => !Number.isFinite(t) || t <= 0))
    throw new UsageError(
      `--temperatures must be positive numbers separated by commas, got '${values.temperatures}'`,
    );
  return {
    labeller,
    campaign: values.campaign?.trim() || LOOP_DEMO_CAMPAIGNS[labeller],
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

async function run(args: string[], io: CliIo): Promise<number> {
  const { json, ...o } = loopDemoOptions(args);
  const env = loadEnv(io.env);
  const session = await connectTemporal(env);
  try {
    await runLoopDemo(
      o,
      { client: session.client, taskQueue: env.MLIP_TASK_QUEUE, env },
      {
        seeded: () => {
          if (!json)
            io.out(
              `campaign ${o.campaign}: ${o.start} ${o.labeller}-labelled structures to start from; ${o.generations} generations, ` +
                `${o.select} labelled each; held-out: ${o.holdout} structures of seed ${HOLDOUT_SEED}`,
            );
        },
        generation: (report) => io.out(json ? JSON.stringify(report) : formatGeneration(report)),
      },
    );
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

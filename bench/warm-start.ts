/**
 * `npm run bench -- warm-start [--gen0 80] [--gen1 40] [--iterations 150] [--functions F] [--seed 0] [--keep]`:
 * what a warm start (TrainingRequest.initialPotential) saves on generation N+1 of an active-learning loop.
 *
 * The real pipeline, as bench/fidelity.ts runs it: its own ephemeral Temporal dev server and MongoDB-wire
 * server, a training worker in this process (production cadences), Kumagai silicon seeded through the
 * real CLI: generation 0 = the first --gen0 structures, generation 1 = --gen1 more of the same sequence
 * (`seed-demo --start --generation 1 --append`). Three trainPotential runs, one after the other, with the
 * same TrainerParams (the defaults, maxIterations = --iterations, functionsPerElement = --functions if
 * given):
 *   1. generation 0 from zero (selection.maxGeneration 0) → si-gen@v1, the parent;
 *   2. the COLD fit: generations 0 + 1 from zero → si-cold@v1;
 *   3. the WARM fit: generations 0 + 1 with initialPotential si-gen@v1 → si-gen@v2.
 * Runs 2 and 3 fit the same structures (same data, same seed: the same test split). The target is the cold
 * fit's final train RMSE (the last row of its fit-metrics.txt, pacemaker's per-iteration metrics). From
 * the warm fit's fit-metrics.txt and the timestamps of pacemaker's log lines, the bench reports the first
 * iteration at which the warm fit reaches the target (energy, forces, both, and the loss) and the time from
 * pacemaker's first log line to that iteration, against the cold fit's iterations and time to its end;
 * the whole workflows' wall times and the held-out test RMSEs of both. Figures and ratios are printed and
 * written to bench/out/warm-start-*.json.
 */
import {
  type TrainingResult,
  resolveTrainerParams,
  type TrainerParamsInput,
  type TrainingRequestInput,
} from '../src/api';
import { TRAINER_FILES } from '../src/artefact-names';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseMetricsTable, type MetricsRow } from '../src/pacemaker';
import { startInProcessWorkers, type InProcessWorkers } from '../worker';
import { trainPotential } from '../workflows/train-potential';
import { startBenchServices } from './bench-worker';
import { intOption, optionalIntOption } from './options';
import { fmt, writeSummary } from './pacemaker-fit';
import { seedDemo } from './seed-demo';

const CAMPAIGN = 'bench-warm-start';

/**
 * pacemaker's log: `2026-11-29 01:56:11,131 - pyace.metrics_aggregator - INFO - Iteration   #1 ...` (and
 * `... - Initial state:#0 ...`); every display_step iterations the line is instead a timestamped empty
 * message followed by a FIT STATS block whose line `Iteration:  #N` names the iteration (a TEST STATS block
 * repeats it for the test set).
 */
const STAMP = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) /;
const ONE_LINE = /(?:- INFO - |\bI - )(?:(Initial state)|Iteration\s+#(\d+)\s)/;
const BLOCK_ITERATION = /^Iteration:\s+#(\d+)\s/;

const stampMs = (date: string, ms: string) => new Date(`${date.replace(' ', 'T')}.${ms}Z`).getTime();

/** Seconds from pacemaker's first log line to each iteration's line (iteration 0: "Initial state"). */
export function iterationTimes(log: string): { toInitialS: number; at: Map<number, number> } {
  let t0: number | undefined;
  let last: number | undefined;
  let block: 'fit' | 'test' | undefined;
  const at = new Map<number, number>();
  const record = (iteration: number) => {
    if (last !== undefined && t0 !== undefined && !at.has(iteration)) at.set(iteration, (last - t0) / 1000);
  };
  for (const line of log.split('\n')) {
    const stamp = STAMP.exec(line);
    if (stamp) {
      last = stampMs(stamp[1]!, stamp[2]!);
      t0 ??= last;
      block = undefined;
      const m = ONE_LINE.exec(line);
      if (m) record(m[1] ? 0 : Number(m[2]));
      continue;
    }
    if (line.includes('FIT STATS')) block = 'fit';
    else if (line.includes('TEST STATS')) block = 'test';
    const m = BLOCK_ITERATION.exec(line);
    if (m && block === 'fit') record(Number(m[1]));
  }
  if (t0 === undefined) throw new Error('pacemaker.log has no timestamped line');
  return { toInitialS: at.get(0) ?? NaN, at };
}

/** First row (in fit order) meeting `ok`; undefined when none does. */
export function firstReaching(rows: MetricsRow[], ok: (r: MetricsRow) => boolean): MetricsRow | undefined {
  return rows.find(ok);
}

interface FitFigures {
  potentialId: string;
  workflowS: number;
  iterations: number;
  /** pacemaker's first log line → its last iteration line. */
  fitToEndS: number;
  /** pacemaker's first log line → "Initial state" (start-up: data, neighbour lists, TensorFlow graph). */
  startupS: number;
  rows: MetricsRow[];
  times: Map<number, number>;
  result: TrainingResult;
}

async function runTraining(
  workers: InProcessWorkers,
  taskQueue: string,
  label: string,
  request: TrainingRequestInput,
): Promise<FitFigures> {
  console.log(`  ${label}: trainPotential ${JSON.stringify(request)}`);
  const t0 = performance.now();
  const result = await workers.client.workflow.execute(trainPotential, {
    taskQueue,
    workflowId: `bench-warm-start-${label}-${Date.now()}`,
    args: [request],
  });
  const workflowS = (performance.now() - t0) / 1000;
  const dir = path.dirname(result.potentialPath);
  const rows = parseMetricsTable(fs.readFileSync(path.join(dir, 'fit-metrics.txt'), 'utf8'));
  const { at, toInitialS } = iterationTimes(fs.readFileSync(path.join(dir, TRAINER_FILES.log), 'utf8'));
  const last = rows.at(-1)!;
  const figures: FitFigures = {
    potentialId: result.potentialId,
    workflowS,
    iterations: last.iteration,
    fitToEndS: at.get(last.iteration) ?? NaN,
    startupS: toInitialS,
    rows,
    times: at,
    result,
  };
  console.log(
    `    → ${result.potentialId} in ${fmt(workflowS)} s: ${figures.iterations} iterations, loss ` +
      `${rows[0]!.loss.toExponential(3)} → ${last.loss.toExponential(3)}, train RMSE E ` +
      `${fmt(last.rmseEnergyMeVPerAtom, 2)} meV/atom, F ${fmt(last.rmseForcesMeVPerA)} meV/Å`,
  );
  return figures;
}

export async function run(args: string[]): Promise<number> {
  const gen0 = intOption(args, 'gen0', 80);
  const gen1 = intOption(args, 'gen1', 40);
  const iterations = intOption(args, 'iterations', 150);
  const seed = intOption(args, 'seed', 0, true);
  const functions = optionalIntOption(args, 'functions');
  const keep = args.includes('--keep');
  const trainer: TrainerParamsInput = {
    optimizer: { maxIterations: iterations },
    ...(functions !== undefined ? { ace: { functionsPerElement: functions } } : {}),
  };
  const resolved = resolveTrainerParams(trainer);
  const cpus = os.cpus().length;
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlip-bench-warm-start-'));
  console.log(
    `bench warm-start: Kumagai silicon, generation 0 = ${gen0} structures, generation 1 = ${gen1} more ` +
      `(seed ${seed}); trainer ${JSON.stringify(trainer)} (${resolved.backend.evaluator}, ` +
      `${resolved.ace.functionsPerElement} functions/element, order ${resolved.ace.correlationOrder}, test ` +
      `split ${resolved.testSize}); ${cpus} CPU core(s), load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; work dir ${outDir}`,
  );

  const services = await startBenchServices('bench-warm-start', outDir);
  const { env } = services;
  let workers: InProcessWorkers | undefined;
  try {
    for (const [count, extra] of [
      [gen0, []],
      [gen1, ['--start', String(gen0), '--generation', '1', '--append']],
    ] as const) {
      const seeded = await seedDemo(env, { labeller: 'kumagai-si', campaign: CAMPAIGN, count, seed, extra });
      console.log(`  seeded: ${seeded}`);
    }
    workers = await startInProcessWorkers(env);
    const q = env.MLIP_TASK_QUEUE;

    const parent = await runTraining(workers, q, 'gen0', {
      campaign: CAMPAIGN,
      potentialName: 'si-gen',
      selection: { maxGeneration: 0 },
      trainer,
    });
    const cold = await runTraining(workers, q, 'cold', {
      campaign: CAMPAIGN,
      potentialName: 'si-cold',
      trainer,
    });
    const warm = await runTraining(workers, q, 'warm', {
      campaign: CAMPAIGN,
      potentialName: 'si-gen',
      initialPotential: parent.potentialId,
      trainer,
    });

    const target = cold.rows.at(-1)!;
    const criteria: [string, (r: MetricsRow) => boolean][] = [
      ['energy RMSE', (r) => r.rmseEnergyMeVPerAtom <= target.rmseEnergyMeVPerAtom],
      ['force RMSE', (r) => r.rmseForcesMeVPerA <= target.rmseForcesMeVPerA],
      [
        'both RMSEs',
        (r) =>
          r.rmseEnergyMeVPerAtom <= target.rmseEnergyMeVPerAtom &&
          r.rmseForcesMeVPerA <= target.rmseForcesMeVPerA,
      ],
      ['loss', (r) => r.loss <= target.loss],
    ];
    const reached = criteria.map(([what, ok]) => {
      const row = firstReaching(warm.rows, ok);
      const timeS = row ? (warm.times.get(row.iteration) ?? NaN) : null;
      return { what, iteration: row?.iteration ?? null, timeS };
    });

    const coldTest = cold.result.metrics.test;
    const warmTest = warm.result.metrics.test;
    console.log('');
    console.log(
      `summary: generation 1 = ${cold.result.dataset.structures} structures / ${cold.result.dataset.atoms} atoms ` +
        `(${cold.result.metrics.train.structures} fitted, ${coldTest?.structures ?? 0} held out); ${cpus} core(s); ` +
        `timings are of one run on a shared machine`,
    );
    console.log(
      `  target: the cold fit's final train RMSE E ${fmt(target.rmseEnergyMeVPerAtom, 2)} meV/atom, ` +
        `F ${fmt(target.rmseForcesMeVPerA)} meV/Å (loss ${target.loss.toExponential(3)}) after ` +
        `${cold.iterations} iterations, ${fmt(cold.fitToEndS)} s from pacemaker's first log line ` +
        `(${fmt(cold.startupS)} s of it start-up)`,
    );
    console.log(
      `  warm start at iteration 0: train RMSE E ${fmt(warm.rows[0]!.rmseEnergyMeVPerAtom, 2)} meV/atom, F ` +
        `${fmt(warm.rows[0]!.rmseForcesMeVPerA)} meV/Å, loss ${warm.rows[0]!.loss.toExponential(3)} ` +
        `(cold at iteration 0: E ${fmt(cold.rows[0]!.rmseEnergyMeVPerAtom, 2)}, F ` +
        `${fmt(cold.rows[0]!.rmseForcesMeVPerA)}, loss ${cold.rows[0]!.loss.toExponential(3)})`,
    );
    console.log(
      '  warm start reaches the cold final   iterations (ratio to cold)   time from pacemaker start (ratio)',
    );
    for (const r of reached)
      console.log(
        `    ${r.what.padEnd(34)} ` +
          (r.iteration === null
            ? `not within ${warm.iterations} iterations`
            : `${String(r.iteration).padStart(5)}  (${fmt(r.iteration / cold.iterations, 3)})`.padEnd(26) +
              `${fmt(r.timeS).padStart(8)} s  (${fmt(r.timeS! / cold.fitToEndS, 3)})`),
      );
    console.log(
      `  whole workflows: cold ${fmt(cold.workflowS)} s, warm ${fmt(warm.workflowS)} s (both ran ` +
        `${iterations} iterations max; the warm one's final train RMSE E ` +
        `${fmt(warm.rows.at(-1)!.rmseEnergyMeVPerAtom, 2)} meV/atom, F ${fmt(warm.rows.at(-1)!.rmseForcesMeVPerA)} meV/Å)`,
    );
    console.log(
      `  held-out test RMSE (E meV/atom / F meV/Å): cold ${fmt(coldTest?.rmseEnergyMeVPerAtom, 2)} / ` +
        `${fmt(coldTest?.rmseForcesMeVPerA)}, warm ${fmt(warmTest?.rmseEnergyMeVPerAtom, 2)} / ` +
        `${fmt(warmTest?.rmseForcesMeVPerA)}; generation 0 parent ${parent.potentialId}: ${parent.iterations} ` +
        `iterations, ${fmt(parent.workflowS)} s`,
    );
    const strip = (f: FitFigures) => ({
      potentialId: f.potentialId,
      workflowS: f.workflowS,
      iterations: f.iterations,
      fitToEndS: f.fitToEndS,
      startupS: f.startupS,
      first: f.rows[0],
      last: f.rows.at(-1),
      metrics: f.result.metrics,
      dataset: f.result.dataset,
    });
    const file = writeSummary('warm-start', {
      bench: 'warm-start',
      cpus,
      loadAverage: os.loadavg(),
      gen0,
      gen1,
      seed,
      trainer,
      parent: strip(parent),
      cold: strip(cold),
      warm: strip(warm),
      target,
      reached,
    });
    console.log(`  summary written to ${file}`);
    return 0;
  } finally {
    await workers?.stop();
    await services.stop();
    if (!keep) fs.rmSync(outDir, { recursive: true, force: true });
    else console.log(`  kept ${outDir}`);
  }
}

/**
 * `npm run bench -- fidelity [--labeller kumagai-si|erhart-albe-sic] [--structures 550|300] [--seed 0]
 * [--check 100] [--check-seed S] [--iterations K] [--poll 30] [--keep]`: whether the DEFAULT PIPELINE, on
 * realistic data (one element: Kumagai silicon, 550 structures; two: Erhart–Albe silicon–carbon across
 * compositions, 300), reaches the acceptance targets: held-out energy RMSE < 5 meV/atom and force RMSE
 * < 100 meV/Å, within 30 minutes on 2 cores.
 *
 * Pipeline mode (the default) runs the product end to end, as bench/orchestration.ts does: its own
 * ephemeral Temporal dev server and MongoDB-wire server (src/dev-services), a campaign seeded
 * through the real CLI (`mlip-train seed-demo --labeller L --count N --seed S`), a training worker in this process
 * (createTrainingWorkers, production cadences), and the trainPotential workflow started with
 * `{ campaign }` ONLY: every default applies, the 10 % test split included, which the pipeline holds out
 * from the fit. While it runs, the workflow's `progress` query is printed every --poll seconds. It reports
 * the workflow's wall time (start → result), each step's share (from its history), pacemaker's own fit
 * time (its published log), the iterations done, the train and held-out RMSE of energy (meV/atom) and
 * forces (meV/Å) from result.metrics (test = the pipeline's own held-out split, never fitted), and
 * PASS/FAIL against the targets, and the errors per composition class. As an independent check it then
 * evaluates the PUBLISHED .yace with pyace (python/mlip_autopipe/analysis/raw_energy_errors.py) on --check
 * more structures generated from another seed (--check-seed, default seed + 1) against their raw total
 * energies, and measures it just inside the campaign's shortest distances
 * (python/mlip_autopipe/analysis/short_distance.py: one pair pushed to 85-100 % of its shortest distance,
 * per-structure force RMSE, and one pair's compression curve). --iterations K sets
 * `trainer.optimizer.maxIterations` for a smoke check only: the figures are then not the defaults'.
 *
 * `npm run bench -- fidelity --direct [--train 400] [--test 100] [--seed 0] [--iterations K]
 * [--labeller kumagai-si|erhart-albe-sic] [--keep]`: no Temporal. --train structures of Kumagai silicon (or
 * Erhart–Albe silicon–carbon; bench/labelled_dataset.py) and --test held-out ones
 * from the same distribution; the input.yaml is the product's (resolveTrainerParams({}) →
 * buildPacemakerDocument → renderPacemakerYaml) with the data pointed at the train pickle and the held-out
 * pickle as data.test_filename (which replaces the default test_size split, so the fit sees every training
 * structure); pacemaker runs directly in a folder of its own. Prints wall time, iterations done, train and
 * held-out RMSE and whether the held-out errors meet the targets.
 */
import {
  type TrainingResult,
  type SplitErrors,
  type TrainingProgress,
  resolveTrainerParams,
  type TrainerParamsInput,
} from '../src/api';
import { PUBLISHED_FILES } from '../src/artefact-names';
import type { WorkflowHandle } from '@temporalio/client';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { breakdownLines, readTrainingProgress } from '../src/cli';
import { PYTHON_ANALYSIS_DIR } from '../src/config';
import { yaceReferenceEnergies } from '../src/pacemaker';
import { startInProcessWorkers } from '../worker';
import { trainPotential } from '../workflows/train-potential';
import { startBenchServices } from './bench-worker';
import { choiceOption, intOption, optionalIntOption } from './options';
import {
  fitInput,
  fmt,
  describeDataset,
  makeLabelledDataset,
  pacemakerInput,
  writeSummary,
  BENCH_LABELLERS,
  type BenchLabeller,
} from './pacemaker-fit';
import { runJsonCommand } from './run-command';
import { seedDemo } from './seed-demo';

/** Targets for a usable potential of this data: held-out RMSE, and the default pipeline's wall time. */
const TARGET_ENERGY_MEV_PER_ATOM = 5;
const TARGET_FORCES_MEV_PER_A = 100;
const TARGET_WALL_S = 30 * 60;
/** The acceptance criterion's machine. */
const TARGET_CORES = 2;
/** Campaign sizes of the acceptance criteria: ~550 structures of silicon, ~300 of silicon–carbon. */
const DEFAULT_STRUCTURES: Record<BenchLabeller, number> = { 'kumagai-si': 550, 'erhart-albe-sic': 300 };
const CAMPAIGN = 'bench-fidelity';

export async function run(args: string[]): Promise<number> {
  return args.includes('--direct') ? runDirect(args) : runPipeline(args);
}

/** Temporal event timestamps → ms. */
function eventMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;
const passFail = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** Scheduled → completed of each activity of a finished workflow, seconds (summed if one ran twice). */
async function stepTimes(handle: WorkflowHandle): Promise<Record<string, number>> {
  const history = await handle.fetchHistory();
  const scheduled = new Map<string, { type: string; at: number }>();
  const steps: Record<string, number> = {};
  for (const e of history.events ?? []) {
    const a = e.activityTaskScheduledEventAttributes;
    if (a) scheduled.set(String(e.eventId), { type: a.activityType?.name ?? '?', at: eventMs(e.eventTime) });
    const c = e.activityTaskCompletedEventAttributes;
    const from = c && scheduled.get(String(c.scheduledEventId));
    if (from) steps[from.type] = (steps[from.type] ?? 0) + (eventMs(e.eventTime) - from.at) / 1000;
  }
  return steps;
}

/** pacemaker's own figures from the published pacemaker.log (its stdout and stderr). */
function readPublishedLog(file: string) {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const functions = /Total number of functions: (\d+) \/ number of parameters: (\d+)/.exec(text);
  const took = /Fitting took\s+([\d.]+) seconds/.exec(text);
  let evals: number | null = null;
  for (const m of text.matchAll(/Iteration\s+#\d+\s+\((\d+) evals\)/g)) evals = Number(m[1]);
  return {
    functions: functions ? Number(functions[1]) : null,
    parameters: functions ? Number(functions[2]) : null,
    fitS: took ? Number(took[1]) : null,
    evals,
  };
}

function progressLine(p: TrainingProgress, elapsedS: number): string {
  const it = p.latest;
  const budget = p.maxIterations !== undefined ? `/${p.maxIterations}` : '';
  return (
    `    ${elapsedS.toFixed(0).padStart(5)} s  ${p.phase}` +
    (it
      ? `: iteration ${it.iteration}${budget}, loss ${it.loss.toExponential(3)}, train RMSE E ` +
        `${fmt(it.rmseEnergyMeVPerAtom, 2)} meV/atom, F ${fmt(it.rmseForcesMeVPerA)} meV/Å`
      : '') +
    (p.resumedFrom ? ` (resumed from ${p.resumedFrom})` : '')
  );
}

function errorsLine(
  label: string,
  e: Pick<SplitErrors, 'rmseEnergyMeVPerAtom' | 'rmseForcesMeVPerA'> | null,
) {
  return `  ${label.padEnd(36)} ${fmt(e?.rmseEnergyMeVPerAtom, 2).padStart(8)} meV/atom ${fmt(e?.rmseForcesMeVPerA).padStart(8)} meV/Å`;
}

interface CheckErrors extends Omit<SplitErrors, 'byComposition' | 'byElement'> {
  seed: number;
  start: number;
  meanEnergyErrorMeVPerAtom: number;
  kinds: Record<string, number>;
  worstEnergy: { index: number; kind: string; atoms: number; energyErrorMeVPerAtom: number } | null;
  byComposition: Record<
    string,
    { structures: number; rmseEnergyMeVPerAtom: number; rmseForcesMeVPerA: number }
  >;
}

interface ShortDistanceBand {
  structures: number;
  medianForceRmse: number;
  worstForceRmse: number;
  above1: number;
  pushedApart: number;
}

/** python/mlip_autopipe/analysis/short_distance.py's answer (its per-structure rows left out). */
interface ShortDistances {
  shortest: Record<string, number>;
  near: ShortDistanceBand | null;
  inside: ShortDistanceBand | null;
  compression: { pair: string; points: { fraction: number; reference: number; potential: number }[] };
}

function bandLine(label: string, b: ShortDistanceBand | null): string {
  return b
    ? `  ${label.padEnd(36)} median ${fmt(b.medianForceRmse, 2)} eV/Å, worst ${fmt(b.worstForceRmse, 2)}, ` +
        `${b.above1} of ${b.structures} above 1 eV/Å, pair pushed apart in ${fmt(100 * b.pushedApart, 0)} %`
    : `  ${label.padEnd(36)} —`;
}

/** The default pipeline, end to end: seed-demo → trainPotential({ campaign }) → published .yace. */
async function runPipeline(args: string[]): Promise<number> {
  const labeller = choiceOption(args, 'labeller', BENCH_LABELLERS, 'kumagai-si');
  const structures = intOption(args, 'structures', DEFAULT_STRUCTURES[labeller]);
  const seed = intOption(args, 'seed', 0, true);
  const check = intOption(args, 'check', 100, true);
  const checkSeed = intOption(args, 'check-seed', seed + 1, true);
  const pollS = intOption(args, 'poll', 30);
  const cap = optionalIntOption(args, 'iterations');
  if (checkSeed === seed) throw new Error('--check-seed must differ from --seed: the check is on other data');
  // The request: the campaign and nothing else (or only the iteration count capped, for a smoke check).
  const request: { campaign: string; trainer?: TrainerParamsInput } =
    cap === undefined
      ? { campaign: CAMPAIGN }
      : { campaign: CAMPAIGN, trainer: { optimizer: { maxIterations: cap } } };
  const defaults = resolveTrainerParams(request.trainer ?? {});
  const smoke = cap !== undefined || structures !== DEFAULT_STRUCTURES[labeller];
  const cpus = os.cpus().length;
  // A private temp folder: nothing else (another bench, a cleanup of bench/out/) touches it mid-fit.
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlip-bench-fidelity-'));
  console.log(
    `bench fidelity (pipeline): trainPotential ${JSON.stringify(request)} on ${structures} ` +
      `structures (seed-demo --labeller ${labeller} --seed ${seed}); ${cpus} CPU core(s), load average ` +
      `${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; work dir ${outDir}`,
  );
  if (smoke)
    console.log(
      `  SMOKE CHECK: ${cap !== undefined ? `maxIterations capped at ${cap}` : ''}` +
        `${cap !== undefined && structures !== DEFAULT_STRUCTURES[labeller] ? ', ' : ''}` +
        `${structures !== DEFAULT_STRUCTURES[labeller] ? `${structures} structures instead of ${DEFAULT_STRUCTURES[labeller]}` : ''}` +
        ` — these figures are NOT the default pipeline's and do not evidence the acceptance criterion`,
    );
  if (cpus !== TARGET_CORES)
    console.log(`  note: the 30-minute target is for ${TARGET_CORES} cores; this machine has ${cpus}`);
  console.log(
    `  defaults: evaluator ${defaults.backend.evaluator}, ${defaults.ace.functionsPerElement} functions/element, ` +
      `order ${defaults.ace.correlationOrder}, cutoff ${defaults.ace.cutoff} Å, kappa ${defaults.kappa}, ` +
      `${defaults.optimizer.algorithm} ≤ ${defaults.optimizer.maxIterations} iterations × ` +
      `${defaults.optimizer.fitCycles} cycle(s), weighting ${defaults.weighting}, test split ${defaults.testSize}`,
  );

  const services = await startBenchServices('bench-fidelity', outDir);
  const { env } = services;
  let stopWorkers = async () => {};
  let onSignal: (() => void) | undefined;
  try {
    const tSeed = performance.now();
    const seeded = await seedDemo(env, {
      labeller,
      campaign: CAMPAIGN,
      count: structures,
      seed,
    });
    const seedS = seconds(tSeed);
    console.log(`  seeded: ${seeded} (${fmt(seedS)} s)`);

    // A worker as `npm run worker` runs it (production cadences), in this process.
    const worker = await startInProcessWorkers(env);
    const { client } = worker;
    stopWorkers = () => worker.stop();

    // The workflow, start → result, its progress printed as it goes.
    const workflowId = `bench-fidelity-${Date.now()}`;
    const t0 = performance.now();
    const handle = await client.workflow.start(trainPotential, {
      taskQueue: env.MLIP_TASK_QUEUE,
      workflowId,
      args: [request],
    });
    // Ctrl-C: cancel the workflow (the worker stops pacemaker's process group), then clean up below.
    onSignal = () => {
      console.log('  interrupted: cancelling the workflow');
      handle.cancel().catch(() => {});
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    console.log(`  workflow ${workflowId} started; progress every ${pollS} s:`);
    let lastLine = '';
    const poll = async () => {
      try {
        const progress = await readTrainingProgress(handle);
        if (!progress) return;
        const line = progressLine(progress, seconds(t0));
        if (line.replace(/^\s*\d+ s/, '') !== lastLine) console.log(line);
        lastLine = line.replace(/^\s*\d+ s/, '');
      } catch {
        // the workflow finished between polls, or its worker is busy: the next poll tells
      }
    };
    const poller = setInterval(() => void poll(), pollS * 1000);
    let result: TrainingResult;
    try {
      result = await handle.result();
    } finally {
      clearInterval(poller);
    }
    const wallS = seconds(t0);
    const steps = await stepTimes(handle);
    const publishedDir = path.dirname(result.potentialPath);
    const published = JSON.parse(
      fs.readFileSync(path.join(publishedDir, PUBLISHED_FILES.metrics), 'utf8'),
    ) as {
      iterations: number;
    };
    const log = readPublishedLog(path.join(publishedDir, PUBLISHED_FILES.log));
    const testSplit = result.metrics.test;
    console.log(`  workflow done in ${fmt(wallS)} s: ${result.potentialId} → ${result.potentialPath}`);

    // The independent check: the published potential on structures from another seed, never seen.
    let independent: CheckErrors | null = null;
    if (check > 0) {
      console.log(
        `  independent check: the published .yace (pyace) on ${check} structures of seed ${checkSeed}`,
      );
      independent = await runJsonCommand<CheckErrors>(env.MLIP_PYTHON, [
        path.join(PYTHON_ANALYSIS_DIR, 'raw_energy_errors.py'),
        result.potentialPath,
        '--labeller',
        labeller,
        '--count',
        String(check),
        // Raw total energies, as a user of the .yace gets them: its E0 holds the reference energies.
        '--seed',
        String(checkSeed),
      ]);
    }
    // Just inside the data's shortest distances: one pair pushed to 85-100 % of its shortest distance.
    console.log("  short distances: one pair pushed to 85-100 % of the campaign's shortest distance for it");
    const shortDistances = await runJsonCommand<ShortDistances>(env.MLIP_PYTHON, [
      path.join(PYTHON_ANALYSIS_DIR, 'short_distance.py'),
      result.potentialPath,
      '--labeller',
      labeller,
      '--train-count',
      String(structures),
      '--seed',
      String(seed),
    ]);
    const e0 = yaceReferenceEnergies(fs.readFileSync(result.potentialPath, 'utf8'));

    await stopWorkers();
    stopWorkers = async () => {};

    const fitS = steps.executeTraining ?? null;
    const meetsE = testSplit !== null && testSplit.rmseEnergyMeVPerAtom < TARGET_ENERGY_MEV_PER_ATOM;
    const meetsF = testSplit !== null && testSplit.rmseForcesMeVPerA < TARGET_FORCES_MEV_PER_A;
    const meetsWall = wallS <= TARGET_WALL_S;
    const checkE = independent !== null && independent.rmseEnergyMeVPerAtom < TARGET_ENERGY_MEV_PER_ATOM;
    const checkF = independent !== null && independent.rmseForcesMeVPerA < TARGET_FORCES_MEV_PER_A;
    const pass = meetsE && meetsF && meetsWall;

    console.log('');
    console.log(
      `summary${smoke ? " (SMOKE CHECK: not the default pipeline's figures)" : ''}: ${result.dataset.structures} ` +
        `structures / ${result.dataset.atoms} atoms in the campaign; ${cpus} core(s)`,
    );
    console.log(`  workflow start → result              ${fmt(wallS).padStart(8)} s`);
    for (const [k, v] of Object.entries(steps)) console.log(`    ${k.padEnd(34)} ${fmt(v, 2).padStart(8)} s`);
    console.log(`  pacemaker's own fit ("Fitting took") ${fmt(log.fitS).padStart(8)} s`);
    console.log(
      `  iterations done                      ${String(published.iterations).padStart(8)}    of ` +
        `${defaults.optimizer.maxIterations} (${log.evals ?? '—'} loss evaluations; ${log.functions ?? '—'} ` +
        `functions, ${log.parameters ?? '—'} parameters)`,
    );
    console.log('                                         energy RMSE       force RMSE');
    console.log(errorsLine(`train (${result.metrics.train.structures} structures)`, result.metrics.train));
    console.log(errorsLine(`held-out test split (${testSplit?.structures ?? 0} structures)`, testSplit));
    if (independent) {
      console.log(
        errorsLine(`independent, seed ${checkSeed} (${independent.structures} structures)`, independent) +
          `  (mean E error ${fmt(independent.meanEnergyErrorMeVPerAtom, 2)} meV/atom)`,
      );
      console.log(
        `    (the published .yace in pyace against raw total energies; its E0 per atom: ` +
          `${Object.entries(e0)
            .map(([k, v]) => `${k} ${v.toFixed(4)} eV`)
            .join(', ')})`,
      );
      const classes = Object.entries(independent.byComposition);
      if (classes.length > 1)
        for (const [name, c] of classes)
          console.log(errorsLine(`  independent, ${name} (${c.structures} structures)`, c));
    }
    for (const line of breakdownLines(result.metrics)) console.log(`  ${line.trim()}`);
    console.log(bandLine('short distances, 95-100 %', shortDistances.near));
    console.log(bandLine('short distances, 85-95 %', shortDistances.inside));
    console.log(
      `    compression of one ${shortDistances.compression.pair} pair, energy above its value at 1.1 (eV), labeller / potential: ` +
        shortDistances.compression.points
          .map((p) => `${p.fraction}: ${fmt(p.reference, 2)} / ${fmt(p.potential, 2)}`)
          .join(', '),
    );
    console.log(
      `  targets (held-out test split)        E < ${TARGET_ENERGY_MEV_PER_ATOM} meV/atom: ${passFail(meetsE)};  ` +
        `F < ${TARGET_FORCES_MEV_PER_A} meV/Å: ${passFail(meetsF)};  wall ≤ ${TARGET_WALL_S / 60} min: ${passFail(meetsWall)}`,
    );
    if (independent)
      console.log(
        `  targets (independent check)          E < ${TARGET_ENERGY_MEV_PER_ATOM} meV/atom: ${passFail(checkE)};  ` +
          `F < ${TARGET_FORCES_MEV_PER_A} meV/Å: ${passFail(checkF)}`,
      );
    console.log(
      `  verdict                              ${passFail(pass)}` +
        (smoke ? ' (smoke check: says nothing about the acceptance criterion)' : '') +
        (cpus !== TARGET_CORES ? ` (measured on ${cpus} cores, not ${TARGET_CORES})` : ''),
    );
    const summary = {
      bench: 'fidelity',
      mode: 'pipeline',
      smoke,
      cpus,
      loadAverage: os.loadavg(),
      seed,
      request,
      iterationCap: cap ?? null,
      trainer: defaults,
      dataset: result.dataset,
      potentialId: result.potentialId,
      wallS,
      seedS,
      steps,
      executeTrainingS: fitS,
      pacemakerFitS: log.fitS,
      iterations: published.iterations,
      evals: log.evals,
      functions: log.functions,
      parameters: log.parameters,
      metrics: result.metrics,
      independent,
      shortDistances,
      referenceEnergies: e0,
      labeller,
      targets: {
        energyMeVPerAtom: TARGET_ENERGY_MEV_PER_ATOM,
        forcesMeVPerA: TARGET_FORCES_MEV_PER_A,
        wallS: TARGET_WALL_S,
        cores: TARGET_CORES,
      },
      meets: { energy: meetsE, forces: meetsF, wall: meetsWall, pass },
      independentMeets: independent ? { energy: checkE, forces: checkF } : null,
    };
    console.log('');
    console.log(`summary written to ${writeSummary('fidelity', summary)}`);
    return 0;
  } finally {
    if (onSignal) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await stopWorkers();
    await services.stop();
    if (!args.includes('--keep')) fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/** --direct: pacemaker run directly on the product's input.yaml, held-out set as data.test_filename. */
async function runDirect(args: string[]): Promise<number> {
  const train = intOption(args, 'train', 400);
  const test = intOption(args, 'test', 100);
  const seed = intOption(args, 'seed', 0, true);
  const cap = optionalIntOption(args, 'iterations');
  const labeller = choiceOption(args, 'labeller', BENCH_LABELLERS, 'kumagai-si');
  // The defaults, untouched (or with only the iteration count capped, for a smoke check).
  const trainer = cap === undefined ? {} : { optimizer: { maxIterations: cap } };
  const defaults = resolveTrainerParams(trainer);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlip-bench-fidelity-'));
  console.log(
    `bench fidelity --direct: the default trainer settings on ${train} train + ${test} held-out ${labeller} ` +
      `structures (seed ${seed}); ${os.cpus().length} CPU core(s); work dir ${outDir}`,
  );
  console.log(
    `  defaults: evaluator ${defaults.backend.evaluator}, ${defaults.ace.functionsPerElement} functions/element, ` +
      `order ${defaults.ace.correlationOrder} (nradmax [${defaults.ace.nradmaxByOrder.join(', ')}], lmax ` +
      `[${defaults.ace.lmaxByOrder.join(', ')}]), cutoff ${defaults.ace.cutoff} Å, kappa ${defaults.kappa}, ` +
      `${defaults.optimizer.algorithm} ≤ ${defaults.optimizer.maxIterations} iterations × ${defaults.optimizer.fitCycles} cycle(s), ` +
      `weighting ${defaults.weighting}`,
  );
  try {
    const dataset = await makeLabelledDataset(outDir, train, test, seed, labeller);
    console.log(`  ${describeDataset(dataset)}`);
    const input = pacemakerInput(
      trainer,
      dataset,
      `bench fidelity: the default TrainerParams${cap === undefined ? '' : ` but maxIterations ${cap}`}; ` +
        'held-out set as data.test_filename',
    );
    const fit = await fitInput(path.join(outDir, 'fit'), input, 'fit', 30);
    const e = fit.test?.rmseEnergyMeVPerAtom;
    const f = fit.test?.rmseForcesMeVPerA;
    const meetsE = e !== undefined && e < TARGET_ENERGY_MEV_PER_ATOM;
    const meetsF = f !== undefined && f < TARGET_FORCES_MEV_PER_A;
    console.log('');
    console.log(
      `  wall time            ${fmt(fit.wallS).padStart(8)} s  (pacemaker's fit ${fmt(fit.fitS)} s)`,
    );
    console.log(
      `  iterations done      ${String(fit.iterations).padStart(8)}    of ${defaults.optimizer.maxIterations} ` +
        `(${fit.evals} loss evaluations; ${fmt(fit.perIterationS, 2)} s/iteration)`,
    );
    console.log(
      `  basis                ${String(fit.functions).padStart(8)}    functions, ${fit.parameters} parameters`,
    );
    console.log('                         energy RMSE       force RMSE');
    console.log(
      `  train                ${fmt(fit.train?.rmseEnergyMeVPerAtom, 2).padStart(8)} meV/atom ${fmt(fit.train?.rmseForcesMeVPerA).padStart(8)} meV/Å`,
    );
    console.log(`  held-out             ${fmt(e, 2).padStart(8)} meV/atom ${fmt(f).padStart(8)} meV/Å`);
    console.log(
      `  targets (held-out)   E < ${TARGET_ENERGY_MEV_PER_ATOM} meV/atom: ${meetsE ? 'met' : 'NOT met'};  ` +
        `F < ${TARGET_FORCES_MEV_PER_A} meV/Å: ${meetsF ? 'met' : 'NOT met'}`,
    );
    const summary = {
      bench: 'fidelity',
      mode: 'direct',
      cpus: os.cpus().length,
      seed,
      data: { train: dataset.train, test: dataset.test },
      iterationCap: cap ?? null,
      trainer: defaults,
      fit: { ...fit, dir: undefined },
      targets: { energyMeVPerAtom: TARGET_ENERGY_MEV_PER_ATOM, forcesMeVPerA: TARGET_FORCES_MEV_PER_A },
      meets: { energy: meetsE, forces: meetsF },
    };
    console.log('');
    console.log(`summary written to ${writeSummary('fidelity', summary)}`);
    return 0;
  } finally {
    if (!args.includes('--keep')) fs.rmSync(outDir, { recursive: true, force: true });
  }
}

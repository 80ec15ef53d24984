/**
 * `npm run bench -- fidelity [--train 400] [--test 100] [--seed 0] [--iterations K] [--keep]`: how well the
 * DEFAULT trainer settings fit realistic data. --iterations caps the optimiser's iterations (only for a
 * quick smoke check: the figures then are not the defaults').
 *
 * The data: --train structures of diverse silicon labelled with the Kumagai many-body potential
 * (python/silicon_factory.py, via bench/silicon_dataset.py) and --test held-out structures from the same
 * distribution. The input.yaml is made as the product makes it: resolveTrainerParams({}) (no overrides, so
 * this bench follows whatever the defaults are) → buildPacemakerDocument → renderPacemakerYaml, with the data
 * pointed at the train pickle and the held-out pickle given as data.test_filename (which replaces any default
 * test_size split, so the fit sees every training structure). pacemaker runs directly in a folder of its own
 * (no Temporal). Prints wall time, iterations done, train and held-out RMSE of energy (meV/atom) and forces
 * (meV/Å), and whether the held-out errors meet the targets E < 5 meV/atom and F < 100 meV/Å.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveTrainerParams } from '../src/trainer/trainer-params';
import {
  fmt,
  intOption,
  makeSiliconDataset,
  pacemakerInput,
  runPacemaker,
  writeSummary,
} from './pacemaker-fit';

/** Targets for a usable potential of this data: held-out RMSE. */
const TARGET_ENERGY_MEV_PER_ATOM = 5;
const TARGET_FORCES_MEV_PER_A = 100;

export async function run(args: string[]): Promise<number> {
  const train = intOption(args, 'train', 400);
  const test = intOption(args, 'test', 100);
  const seed = intOption(args, 'seed', 0, true);
  const cap = args.includes('--iterations') ? intOption(args, 'iterations', 1) : undefined;
  // The defaults, untouched (or with only the iteration count capped, for a smoke check).
  const trainer = cap === undefined ? {} : { optimizer: { maxIterations: cap } };
  const defaults = resolveTrainerParams(trainer);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlip-bench-fidelity-'));
  console.log(
    `bench fidelity: the default trainer settings on ${train} train + ${test} held-out Kumagai silicon ` +
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
    const dataset = await makeSiliconDataset(outDir, train, test, seed);
    console.log(
      `  data: train ${dataset.train.structures} structures / ${dataset.train.atoms} atoms, held-out ` +
        `${dataset.test.structures} / ${dataset.test.atoms}; kinds (train) ` +
        Object.entries(dataset.train.kinds)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
    );
    const dir = path.join(outDir, 'fit');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'input.yaml'),
      pacemakerInput(
        trainer,
        dataset,
        `bench fidelity: the default TrainerParams${cap === undefined ? '' : ` but maxIterations ${cap}`}; ` +
          'held-out set as data.test_filename',
      ),
    );
    const fit = await runPacemaker(dir, 'fit', 30);
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

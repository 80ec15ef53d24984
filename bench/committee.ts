/**
 * `npm run bench -- committee [--structures 60] [--seed 0] [--members 3] [--functions 20] [--iterations 50]
 * [--held-out 40] [--held-out-seed 1000] [--repeats 1] [--keep]`: whether a committee's force disagreement
 * tracks its actual force error, for the product's mechanism (each member fits its own bootstrap resample,
 * tested on its out-of-bag structures) against members that differ by seed only (the 10 % test split
 * pacemaker draws with each seed), same data, same run.
 *
 * No Temporal: for each mechanism, --members pacemaker fits run directly, one after another, each in a
 * folder of its own, with the product's input.yaml (resolveTrainerParams → buildPacemakerDocument →
 * renderPacemakerYaml, member i with seed 42 + i) and, for bootstrap, the product's resample
 * (src/training-set/bootstrap-resample.ts → python/mlip_autopipe/helpers/bootstrap_dataset.py). The data:
 * --structures EMT Cu structures of `mlip-train seed-demo`'s sequence for --seed. The held-out structures
 * (python/mlip_autopipe/analysis/committee_calibration.py evaluate) span easy to hard; per structure, the
 * disagreement is the mean over atoms of the members' per-atom force spread, the error the force RMSE of the
 * committee's mean prediction against EMT. Prints, per mechanism, Spearman's rank correlation of disagreement
 * and error, and the held-out structures in four bins of disagreement (mean disagreement, mean and median
 * error, count). --repeats R repeats everything on R training sets (seeds seed … seed + R - 1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PYTHON_ANALYSIS_DIR } from '../src/config';
import { bootstrapResample } from '../src/training-set';
import { buildPacemakerDocument, renderPacemakerYaml } from '../src/pacemaker';
import {
  resolveTrainerParams,
  type TrainerParamsInput,
  DEFAULT_TRAINER_SEED,
  resampleNote,
} from '../src/api';
import { intOption } from './options';
import { fitInput, fmt, PYTHON, writeSummary, type FitFigures } from './pacemaker-fit';
import { runJsonCommand } from './run-command';

const CALIBRATION = path.join(PYTHON_ANALYSIS_DIR, 'committee_calibration.py');

type Mechanism = 'bootstrap' | 'seed-only';
const MECHANISMS: { name: Mechanism; label: string }[] = [
  { name: 'bootstrap', label: 'bootstrap (default)' },
  { name: 'seed-only', label: 'seed only, 10 % split' },
];

interface Calibration {
  members: number;
  structures: number;
  spearman: { meanDisagreement: number; maxDisagreement: number };
  bins: { disagreementMeVPerA: number; errorMeVPerA: number; errorMedianMeVPerA: number; count: number }[];
  rows: { difficulty: number; disagreementMeVPerA: number; errorMeVPerA: number }[];
  failures: {
    thresholdMeVPerA: number;
    count: number;
    minDisagreementMeVPerA: number | null;
    othersMaxDisagreementMeVPerA: number | null;
  };
}

/** Whether every failure (error above the threshold) disagrees more than every other structure. */
const failuresStandOut = (c: Calibration) =>
  c.failures.count > 0 && c.failures.minDisagreementMeVPerA! > (c.failures.othersMaxDisagreementMeVPerA ?? 0);

interface MechanismResult {
  mechanism: Mechanism;
  dataSeed: number;
  fits: Pick<FitFigures, 'wallS' | 'iterations' | 'train' | 'test'>[];
  calibration: Calibration;
}

/** committee_calibration.py's answer: the last line it prints, as JSON. */
function python<T>(args: string[]): Promise<T> {
  return runJsonCommand<T>(PYTHON, args, { maxOutputBytes: 16 << 20 });
}

async function trainMember(
  mechanism: Mechanism,
  member: number,
  dir: string,
  dataset: { path: string; structures: number },
  trainer: TrainerParamsInput,
): Promise<FitFigures> {
  fs.mkdirSync(dir, { recursive: true });
  const params = resolveTrainerParams({ ...trainer, seed: DEFAULT_TRAINER_SEED + member });
  let doc;
  let note: string;
  if (mechanism === 'bootstrap') {
    const resample = await bootstrapResample({
      python: PYTHON,
      datasetPath: dataset.path,
      workspaceDir: dir,
      seed: params.seed,
    });
    doc = buildPacemakerDocument(resample.testPath ? params : { ...params, testSize: 0 }, {
      elements: ['Cu'],
      pacemakerDatasetPath: resample.trainPath,
      structures: dataset.structures,
      testDatasetPath: resample.testPath,
    });
    note = resampleNote(resample.summary);
  } else {
    doc = buildPacemakerDocument(params, {
      elements: ['Cu'],
      pacemakerDatasetPath: dataset.path,
      structures: dataset.structures,
    });
    note = `bench committee, seed only: member ${member} differs from the others by its seed (${params.seed}) alone`;
  }
  return fitInput(dir, renderPacemakerYaml(doc, note), `${mechanism} m${member}`, 60);
}

function printCalibration(label: string, c: Calibration) {
  console.log(
    `  ${label}: Spearman ρ(disagreement, error) = ${fmt(c.spearman.meanDisagreement, 3)} ` +
      `(max over atoms instead of mean: ${fmt(c.spearman.maxDisagreement, 3)}), ${c.structures} held-out structures`,
  );
  console.log('      disagreement    mean error  median error   count');
  for (const b of c.bins)
    console.log(
      `    ${fmt(b.disagreementMeVPerA).padStart(10)} meV/Å ${fmt(b.errorMeVPerA).padStart(9)} meV/Å ` +
        `${fmt(b.errorMedianMeVPerA).padStart(9)} meV/Å ${String(b.count).padStart(7)}`,
    );
  const f = c.failures;
  if (f.count > 0)
    console.log(
      `    failures (force RMSE > ${f.thresholdMeVPerA} meV/Å): ${f.count}, disagreement ≥ ` +
        `${fmt(f.minDisagreementMeVPerA)} meV/Å vs. ≤ ${fmt(f.othersMaxDisagreementMeVPerA)} meV/Å for the ` +
        `others: ${failuresStandOut(c) ? 'all above every other structure' : 'NOT all above the others'}`,
    );
}

export async function run(args: string[]): Promise<number> {
  const structures = intOption(args, 'structures', 60);
  const seed = intOption(args, 'seed', 0, true);
  const members = intOption(args, 'members', 3);
  const functions = intOption(args, 'functions', 20);
  const iterations = intOption(args, 'iterations', 50);
  const heldOut = intOption(args, 'held-out', 40);
  const heldOutSeed = intOption(args, 'held-out-seed', 1000, true);
  const repeats = intOption(args, 'repeats', 1);
  if (members < 2) throw new Error('--members must be at least 2');
  const trainer: TrainerParamsInput = {
    ace: { functionsPerElement: functions, correlationOrder: 3 },
    optimizer: { maxIterations: iterations },
    backend: { displayStep: 10 },
  };
  const resolved = resolveTrainerParams(trainer);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlip-bench-committee-'));
  console.log(
    `bench committee: ${members} members × ${MECHANISMS.length} mechanisms on ${structures} EMT Cu structures ` +
      `(data seed${repeats > 1 ? 's' : ''} ${seed}${repeats > 1 ? `…${seed + repeats - 1}` : ''}); ` +
      `${resolved.backend.evaluator}, ${functions} functions (order ${resolved.ace.correlationOrder}), ` +
      `≤ ${iterations} iterations; ${heldOut} held-out structures (seed ${heldOutSeed}), easy → hard; ` +
      `${os.cpus().length} CPU core(s); work dir ${outDir}`,
  );
  const results: MechanismResult[] = [];
  try {
    for (let r = 0; r < repeats; r++) {
      const dataSeed = seed + r;
      const datasetPath = path.join(outDir, `data-${dataSeed}.pckl.gzip`);
      const dataset = await python<{ path: string; structures: number; atoms: number }>([
        CALIBRATION,
        'dataset',
        datasetPath,
        '--count',
        String(structures),
        '--seed',
        String(dataSeed),
      ]);
      console.log(`  data seed ${dataSeed}: ${dataset.structures} structures, ${dataset.atoms} atoms`);
      for (const { name } of MECHANISMS) {
        const fits: FitFigures[] = [];
        for (let m = 0; m < members; m++)
          fits.push(
            await trainMember(name, m, path.join(outDir, `${dataSeed}`, name, `m${m}`), dataset, trainer),
          );
        const calibration = await python<Calibration>([
          CALIBRATION,
          'evaluate',
          ...fits.map((f) => path.join(f.dir, 'output_potential.yaml')),
          '--count',
          String(heldOut),
          '--seed',
          String(heldOutSeed),
        ]);
        results.push({
          mechanism: name,
          dataSeed,
          fits: fits.map((f) => ({ wallS: f.wallS, iterations: f.iterations, train: f.train, test: f.test })),
          calibration,
        });
      }
    }

    console.log('');
    for (const r of results) {
      const label = MECHANISMS.find((m) => m.name === r.mechanism)!.label;
      const test = r.fits.map((f) => fmt(f.test?.rmseForcesMeVPerA)).join(', ');
      console.log(
        `data seed ${r.dataSeed}, ${label}: fits ${r.fits.map((f) => fmt(f.wallS, 0)).join(', ')} s; ` +
          `members' own test force RMSE ${test} meV/Å`,
      );
      printCalibration(label, r.calibration);
      console.log('');
    }
    for (const { name, label } of MECHANISMS) {
      const mine = results.filter((r) => r.mechanism === name);
      const rho = mine.map((r) => r.calibration.spearman.meanDisagreement);
      const withFailures = mine.filter((r) => r.calibration.failures.count > 0);
      console.log(
        `${label}: ρ over ${repeats} training set(s): min ${fmt(Math.min(...rho), 3)}, ` +
          `mean ${fmt(rho.reduce((a, b) => a + b, 0) / rho.length, 3)}, max ${fmt(Math.max(...rho), 3)}; ` +
          `failures above every other structure in ${withFailures.filter((r) => failuresStandOut(r.calibration)).length} ` +
          `of the ${withFailures.length} training set(s) with failures`,
      );
    }
    const summary = {
      bench: 'committee',
      cpus: os.cpus().length,
      structures,
      seeds: Array.from({ length: repeats }, (_, i) => seed + i),
      members,
      heldOut: { count: heldOut, seed: heldOutSeed },
      trainer: resolved,
      results,
    };
    console.log(`summary written to ${writeSummary('committee', summary)}`);
    return 0;
  } finally {
    if (!args.includes('--keep')) fs.rmSync(outDir, { recursive: true, force: true });
  }
}

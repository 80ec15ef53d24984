/**
 * `npm run bench -- backends [--structures 100] [--test 25] [--iterations 5] [--pyace-iterations K]
 * [--sizes 20,60,150] [--pyace-max-functions 150] [--seed 0] [--keep]`: pacemaker's two evaluators, `pyace`
 * and `tensorpot`, on the same silicon data in the same run, at three basis sizes.
 *
 * The data: --structures training and --test held-out structures of diverse silicon labelled with the Kumagai
 * potential (python/mlip_autopipe/demo/silicon_factory.py, via bench/labelled_dataset.py). Every fit uses the
 * product's input.yaml (resolveTrainerParams + buildPacemakerDocument) with the defaults, except: the basis
 * size, shapes large enough that pacemaker really keeps that many functions (nradmax [15,6,4,3], lmax
 * [0,3,3,2], order 4; the log's "Total number of functions" is printed to show it), the iteration count, the
 * evaluator, and the held-out set given as data.test_filename. pacemaker runs directly in a folder of its own
 * (no Temporal).
 *
 * Per fit: wall time, setup, the first loss evaluation (TensorFlow traces its graph there), the steady time
 * per iteration, loss evaluations ("(N evals)": pyace's fit passes no gradient to scipy, so BFGS differences
 * it, one evaluation per parameter per iteration), and the train and held-out RMSE; then tensorpot/pyace
 * ratios. pyace's cost per iteration grows with the parameter count (about 20 s/iteration at 60 functions on
 * 2 cores), so it runs few iterations (--iterations, or --pyace-iterations for pyace alone) and is skipped
 * above --pyace-max-functions. Figures per iteration are comparable across iteration counts; RMSE only at
 * equal counts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { intListOption, intOption } from './options';
import {
  fitInput,
  fmt,
  describeDataset,
  makeLabelledDataset,
  pacemakerInput,
  writeSummary,
  type FitFigures,
} from './pacemaker-fit';

const EVALUATORS = ['tensorpot', 'pyace'] as const;
type Evaluator = (typeof EVALUATORS)[number];

/** Shapes that hold thousands of functions: the requested count is what pacemaker keeps. */
const SHAPES = { correlationOrder: 4, nradmaxByOrder: [15, 6, 4, 3], lmaxByOrder: [0, 3, 3, 2] };

const ratio = (a: number | null | undefined, b: number | null | undefined, digits = 2) =>
  a !== null && a !== undefined && b !== null && b !== undefined && b !== 0 ? fmt(a / b, digits) : '—';

export async function run(args: string[]): Promise<number> {
  const structures = intOption(args, 'structures', 100);
  const test = intOption(args, 'test', 25);
  const iterations = intOption(args, 'iterations', 5);
  const pyaceIterations = intOption(args, 'pyace-iterations', iterations);
  const sizes = intListOption(args, 'sizes', [20, 60, 150]);
  const pyaceMax = intOption(args, 'pyace-max-functions', Math.max(...sizes), true);
  const seed = intOption(args, 'seed', 0, true);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlip-bench-backends-'));
  console.log(
    `bench backends: ${structures} train + ${test} held-out Kumagai silicon structures (seed ${seed}); ` +
      `sizes ${sizes.join(', ')} functions/element; tensorpot ${iterations} iterations, pyace ${pyaceIterations} ` +
      `(up to ${pyaceMax} functions); ${os.cpus().length} CPU core(s); work dir ${outDir}`,
  );
  try {
    const dataset = await makeLabelledDataset(outDir, structures, test, seed);
    console.log(`  ${describeDataset(dataset)}`);

    const results: { size: number; evaluator: Evaluator; iterations: number; fit: FitFigures }[] = [];
    for (const size of sizes) {
      for (const evaluator of EVALUATORS) {
        if (evaluator === 'pyace' && size > pyaceMax) {
          console.log(`  ${size} functions, pyace: skipped (--pyace-max-functions ${pyaceMax})`);
          continue;
        }
        const iters = evaluator === 'pyace' ? pyaceIterations : iterations;
        const input = pacemakerInput(
          {
            ace: { ...SHAPES, functionsPerElement: size },
            optimizer: { maxIterations: iters },
            backend: { evaluator },
            testSize: 0,
          },
          dataset,
          `bench backends: ${evaluator}, ${size} functions/element, ${iters} iterations`,
        );
        console.log(`  ${size} functions, ${evaluator}, ${iters} iterations:`);
        const fit = await fitInput(path.join(outDir, `${evaluator}-${size}`), input, `${evaluator} ${size}`);
        if (fit.functions !== size)
          console.log(`    NOTE: pacemaker kept ${fit.functions} functions, not the ${size} asked for`);
        console.log(
          `    → ${fmt(fit.wallS)} s wall; ${fmt(fit.perIterationS, 2)} s/iteration; ${fit.evals} evals; ` +
            `held-out RMSE E ${fmt(fit.test?.rmseEnergyMeVPerAtom)} meV/atom, F ${fmt(fit.test?.rmseForcesMeVPerA)} meV/Å`,
        );
        results.push({ size, evaluator, iterations: iters, fit });
      }
    }

    console.log('');
    console.log(
      'size  evaluator  functions params  iters  evals   wall s  setup s  1st eval s  s/iter   ' +
        'train E  train F   test E   test F   (RMSE, meV/atom and meV/Å)',
    );
    for (const { size, evaluator, iterations: iters, fit } of results)
      console.log(
        [
          String(size).padStart(4),
          evaluator.padEnd(10),
          String(fit.functions ?? '—').padStart(9),
          String(fit.parameters ?? '—').padStart(6),
          String(fit.iterations).padStart(6) + (fit.iterations !== iters ? '*' : ' '),
          String(fit.evals ?? '—').padStart(6),
          fmt(fit.wallS).padStart(7),
          fmt(fit.setupS).padStart(8),
          fmt(fit.firstEvalS).padStart(11),
          fmt(fit.perIterationS, 2).padStart(7),
          fmt(fit.train?.rmseEnergyMeVPerAtom).padStart(8),
          fmt(fit.train?.rmseForcesMeVPerA).padStart(8),
          fmt(fit.test?.rmseEnergyMeVPerAtom).padStart(8),
          fmt(fit.test?.rmseForcesMeVPerA).padStart(8),
        ].join(' '),
      );
    if (results.some((r) => r.fit.iterations !== r.iterations))
      console.log('  * fewer iterations than asked: BFGS converged or stopped early');

    console.log('');
    console.log('tensorpot / pyace:');
    for (const size of sizes) {
      const tp = results.find((r) => r.size === size && r.evaluator === 'tensorpot')?.fit;
      const py = results.find((r) => r.size === size && r.evaluator === 'pyace')?.fit;
      if (!tp || !py) continue;
      const sameIterations = tp.iterations === py.iterations;
      console.log(
        `  ${String(size).padStart(4)} functions: time per iteration ${ratio(tp.perIterationS, py.perIterationS, 3)}` +
          ` (pyace ${ratio(py.perIterationS, tp.perIterationS)}× slower), evals per iteration ` +
          `${ratio((tp.evals ?? NaN) / tp.iterations, (py.evals ?? NaN) / py.iterations, 4)}, wall ${ratio(tp.wallS, py.wallS)}` +
          (sameIterations
            ? `, held-out RMSE E ${ratio(tp.test?.rmseEnergyMeVPerAtom, py.test?.rmseEnergyMeVPerAtom)}, ` +
              `F ${ratio(tp.test?.rmseForcesMeVPerA, py.test?.rmseForcesMeVPerA)}`
            : ' (different iteration counts: wall and RMSE not comparable)'),
      );
    }
    const summary = {
      bench: 'backends',
      cpus: os.cpus().length,
      seed,
      data: { train: dataset.train, test: dataset.test },
      shapes: SHAPES,
      results: results.map(({ fit, ...rest }) => ({ ...rest, ...fit, dir: undefined })),
    };
    console.log('');
    console.log(`summary written to ${writeSummary('backends', summary)}`);
    return 0;
  } finally {
    if (!args.includes('--keep')) fs.rmSync(outDir, { recursive: true, force: true });
  }
}

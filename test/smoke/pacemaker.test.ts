import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { INSTALLED } from '../../src/config/paths';
import { scratchDir } from '../harness/context';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);

// The smallest sensible ACE model: one element, a few functions, a handful of BFGS steps.
const tinyInput = `
cutoff: 5.0
seed: 42
data:
  filename: data.pckl.gzip
potential:
  deltaSplineBins: 0.001
  elements: [Cu]
  embeddings:
    ALL: {npot: FinnisSinclairShiftedScaled, fs_parameters: [1, 1, 1, 0.5], ndensity: 2}
  bonds:
    ALL: {radbase: SBessel, radparameters: [5.25], rcut: 5.0, dcut: 0.01}
  functions:
    number_of_functions_per_element: 6
    ALL: {nradmax_by_orders: [4, 2], lmax_by_orders: [0, 1]}
fit:
  loss: {kappa: 0.3, L1_coeffs: 1e-8, L2_coeffs: 1e-8}
  optimizer: BFGS
  maxiter: 5
backend:
  evaluator: pyace
  batch_size: 50
  display_step: 5
`;

test('pacemaker fits a tiny real potential and pace_yaml2yace turns it into a .yace that pyace can evaluate', () => {
  const dir = scratchDir('pacemaker-smoke');
  execFileSync(INSTALLED.python, [fixture('tiny_emt_dataset.py'), path.join(dir, 'data.pckl.gzip'), '6']);
  fs.writeFileSync(path.join(dir, 'input.yaml'), tinyInput);

  execFileSync(INSTALLED.pacemaker, ['input.yaml'], { cwd: dir, stdio: 'ignore', timeout: 180_000 });
  expect(fs.existsSync(path.join(dir, 'output_potential.yaml'))).toBe(true);
  const log = fs.readFileSync(path.join(dir, 'log.txt'), 'utf8');
  expect(log).toMatch(/Initial state:/);
  expect(log).toMatch(/Iteration\s+#\d+/);

  execFileSync(INSTALLED.paceYaml2Yace, ['output_potential.yaml', '-o', 'potential.yace'], {
    cwd: dir,
    stdio: 'ignore',
  });
  const evaluated = JSON.parse(
    execFileSync(INSTALLED.python, [fixture('evaluate_yace.py'), path.join(dir, 'potential.yace')], {
      encoding: 'utf8',
    }),
  ) as { energy: number; natoms: number };
  expect(evaluated.natoms).toBe(4);
  expect(Number.isFinite(evaluated.energy)).toBe(true);
});

/**
 * The final errors a user reads (metrics.json, the CLI's result, potentials --show), broken down by
 * composition class and element by python/mlip_autopipe/helpers/prediction_metrics.py from pacemaker's own
 * prediction files.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { FinalMetricsSchema } from '../../src/api';
import { breakdownLines } from '../../src/cli/trainings';
import { INSTALLED, PYTHON_HELPERS_DIR } from '../../src/config/paths';
import { scratchDir } from '../harness/context';

test('a two-element fit reports its errors per composition class and per element, worst class first', () => {
  const ws = scratchDir('prediction-metrics');
  execFileSync(INSTALLED.python, [path.join(__dirname, '..', 'fixtures', 'two_element_predictions.py'), ws]);
  const out = execFileSync(INSTALLED.python, [path.join(PYTHON_HELPERS_DIR, 'prediction_metrics.py'), ws], {
    encoding: 'utf8',
  });
  const metrics = FinalMetricsSchema.parse(JSON.parse(out));
  const byClass = metrics.train.byComposition!;
  // One 8-atom structure per class, energy errors 1, 2, 3, 4 meV/atom in the fixture's order.
  expect(Object.fromEntries(Object.entries(byClass).map(([k, v]) => [k, v.rmseEnergyMeVPerAtom]))).toEqual({
    Si: expect.closeTo(1, 9),
    'Si-rich': expect.closeTo(2, 9),
    mixed: expect.closeTo(3, 9),
    C: expect.closeTo(4, 9),
  });
  // Every component of a Si atom is off by 10 meV/Å, of a C atom by 30.
  expect(metrics.train.byElement).toEqual({
    C: { atoms: 14, rmseForcesMeVPerA: expect.closeTo(30, 9) },
    Si: { atoms: 18, rmseForcesMeVPerA: expect.closeTo(10, 9) },
  });
  expect(metrics.test).toBeNull();

  expect(breakdownLines(metrics).map((l) => l.trim().split(/\s+/).slice(0, 3))).toEqual([
    ['train', 'C', '4.00'],
    ['train', 'mixed', '3.00'],
    ['train', 'Si-rich', '2.00'],
    ['train', 'Si', '1.00'],
    ['train', 'forces', 'by'],
  ]);
});

test('a one-element fit shows no breakdown: there is nothing to tell apart', () => {
  const one = {
    structures: 2,
    atoms: 16,
    rmseEnergyMeVPerAtom: 1,
    maeEnergyMeVPerAtom: 1,
    rmseForcesMeVPerA: 10,
    maeForcesMeVPerA: 10,
  };
  const split = {
    ...one,
    byComposition: { Si: one },
    byElement: { Si: { atoms: 16, rmseForcesMeVPerA: 10 } },
  };
  expect(breakdownLines({ train: split, test: split })).toEqual([]);
});

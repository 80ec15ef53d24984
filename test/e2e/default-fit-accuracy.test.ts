/**
 * What a user relies on from the defaults: a training with every default trainer setting (the tensorpot
 * evaluator, 300 functions per element, 10 % held out), on realistic data (Kumagai silicon from the mocked
 * DFT factory), predicts structures it was not fitted to. Only the iteration budget is cut, so that the test
 * takes a minute: `npm run bench -- fidelity` measures the full default run against its targets.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Env } from '../../src/config/env';
import { trainPotential } from '../../workflows/train-potential';
import { rawErrors } from '../harness/raw-errors';
import { notRepulsive, shortDistances } from '../harness/short-distances';
import { seedCampaign, startWorkers, testEnv, type RunningWorkers } from '../harness/training-env';

let env: Env;
let running: RunningWorkers;

beforeAll(async () => {
  env = testEnv();
  await seedCampaign(env, 'si-accuracy', 60, ['--labeller', 'kumagai-si']);
  running = await startWorkers(env);
});
afterAll(async () => {
  await running?.stop();
});

test('the default trainer settings predict held-out silicon structures far better than the untrained start, and stay repulsive below the data (median force error under 1.5 eV/Å at 85–95 % of the shortest distance, not 1: 60 iterations extrapolate less far than the full run, which gives 0.76)', async () => {
  const result = await running.client.workflow.execute(trainPotential, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `si-accuracy-${randomUUID()}`,
    args: [{ campaign: 'si-accuracy', trainer: { optimizer: { maxIterations: 60 } } }],
  });

  const published = path.dirname(result.potentialPath);
  const input = YAML.parse(fs.readFileSync(path.join(published, 'input.yaml'), 'utf8')) as {
    potential: { functions: { number_of_functions_per_element: number } };
    backend: { evaluator: string };
  };
  expect(input.backend.evaluator).toBe('tensorpot');
  expect(input.potential.functions.number_of_functions_per_element).toBe(300);

  // 6 of the 60 structures were held out of the fit by the default split.
  const test = result.metrics.test!;
  expect(test.structures).toBe(6);
  // Before the fit the potential is off by ~160 meV/atom and ~1,200 meV/Å on this data; after 60 iterations
  // the held-out errors must be a small fraction of that (the full default run reaches 2.5 and 36).
  expect(test.rmseEnergyMeVPerAtom).toBeLessThan(25);
  expect(test.rmseForcesMeVPerA).toBeLessThan(150);
  // ...and the fit generalises: held-out force error within a factor 2 of the training error.
  expect(test.rmseForcesMeVPerA).toBeLessThan(2 * result.metrics.train.rmseForcesMeVPerA);

  // The published .yace, as pyace (LAMMPS's evaluator) loads it, gives the data's total energies on 20
  // structures the campaign never had: no offset removed, within the same bounds. Before the reference
  // energies were folded into its E0 it was about 5,000 meV/atom off.
  const raw = rawErrors(result.potentialPath, 'kumagai-si', { start: 60, count: 20 });
  expect(raw.rmseEnergyMeVPerAtom).toBeLessThan(25);
  expect(Math.abs(raw.meanEnergyErrorMeVPerAtom)).toBeLessThan(25);
  expect(raw.rmseForcesMeVPerA).toBeLessThan(150);

  // Just inside the data's shortest distance (one pair pushed to 85-100 % of it), where MD goes within
  // picoseconds: forces stay bounded and the pair is pushed apart. pacemaker's own 0.1 Å switch to ZBL gave
  // medians of 5.4 and 1.9 eV/Å in the two bands (docs/benchmarks.md#short-distances); a full fit now gives
  // 0.13 and 0.76; this 60-iteration one, whose ACE extrapolates less well below the data, 0.13 and 1.01
  // (measured 2026-12-07): a bound of 1 there would fail on the iteration budget, not on a defect.
  const short = shortDistances(result.potentialPath, 'kumagai-si', 60);
  console.log(
    `short distances: median force error ${short.near.medianForceRmse.toFixed(2)} eV/Å at 95-100 %, ` +
      `${short.inside.medianForceRmse.toFixed(2)} at 85-95 %; compression below 85 %: ` +
      short.compressions
        .map((c) => c.points.map((p) => `${p.fraction}: ${p.potential.toFixed(2)}`).join(', '))
        .join('; '),
  );
  expect(short.near.medianForceRmse).toBeLessThan(1);
  expect(short.inside.medianForceRmse).toBeLessThan(1.5);
  expect(short.near.pushedApart).toBe(1);
  expect(short.inside.pushedApart).toBe(1);
  // Below 85 % down to 60 % of the shortest distance, where the blend to core repulsion ends: a pair pushed
  // closer always costs energy.
  expect(short.compressions.map((c) => c.pair)).toEqual(['Si-Si']);
  expect(short.compressions.flatMap((c) => notRepulsive(c, 0.85))).toEqual([]);
}, 600_000);

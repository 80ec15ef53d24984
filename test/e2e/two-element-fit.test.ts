/**
 * What a user of a two-element campaign relies on, through the real pipeline: Erhart–Albe silicon–carbon
 * across compositions (seed-demo --labeller erhart-albe-sic), a small basis and iteration budget (the full
 * default run is `npm run bench -- fidelity --labeller erhart-albe-sic`). One fit, read by every assertion.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import YAML from 'yaml';
import type { TrainingResult } from '../../src/api';
import type { Env } from '../../src/config/env';
import { potentialsCollection } from '../../src/registry/potentials';
import { trainPotential } from '../../workflows/train-potential';
import { rawErrors } from '../harness/raw-errors';
import { shortDistances } from '../harness/short-distances';
import { seedCampaign, startWorkers, testEnv, type RunningWorkers } from '../harness/training-env';

const STRUCTURES = 40;
let env: Env;
let running: RunningWorkers;
let result: TrainingResult;

beforeAll(async () => {
  env = testEnv();
  await seedCampaign(env, 'sic', STRUCTURES, ['--labeller', 'erhart-albe-sic']);
  running = await startWorkers(env);
  result = await running.client.workflow.execute(trainPotential, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `sic-${randomUUID()}`,
    args: [
      { campaign: 'sic', trainer: { ace: { functionsPerElement: 30 }, optimizer: { maxIterations: 30 } } },
    ],
  });
}, 600_000);
afterAll(async () => {
  await running?.stop();
});

test('its test set holds structures of every composition class the campaign has two or more of', () => {
  const input = YAML.parse(
    fs.readFileSync(path.join(path.dirname(result.potentialPath), 'input.yaml'), 'utf8'),
  ) as {
    data: { test_filename?: string };
  };
  expect(input.data.test_filename).toBeDefined();
  const train = result.metrics.train.byComposition!;
  const test = result.metrics.test!.byComposition!;
  const several = Object.keys(train).filter((c) => train[c]!.structures + (test[c]?.structures ?? 0) >= 2);
  expect(several.length).toBeGreaterThan(2);
  expect(Object.keys(test).sort()).toEqual(several.sort());
  expect(Object.keys(result.metrics.test!.byElement ?? {})).toEqual(['C', 'Si']);
});

test('the published .yace gives the data’s total energies: with no offset removed, its errors are pacemaker’s own', async () => {
  const mongo = await MongoClient.connect(env.MONGODB_URI);
  try {
    const record = await potentialsCollection(mongo.db(env.MLIP_DB)).findOne({ _id: result.potentialId });
    expect(Object.keys(record!.referenceEnergies!)).toEqual(['C', 'Si']);
  } finally {
    await mongo.close();
  }
  // The campaign's own structures, evaluated by pyace as LAMMPS would: each composition weighs the two
  // elements' E0 differently, so a wrong or swapped E0 shows as an error far from the fit's.
  const raw = rawErrors(result.potentialPath, 'erhart-albe-sic', { start: 0, count: STRUCTURES });
  const { train, test } = result.metrics;
  const combined = Math.sqrt(
    (train.structures * train.rmseEnergyMeVPerAtom ** 2 +
      test!.structures * test!.rmseEnergyMeVPerAtom ** 2) /
      (train.structures + test!.structures),
  );
  // Within 1 %: pyace evaluates splines of the radial functions where pacemaker's tensorpot did not. An E0
  // left at zero would be off by about 5,000 meV/atom, two swapped by over 1,000.
  expect(Math.abs(raw.rmseEnergyMeVPerAtom - combined)).toBeLessThan(0.01 * combined + 0.5);
});

test('just inside the shortest distances of its data, forces stay bounded and the pair is pushed apart', () => {
  const measured = shortDistances(result.potentialPath, 'erhart-albe-sic', STRUCTURES);
  // pacemaker's 0.1 Å switch to ZBL gave medians of 5-15 eV/Å here (docs/benchmarks.md#short-distances).
  expect(measured.near.medianForceRmse).toBeLessThan(1);
  expect(measured.near.pushedApart).toBe(1);
  expect(measured.inside.pushedApart).toBe(1);
});

/**
 * A committee member's resample (src/training-set/bootstrap-resample.ts →
 * python/mlip_autopipe/helpers/bootstrap_dataset.py) on a real pacemaker dataset: N draws with replacement,
 * the undrawn structures as the test set, and the same seed gives the same files, so a retried or replayed
 * member fits exactly what it fitted before.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INSTALLED } from '../../src/config/paths';
import { bootstrapResample } from '../../src/training-set/bootstrap-resample';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
let dir: string;
let dataset: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-resample-'));
  dataset = path.join(dir, 'dataset.pckl.gzip');
  execFileSync(INSTALLED.python, [path.join(FIXTURES, 'tiny_emt_dataset.py'), dataset, '12']);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The energies of a pacemaker pickle, in row order (they identify the fixture's structures). */
function energies(file: string): number[] {
  const script =
    'import sys, json, pandas as pd; print(json.dumps(pd.read_pickle(sys.argv[1], compression="gzip").energy.tolist()))';
  return JSON.parse(execFileSync(INSTALLED.python, ['-c', script, file], { encoding: 'utf8' })) as number[];
}

async function resample(seed: number, name: string) {
  const workspaceDir = path.join(dir, name);
  fs.mkdirSync(workspaceDir, { recursive: true });
  return bootstrapResample({ python: INSTALLED.python, datasetPath: dataset, workspaceDir, seed });
}

test('a member fits N structures drawn with replacement and tests on exactly those it did not draw', async () => {
  const all = energies(dataset);
  const r = await resample(43, 'm1');
  const train = energies(r.trainPath);
  const test = energies(r.testPath!);
  expect(train).toHaveLength(all.length);
  expect(new Set(train).size).toBe(r.summary.distinct);
  expect(r.summary.distinct).toBeLessThan(all.length); // some drawn twice
  expect(test).toHaveLength(r.summary.outOfBag);
  expect(test.filter((e) => train.includes(e))).toEqual([]);
  expect([...new Set([...train, ...test])].sort()).toEqual([...all].sort());
  expect(r.summary).toMatchObject({ method: 'bootstrap', seed: 43, structures: all.length });
});

test('the same seed draws the same files, byte for byte; another seed draws another resample', async () => {
  const a = await resample(7, 'a');
  const firstBytes = [fs.readFileSync(a.trainPath), fs.readFileSync(a.testPath!)];
  const first = energies(a.trainPath);
  const again = await resample(7, 'a'); // a retried attempt, over the first one's files
  expect(again.summary).toEqual(a.summary);
  expect(fs.readFileSync(again.trainPath).equals(firstBytes[0]!)).toBe(true);
  expect(fs.readFileSync(again.testPath!).equals(firstBytes[1]!)).toBe(true);
  const other = await resample(8, 'b');
  expect(energies(other.trainPath)).not.toEqual(first);
});

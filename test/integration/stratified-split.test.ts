/**
 * A several-element training's test set comes from every composition class of its data
 * (python/mlip_autopipe/helpers/stratified_split.py through src/training-set/stratified-split.ts), so that a
 * small class is tested too.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { INSTALLED } from '../../src/config/paths';
import { stratifiedSplit, stratifiedSplitNote } from '../../src/training-set';
import { scratchDir } from '../harness/context';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);

/** Structures per composition class in a pickle, as the helper's own classes name them. */
function classesOf(file: string): Record<string, number> {
  const code = [
    'import sys, json, collections, pandas as pd',
    'from mlip_autopipe.common.composition import composition_class',
    'df = pd.read_pickle(sys.argv[1], compression="gzip")',
    'print(json.dumps(collections.Counter(composition_class(collections.Counter(a.get_chemical_symbols())) for a in df["ase_atoms"])))',
  ].join('\n');
  return JSON.parse(execFileSync(INSTALLED.python, ['-c', code, file], { encoding: 'utf8' })) as Record<
    string,
    number
  >;
}

test('every composition class with two or more structures gives at least one to the test set, the same for the same seed', async () => {
  const ws = scratchDir('stratified-split');
  const dataset = path.join(ws, 'dataset.pckl.gzip');
  execFileSync(INSTALLED.python, [fixture('tiny_emt_binary_dataset.py'), dataset, '24']);
  const all = classesOf(dataset);
  expect(Object.keys(all).length).toBeGreaterThan(1);

  const split = await stratifiedSplit({
    python: INSTALLED.python,
    datasetPath: dataset,
    workspaceDir: ws,
    testSize: 0.1,
    seed: 7,
  });
  const held = classesOf(split.testPath!);
  const fitted = classesOf(split.trainPath);
  for (const [name, n] of Object.entries(all)) {
    expect((held[name] ?? 0) + (fitted[name] ?? 0)).toBe(n);
    if (n >= 2) expect(held[name]).toBeGreaterThanOrEqual(1);
    expect(fitted[name]).toBeGreaterThanOrEqual(1);
  }
  expect(split.summary.test).toBe(Object.values(held).reduce((a, b) => a + b, 0));
  expect(stratifiedSplitNote(split.summary)).toMatch(
    /^Test set: \d+ of 24 structures held out from every composition class \(/,
  );

  const again = await stratifiedSplit({
    python: INSTALLED.python,
    datasetPath: dataset,
    workspaceDir: ws,
    testSize: 0.1,
    seed: 7,
  });
  expect(again.summary).toEqual(split.summary);
  expect(classesOf(again.testPath!)).toEqual(held);
});

/**
 * The golden matrix of TrainerParams, through the generatePacemakerConfig activity and the real
 * `pacemaker --dry-run` on small real datasets: what we generate, pacemaker accepts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { parse } from 'yaml';
import { createGeneratePacemakerConfigActivity } from '../../activities/generate-pacemaker-config';
import { CONFIG_FILES, SPLIT_FILES } from '../../src/artefact-names';
import { INSTALLED } from '../../src/config/paths';
import { pacemakerDryRun } from '../../src/pacemaker/dry-run';
import type { TrainerParamsInput } from '../../src/api/trainer-params';
import { scratchDir } from '../harness/context';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);

const { generatePacemakerConfig } = createGeneratePacemakerConfigActivity({
  pacemakerBin: INSTALLED.pacemaker,
  python: INSTALLED.python,
});

let datasets: { cu: string; cuni: string };

beforeAll(() => {
  const dir = scratchDir('pacemaker-config-data');
  datasets = { cu: path.join(dir, 'cu.pckl.gzip'), cuni: path.join(dir, 'cuni.pckl.gzip') };
  execFileSync(INSTALLED.python, [fixture('tiny_emt_dataset.py'), datasets.cu, '6']);
  execFileSync(INSTALLED.python, [fixture('tiny_emt_binary_dataset.py'), datasets.cuni, '10']);
});

function dataset(kind: 'cu' | 'cuni') {
  return kind === 'cu'
    ? { elements: ['Cu'], pacemakerDatasetPath: datasets.cu, structures: 6 }
    : { elements: ['Cu', 'Ni'], pacemakerDatasetPath: datasets.cuni, structures: 10 };
}

const accepted: [string, 'cu' | 'cuni', TrainerParamsInput][] = [
  ['unary Cu with the defaults', 'cu', {}],
  [
    'unary Cu, seed loss weights, ChebExpCos, a Cu-Cu pair cutoff, an explicit reference energy',
    'cu',
    {
      lossWeights: { energy: 1, forces: 100 },
      ace: {
        radialBasis: 'ChebExpCos',
        cutoff: 5.5,
        elementDependentCutoffs: { 'Cu-Cu': 4.8 },
        correlationOrder: 2,
        functionsPerElement: 40,
      },
      referenceEnergy: 0,
      optimizer: { maxIterations: 10 },
    },
  ],
  [
    'binary Cu/Ni, pair cutoffs, per-element reference energies, energy weighting, test set, explicit repulsion',
    'cuni',
    {
      kappa: 0.5,
      ace: {
        elementDependentCutoffs: { 'Cu-Ni': 4.5, 'Ni-Ni': 4.2 },
        repulsion: { innerCutoff: 1.5, delta: 0.2 },
        embedding: { npot: 'FinnisSinclair', fsParameters: [1, 1], ndensity: 1 },
      },
      referenceEnergy: { Cu: -0.1, Ni: -0.2 },
      weighting: 'energy',
      testSize: 0.2,
      regularization: { l1: 1e-7, radialSmoothness: { w1: 1e-4 } },
    },
  ],
  [
    'binary Cu/Ni, automatic kappa and reference energies, ChebPow, L-BFGS-B, no repulsion, elements given',
    'cuni',
    {
      kappa: 'auto',
      referenceEnergy: 'auto',
      ace: { elements: ['Ni', 'Cu'], radialBasis: 'ChebPow', radialParameters: [2], repulsion: 'none' },
      optimizer: { algorithm: 'L-BFGS-B', fitCycles: 2 },
      backend: { batchSize: 5, displayStep: 2 },
    },
  ],
];

describe('generatePacemakerConfig writes an input.yaml that pacemaker --dry-run accepts', () => {
  test.each(accepted)('%s', async (_label, kind, trainer) => {
    const workspaceDir = scratchDir('ws');
    const result = await generatePacemakerConfig({ workspaceDir, trainer, dataset: dataset(kind) });
    expect(result.inputYamlPath).toBe(path.join(workspaceDir, 'input.yaml'));
    expect(result.elements).toEqual(dataset(kind).elements);
    const y = parse(fs.readFileSync(result.inputYamlPath, 'utf8'));
    // Two elements: the test set is held out from every composition class, in the workspace; one element
    // keeps pacemaker's own split of the dataset.
    const split = kind === 'cuni';
    expect(y.data.filename).toBe(split ? path.join(workspaceDir, SPLIT_FILES.train) : datasets[kind]);
    if (split) expect(y.data.test_filename).toBe(path.join(workspaceDir, SPLIT_FILES.test));
    expect(y.fit.loss.kappa).toBe(result.kappa);
    // The dry run's own files (log.txt, target_potential.yaml, ...) never mix with the training's.
    expect(fs.readdirSync(workspaceDir).sort()).toEqual(
      split ? ['input.yaml', SPLIT_FILES.test, SPLIT_FILES.train].sort() : ['input.yaml'],
    );
    expect(JSON.stringify(result).length).toBeLessThan(4000); // it goes into workflow history
  });
});

test('the tensorpot evaluator is installed by the set-up, so a config that asks for it passes here', async () => {
  expect(spawnSync(INSTALLED.python, ['-c', 'import tensorpotential, tensorflow']).status).toBe(0);
  const trainer: TrainerParamsInput = {
    backend: { evaluator: 'tensorpot', batchSize: 10 },
    ace: { elementDependentCutoffs: { 'Cu-Ni': 4.5 } },
  };
  const run = generatePacemakerConfig({
    workspaceDir: scratchDir('ws-tensorpot'),
    trainer,
    dataset: dataset('cuni'),
  });
  await expect(run).resolves.toMatchObject({ elements: ['Cu', 'Ni'] });
});

test('a worker without TensorFlow refuses the tensorpot evaluator up front (pacemaker --dry-run alone would pass)', async () => {
  const withoutTensorFlow = createGeneratePacemakerConfigActivity({
    pacemakerBin: path.join(__dirname, '..', 'doubles', 'pacemaker-without-tensorflow.sh'),
    python: path.join(__dirname, '..', 'doubles', 'python-without-tensorflow.sh'),
  }).generatePacemakerConfig;
  process.env.REAL_PYTHON = INSTALLED.python;
  const workspaceDir = scratchDir('ws-no-tensorflow');
  const trainer: TrainerParamsInput = {
    backend: { evaluator: 'tensorpot' },
    ace: { functionsPerElement: 10 },
  };
  const failure = await withoutTensorFlow({ workspaceDir, trainer, dataset: dataset('cu') }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: 'WorkerMisconfigured', nonRetryable: true });
  expect((failure as Error).message).toMatch(
    /backend\.evaluator is "tensorpot".*No module named 'tensorpotential'.*use backend\.evaluator "pyace"/,
  );

  // The dry run itself accepted the file: the document is right, only the backend is missing.
  const dryRun = await pacemakerDryRun({
    pacemakerBin: path.join(__dirname, '..', 'doubles', 'pacemaker-without-tensorflow.sh'),
    inputYamlPath: path.join(workspaceDir, 'input.yaml'),
    cwd: path.join(workspaceDir, CONFIG_FILES.dryRunDir),
  });
  expect(dryRun).toEqual({ ok: true, errorLines: ["No module named 'tensorpotential'"] });
});

test('a basis larger than its shapes can hold is refused with the most that can be asked for, not cut short', async () => {
  const workspaceDir = scratchDir('ws-basis');
  const trainer: TrainerParamsInput = {
    ace: { correlationOrder: 3, nradmaxByOrder: [5, 2, 2], lmaxByOrder: [0, 1, 1], functionsPerElement: 60 },
  };
  const failure = await generatePacemakerConfig({ workspaceDir, trainer, dataset: dataset('cu') }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toMatchObject({ type: 'InvalidTrainerConfig', nonRetryable: true });
  expect((failure as Error).message).toMatch(
    /ace\.functionsPerElement asks for 60 .* hold only 21 for Cu .*ask for at most 21, or widen the shapes/,
  );
  // The maximum it names is accepted, and is what pacemaker then builds.
  const accepted = await generatePacemakerConfig({
    workspaceDir: scratchDir('ws-basis-max'),
    trainer: { ace: { ...trainer.ace, functionsPerElement: 21 } },
    dataset: dataset('cu'),
  });
  expect(accepted.trainer.ace.functionsPerElement).toBe(21);
});

test('a dataset too small for the default test split is fitted whole, and input.yaml says so', async () => {
  const workspaceDir = scratchDir('ws-small');
  const result = await generatePacemakerConfig({
    workspaceDir,
    trainer: {},
    dataset: dataset('cu'),
  });
  const text = fs.readFileSync(result.inputYamlPath, 'utf8');
  expect(parse(text).data.test_size).toBeUndefined();
  expect(text).toMatch(
    /^# No test split: testSize 0\.1 of 6 structures holds out none; the whole dataset is fitted\.$/m,
  );
});

test("a dataset pacemaker cannot read fails non-retryably with pacemaker's own message, trimmed", async () => {
  const workspaceDir = scratchDir('ws-bad-data');
  const bad = path.join(workspaceDir, 'broken.pckl.gzip');
  fs.writeFileSync(bad, 'this is not a gzip pickle');
  const failure = await generatePacemakerConfig({
    workspaceDir,
    trainer: {},
    dataset: { elements: ['Cu'], pacemakerDatasetPath: bad },
  }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toMatchObject({ type: 'InvalidTrainerConfig', nonRetryable: true });
  const message = (failure as Error).message;
  expect(message).toBe(
    "pacemaker --dry-run rejected the generated input.yaml: gzip.BadGzipFile: Not a gzipped file (b'th')",
  );
  expect(message).not.toMatch(/Traceback|File "/);
  expect(message.length).toBeLessThan(2200);
});

test('invalid TrainerParams are refused before pacemaker runs, naming the fields', async () => {
  const workspaceDir = scratchDir('ws-invalid');
  const failure = await generatePacemakerConfig({
    workspaceDir,
    trainer: { lossWeights: { stress: 10 }, ace: { elements: ['Cu', 'Al'] } } as TrainerParamsInput,
    dataset: dataset('cu'),
  }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toMatchObject({ type: 'InvalidTrainerConfig', nonRetryable: true });
  expect((failure as Error).message).toMatch(/lossWeights\.stress: pacemaker cannot fit stress/);
  expect(fs.existsSync(path.join(workspaceDir, 'input.yaml'))).toBe(false);
});

test('elements given that the data does not have are refused, naming them', async () => {
  const failure = await generatePacemakerConfig({
    workspaceDir: scratchDir('ws-elements'),
    trainer: { ace: { elements: ['Cu', 'Al'] } },
    dataset: dataset('cu'),
  }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toMatchObject({ type: 'InvalidTrainerConfig', nonRetryable: true });
  expect((failure as Error).message).toMatch(/ace\.elements: Al not in the training data/);
});

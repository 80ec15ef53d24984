import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { MongoClient } from 'mongodb';
import { createFetchTrainingDataActivity } from '../../activities/fetch-training-data';
import { main } from '../../src/cli/main';
import { INSTALLED } from '../../src/config/paths';
import { connectDatabase, type DatabaseHandle } from '../../src/db/connection';
import { exportTrainingSet } from '../../src/training-set/export-training-set';
import { FailureType } from '../../src/api';
import { connectTestMongo, scratchDir, testDatabaseName, testMongoUri } from '../harness/context';
import { tinyPacemakerInput } from '../fixtures/tiny-pacemaker-input';

let client: MongoClient;
let database: DatabaseHandle;
beforeAll(async () => {
  client = await connectTestMongo();
  database = connectDatabase(testMongoUri(), testDatabaseName());
});
afterAll(async () => {
  await client?.db(testDatabaseName()).dropDatabase();
  await client?.close();
  await database?.close();
});

const fetchTrainingData = () =>
  createFetchTrainingDataActivity({ database, python: INSTALLED.python }).fetchTrainingData;

/** Reads the extxyz with ASE and compares every number with the documents, exactly (float64 equality). */
const compareWithAse = `
import json, sys
import numpy as np
from ase.io import read
frames = read(sys.argv[1], index=":")
docs = json.load(open(sys.argv[2]))
assert len(frames) == len(docs), (len(frames), len(docs))
def same(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(a == b))
problems = []
for atoms, doc in zip(frames, docs):
    s, r = doc["structure"], doc["results"]
    n = len(s["symbols"])
    checks = {
        "calc_id": str(atoms.info["calc_id"]) == doc["_id"],
        "species": atoms.get_chemical_symbols() == s["symbols"],
        "positions": same(atoms.positions, np.reshape(s["positions"], (n, 3))),
        "forces": same(atoms.calc.results["forces"], np.reshape(r["forces"], (n, 3))),
        "energy": atoms.calc.results["energy"] == r["energy"] and isinstance(atoms.calc.results["energy"], float),
        "pbc": atoms.pbc.tolist() == s["pbc"],
        "lattice": same(atoms.cell.array, np.zeros((3, 3)) if s["cell"] is None else np.reshape(s["cell"], (3, 3))),
        "stress": ("stress" not in atoms.calc.results) if r.get("stress") is None
                  else same(atoms.calc.results["stress"], r["stress"]),
    }
    problems += [f"{doc['_id']}: {k}" for k, ok in checks.items() if not ok]
print(json.dumps({"frames": len(frames), "problems": problems}))
`;

test('ase.io.read of the extxyz gives back every number of the documents exactly: species, positions, forces, energy, stress, lattice, pbc, id', async () => {
  const tricky = [0, -0, 1e-12, 1.8050000000000002, 0.1 + 0.2, 1e21, 5e-324, -Math.PI * 1e5, 2 ** -40];
  const pick = (k: number) => tricky[k % tricky.length]! + (k % 7) * 0.37;
  const docs = [
    {
      _id: 'bulk "quoted" \\ id',
      structure: {
        symbols: ['Cu', 'Ni', 'Cu'],
        positions: Array.from({ length: 9 }, (_, k) => tricky[k]!),
        cell: [3.61, 0, 0, 0.1 + 0.2, 3.61, 0, 0, 1e-12, 3.6100000000000003],
        pbc: [true, true, true],
      },
      results: {
        energy: -10.5,
        forces: Array.from({ length: 9 }, (_, k) => -pick(k)),
        stress: [1e-4, -2e-4, 3e-4, 4.000000000000001e-5, 0, -0],
      },
    },
    {
      _id: '123',
      structure: {
        symbols: ['Cu', 'Cu'],
        positions: [0, 0, 10, 1.27, 1.27, 11.8],
        cell: [2.55, 0, 0, 1.275, 1.275 * Math.sqrt(3), 0, 0, 0, 25],
        pbc: [true, true, false],
      },
      results: { energy: -7, forces: [0.01, 0.02, -0.3, -0.01, -0.02, 0.3] },
    },
    {
      _id: 'molecule',
      structure: {
        symbols: ['H', 'O', 'H'],
        positions: [0.76, 0.59, 0, 0, 0, 0, -0.76, 0.59, 0],
        cell: null,
        pbc: [false, false, false],
      },
      results: { energy: -14.22512345678901, forces: [0.1, 0.2, 0, 0, -0.4, 0, -0.1, 0.2, 0] },
    },
  ].map((d) => ({ ...d, campaign: 'roundtrip', status: 'completed', generation: 0 }));
  await client.db(testDatabaseName()).collection<{ _id: string }>('calculations').insertMany(docs);
  const workspace = scratchDir('roundtrip');
  // The portable extxyz alone (as `mlip-train dataset export` writes it): pacemaker's pickle cannot hold
  // the partly periodic slab, see the next test.
  const { manifest } = await exportTrainingSet({
    db: await database.db(),
    campaign: 'roundtrip',
    selection: {},
    invalidRecords: 'fail',
    extxyzPath: path.join(workspace, 'dataset.extxyz'),
    manifestPath: path.join(workspace, 'manifest.json'),
  });
  const summary = {
    structures: manifest.counts.structures,
    extxyzPath: path.join(workspace, 'dataset.extxyz'),
  };
  expect(summary.structures).toBe(3);

  // Documents in the dataset's order (by _id), with -0 as MongoDB gives it back.
  const expected = [...docs].sort((a, b) => (a._id < b._id ? -1 : 1));
  const docsFile = path.join(workspace, 'expected.json');
  fs.writeFileSync(docsFile, JSON.stringify(expected));
  const report = JSON.parse(
    execFileSync(INSTALLED.python, ['-c', compareWithAse, summary.extxyzPath, docsFile], {
      encoding: 'utf8',
    }),
  ) as { frames: number; problems: string[] };
  expect(report).toEqual({ frames: 3, problems: [] });
});

test('a partly periodic structure, which pacemaker cannot fit, fails fetchTrainingData non-retryably naming it', async () => {
  const failure = await fetchTrainingData()({
    workspaceDir: scratchDir('mixed-pbc'),
    campaign: 'roundtrip',
    selection: {},
    invalidRecords: 'fail',
  }).then(
    () => undefined,
    (e: unknown) => e as ApplicationFailure,
  );
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type: FailureType.InvalidTrainingData, nonRetryable: true });
  expect(failure?.message).toMatch(
    /only fully periodic or non-periodic structures; 1 structure\(s\) .*: 123$/,
  );
});

test('pacemaker --dry-run accepts the pacemaker dataset fetched from EMT demo calculations', async () => {
  const io = {
    out: () => undefined,
    err: (l: string) => console.error(l),
    env: { MONGODB_URI: testMongoUri(), MLIP_DB: testDatabaseName() },
  };
  expect(
    await main(
      ['seed-demo', '--campaign', 'pace', '--elements', 'Cu,Ni', '--count', '12', '--seed', '3'],
      io,
    ),
  ).toBe(0);
  const workspace = scratchDir('pace-dry-run');
  const summary = await fetchTrainingData()({
    workspaceDir: workspace,
    campaign: 'pace',
    selection: {},
    invalidRecords: 'fail',
  });
  expect(summary).toMatchObject({ structures: 12, elements: ['Cu', 'Ni'] });

  // The columns pacemaker reads, with the same numbers as the extxyz.
  const columns = execFileSync(
    INSTALLED.python,
    [
      '-c',
      `import sys, json, pandas as pd, numpy as np
from ase.io import read
df = pd.read_pickle(sys.argv[1], compression="gzip")
frames = read(sys.argv[2], index=":")
ok = all(np.array_equal(a.positions, f.positions) and np.array_equal(fo, f.calc.results["forces"]) and e == f.calc.results["energy"]
         for a, fo, e, f in zip(df.ase_atoms, df.forces, df.energy, frames))
print(json.dumps({"columns": list(df.columns), "rows": len(df), "same": bool(ok), "corrected": bool((df.energy == df.energy_corrected).all())}))`,
      summary.pacemakerDatasetPath,
      summary.extxyzPath,
    ],
    { encoding: 'utf8' },
  );
  expect(JSON.parse(columns)).toEqual({
    columns: ['ase_atoms', 'energy', 'forces', 'energy_corrected', 'calc_id'],
    rows: 12,
    same: true,
    corrected: true,
  });

  fs.writeFileSync(
    path.join(workspace, 'input.yaml'),
    tinyPacemakerInput(summary.pacemakerDatasetPath, ['Cu', 'Ni']),
  );
  const run = spawnSync(INSTALLED.pacemaker, ['input.yaml', '--dry-run'], {
    cwd: workspace,
    encoding: 'utf8',
    timeout: 180_000,
  });
  const log = `${run.stdout}\n${run.stderr}`;
  expect({ status: run.status, tail: run.status === 0 ? '' : log.slice(-3000) }).toEqual({
    status: 0,
    tail: '',
  });
  expect(fs.readFileSync(path.join(workspace, 'log.txt'), 'utf8')).toMatch(
    /12 structures|Dataset size|dry.?run/i,
  );
});

/**
 * `mlip-train potentials --lineage`, against the real MongoDB-wire server with registry documents as
 * publishPotential writes them (no fit needed: the lineage is read from the registry alone).
 */
import type { MongoClient } from 'mongodb';
import { insertPotential, type PotentialRecord } from '../../src/registry/potentials';
import { connectTestMongo, testDatabaseName } from '../harness/context';
import { runRegistryCli } from '../harness/cli';

let mongo: MongoClient;

function record(
  id: string,
  opts: { parent?: string; structures: number; f: number; day: number },
): PotentialRecord {
  const [name, v] = id.split('@v') as [string, string];
  const split = {
    structures: opts.structures,
    atoms: opts.structures * 8,
    rmseEnergyMeVPerAtom: opts.f / 20,
    maeEnergyMeVPerAtom: opts.f / 30,
    rmseForcesMeVPerA: opts.f,
    maeForcesMeVPerA: opts.f / 1.5,
  };
  return {
    _id: id,
    name,
    version: Number(v),
    campaign: 'si-loop',
    directory: `/potentials/${name}/v${v}`,
    files: {},
    dataset: {
      structures: opts.structures,
      atoms: opts.structures * 8,
      sha256: 'a'.repeat(64),
      elements: ['Si'],
    },
    trainer: {},
    metrics: { train: split, test: null },
    iterations: 100,
    pacemakerVersion: '0.4.0rc1',
    workflowId: `w-${id}`,
    runId: 'r',
    publishKey: `w-${id}/r`,
    ...(opts.parent ? { parent: opts.parent } : {}),
    createdAt: new Date(Date.UTC(2026, 10, opts.day)),
  };
}

const cli = runRegistryCli;

beforeAll(async () => {
  mongo = await connectTestMongo();
  const db = mongo.db(testDatabaseName());
  // Three generations of "si", the third grown from a committee member of another name; one cold retrain.
  for (const r of [
    record('si@v1', { structures: 80, f: 90, day: 1 }),
    record('si@v2', { parent: 'si@v1', structures: 120, f: 70, day: 2 }),
    record('si-big@v1', { parent: 'si@v2', structures: 160, f: 55, day: 3 }),
    record('si@v3', { parent: 'si-big@v1', structures: 200, f: 48, day: 4 }),
    record('other@v1', { structures: 10, f: 200, day: 5 }),
  ])
    await insertPotential(db, r);
});
afterAll(async () => {
  await mongo?.close();
});

test('--lineage NAME lists every version of NAME and its ancestors newest first, each with its parent and RMSEs', async () => {
  const r = await cli(['potentials', '--lineage', 'si']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.out[0]).toMatch(
    /^ID +PARENT +STRUCTURES +ITERATIONS +TRAIN E\/F RMSE +TEST E\/F RMSE +PUBLISHED$/,
  );
  const rows = r.out.slice(1, 5).map((l) => l.split(/\s{2,}/));
  expect(rows.map((c) => [c[0], c[1], c[2]])).toEqual([
    ['si@v3', 'si-big@v1', '200'],
    ['si-big@v1', 'si@v2', '160'],
    ['si@v2', 'si@v1', '120'],
    ['si@v1', '-', '80'],
  ]);
  // The force RMSE falls generation by generation: the figure a user reads the chain for.
  expect(rows.map((c) => c[4])).toEqual(['2.40 / 48.0', '2.75 / 55.0', '3.50 / 70.0', '4.50 / 90.0']);
  expect(r.stdout).not.toContain('other@v1');
  expect(r.stdout).toMatch(/warm-started from \(- : trained from zero\)/);
});

test('--lineage NAME@vK follows one version back; --json gives the documents in that order', async () => {
  const r = await cli(['potentials', '--lineage', 'si@v2', '--json']);
  expect(r.code).toBe(0);
  const parsed = JSON.parse(r.stdout) as { lineage: PotentialRecord[]; missingParents: string[] };
  expect(parsed.lineage.map((p) => [p._id, p.parent ?? null])).toEqual([
    ['si@v2', 'si@v1'],
    ['si@v1', null],
  ]);
  expect(parsed.missingParents).toEqual([]);
});

test('a parent that is no longer registered is named; an unknown potential exits 1', async () => {
  await insertPotential(
    mongo.db(testDatabaseName()),
    record('orphan@v1', { parent: 'gone@v4', structures: 5, f: 100, day: 6 }),
  );
  const r = await cli(['potentials', '--lineage', 'orphan']);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^orphan@v1 +gone@v4 /m);
  expect(r.stdout).toContain('(parent gone@v4 is no longer in the registry)');

  const missing = await cli(['potentials', '--lineage', 'nope']);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('no potential nope in the registry');
});

test('--lineage with --name is a usage error; --help documents it', async () => {
  const bad = await cli(['potentials', '--lineage', 'si', '--name', 'si']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('leave out --name and --show');
  const help = await cli(['potentials', '--help']);
  expect(help.stdout).toMatch(
    /--lineage NAME\[@vK\] +the warm-start chain: each version → its parent, newest first/,
  );
});

/**
 * What a user of a potential published before the reference energies were folded into its .yace sees and
 * does: `potentials --show` says its energies are relative and by how much, and `potentials --absolute`
 * writes a copy that returns absolute energies, leaving the published file as it is. Registry documents as
 * publishPotential writes them, against the real MongoDB-wire server; no fit needed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { yaceReferenceEnergies } from '../../src/pacemaker';
import { insertPotential, type PotentialRecord } from '../../src/registry/potentials';
import { connectTestMongo, scratchDir, testDatabaseName } from '../harness/context';
import { runRegistryCli } from '../harness/cli';

let mongo: MongoClient;
let dir: string;

const split = {
  structures: 10,
  atoms: 80,
  rmseEnergyMeVPerAtom: 3,
  maeEnergyMeVPerAtom: 2,
  rmseForcesMeVPerA: 50,
  maeForcesMeVPerA: 40,
};

function record(id: string, versionDir: string, referenceEnergies?: Record<string, number>): PotentialRecord {
  const [name, v] = id.split('@v') as [string, string];
  const file = (f: string) => ({ path: path.join(versionDir, f), sha256: 'b'.repeat(64), bytes: 1 });
  return {
    _id: id,
    name,
    version: Number(v),
    campaign: 'cu',
    directory: versionDir,
    files: { yace: file('potential.yace'), potentialYaml: file('output_potential.yaml') },
    dataset: { structures: 10, atoms: 80, sha256: 'a'.repeat(64), elements: ['Cu'] },
    trainer: { referenceEnergy: 'auto' },
    metrics: { train: split, test: null },
    iterations: 5,
    ...(referenceEnergies ? { referenceEnergies } : {}),
    pacemakerVersion: '0.4.0rc1',
    workflowId: `w-${id}`,
    runId: 'r',
    publishKey: `w-${id}/r`,
    createdAt: new Date(),
  };
}

/** A version directory as an older release published it: pacemaker's metadata, E0 zero in the .yace. */
function publishedBefore(name: string): string {
  const versionDir = path.join(dir, name, 'v1');
  fs.mkdirSync(versionDir, { recursive: true });
  const fixture = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'tiny-cu-potential.yaml'), 'utf8');
  fs.writeFileSync(
    path.join(versionDir, 'output_potential.yaml'),
    fixture.replace(/^metadata:\n/, 'metadata:\n  reference_energy: "{\\"Cu\\": -3.5, \\"shift\\": 0.25}"\n'),
  );
  execFileSync('bash', [
    path.join(__dirname, '..', 'doubles', 'fast-pace-yaml2yace.sh'),
    path.join(versionDir, 'output_potential.yaml'),
    '-o',
    path.join(versionDir, 'potential.yace'),
  ]);
  return versionDir;
}

const cli = runRegistryCli;

beforeAll(async () => {
  mongo = await connectTestMongo();
  dir = scratchDir('absolute-energies');
  const db = mongo.db(testDatabaseName());
  await insertPotential(db, record('old-cu@v1', publishedBefore('old-cu')));
  await insertPotential(db, record('new-cu@v1', publishedBefore('new-cu'), { Cu: -3.75 }));
});
afterAll(async () => {
  await mongo?.close();
});

test('--show says a version published before is RELATIVE, by how much per atom, and how to get an absolute copy', async () => {
  const r = await cli(['potentials', '--show', 'old-cu@v1']);
  const line = r.out.find((l) => l.startsWith('energies'));
  // pacemaker's "auto": Cu -3.5 eV with a shift of 0.25 eV/atom, so -3.75 per Cu atom.
  expect(line).toMatch(
    /RELATIVE: .*add per atom, eV: Cu -3\.7500.*mlip-train potentials --absolute old-cu@v1 --out FILE\.yace/,
  );
  expect((await cli(['potentials', '--show', 'new-cu@v1'])).out).toContain(
    'energies        absolute (E0 per atom, eV: Cu -3.7500)',
  );
});

test('--absolute writes a copy with the references in E0, never over an existing file, and leaves the published one alone', async () => {
  const out = path.join(dir, 'old-cu-absolute.yace');
  const published = path.join(dir, 'old-cu', 'v1', 'potential.yace');
  const before = fs.readFileSync(published, 'utf8');
  const r = await cli(['potentials', '--absolute', 'old-cu@v1', '--out', out]);
  expect(r.code).toBe(0);
  expect(yaceReferenceEnergies(fs.readFileSync(out, 'utf8'))).toEqual({ Cu: -3.75 });
  expect(fs.readFileSync(published, 'utf8')).toBe(before);

  const again = await cli(['potentials', '--absolute', 'old-cu@v1', '--out', out]);
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/exists: name a new file \(nothing was overwritten\)/);

  const usage = await cli(['potentials', '--absolute', 'old-cu']);
  expect(usage.code).toBe(2);
});

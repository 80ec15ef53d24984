/**
 * lookupInitialPotential against the real MongoDB-wire server, with registry documents and potential
 * files as publishPotential leaves them: what a warm start learns about its parent, and when it refuses.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { createInitialPotentialActivity } from '../../activities/initial-potential';
import { connectDatabase, type DatabaseHandle } from '../../src/db/connection';
import { insertPotential, type PotentialRecord } from '../../src/registry/potentials';
import { resolveTrainerParams } from '../../src/api/trainer-params';
import { connectTestMongo, scratchDir, testDatabaseName, testMongoUri } from '../harness/context';

const fixture = path.join(__dirname, '..', 'fixtures', 'tiny-cu-potential.yaml');
let mongo: MongoClient;
let database: DatabaseHandle;
let dir: string;
let lookup: ReturnType<typeof createInitialPotentialActivity>['lookupInitialPotential'];

const split = {
  structures: 10,
  atoms: 320,
  rmseEnergyMeVPerAtom: 5,
  maeEnergyMeVPerAtom: 4,
  rmseForcesMeVPerA: 50,
  maeForcesMeVPerA: 40,
};

/** Publishes `yaml` as NAME@v1 the way publishPotential registers it, with the given trainer input. */
async function publish(name: string, yaml: string, trainer: unknown = {}): Promise<string> {
  const file = path.join(dir, name, 'v1', 'output_potential.yaml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, yaml);
  const record: PotentialRecord = {
    _id: `${name}@v1`,
    name,
    version: 1,
    campaign: 'c',
    directory: path.dirname(file),
    files: {
      potentialYaml: {
        path: file,
        sha256: createHash('sha256').update(yaml).digest('hex'),
        bytes: Buffer.byteLength(yaml),
      },
    },
    dataset: { structures: 10, atoms: 320, sha256: 'b'.repeat(64), elements: ['Cu'] },
    trainer: resolveTrainerParams(trainer) as unknown as Record<string, unknown>,
    metrics: { train: split, test: null },
    iterations: 10,
    pacemakerVersion: '0.4.0rc1',
    workflowId: `w-${name}`,
    runId: 'r',
    publishKey: `w-${name}/r`,
    createdAt: new Date(),
  };
  await insertPotential(mongo.db(testDatabaseName()), record);
  return file;
}

/** The fixture potential with a reference_energy entry added to its metadata. */
const withReferenceEnergy = (json: string) =>
  fs.readFileSync(fixture, 'utf8').replace(/^metadata:\n/, `metadata:\n  reference_energy: '${json}'\n`);

async function refusal(id: string): Promise<ApplicationFailure> {
  const err = await lookup({ initialPotential: id }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

beforeAll(async () => {
  mongo = await connectTestMongo();
  database = connectDatabase(testMongoUri(), testDatabaseName());
  dir = scratchDir('initial-potential');
  lookup = createInitialPotentialActivity({ database, hostId: 'host-a' }).lookupInitialPotential;
});
afterAll(async () => {
  await database?.close();
  await mongo?.close();
});

test("a parent fitted with reference_energy auto: its elements, its ace settings, and per-element energies with pacemaker's shift folded in", async () => {
  const file = await publish('auto', withReferenceEnergy('{"Cu": 0.0453, "shift": -0.0174}'), {
    ace: { functionsPerElement: 6, correlationOrder: 2 },
  });
  const parent = await lookup({ initialPotential: 'auto@v1' });
  expect(parent).toMatchObject({ id: 'auto@v1', potentialYamlPath: file, elements: ['Cu'] });
  expect(parent.referenceEnergy.Cu).toBeCloseTo(0.0453 + 0.0174, 12);
  expect(parent.ace).toMatchObject({ functionsPerElement: 6, correlationOrder: 2, cutoff: 5 });
});

test('a parent fitted with one constant reference energy (pacemaker stores "{}"): the value from its trainer', async () => {
  await publish('constant', withReferenceEnergy('{}'), { referenceEnergy: -3.5 });
  expect((await lookup({ initialPotential: 'constant@v1' })).referenceEnergy).toEqual({ Cu: -3.5 });
});

test('a potential file changed after publication is refused: it is not the parent the registry describes', async () => {
  const file = await publish('edited', withReferenceEnergy('{"Cu": 0.1}'));
  fs.appendFileSync(file, '# edited by hand\n');
  const failure = await refusal('edited@v1');
  expect(failure.type).toBe('InvalidTrainingRequest');
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toMatch(/is not the file registered as edited@v1 .* changed after publication/);
});

test('an unknown name says that nothing is registered under it', async () => {
  const failure = await refusal('never@v1');
  expect(failure.type).toBe('InvalidTrainingRequest');
  expect(failure.message).toBe(
    'initialPotential: no potential never@v1 in the registry (nothing is registered under the name never); list them with: mlip-train potentials --name never',
  );
});

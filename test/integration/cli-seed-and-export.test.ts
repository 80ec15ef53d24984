import fs from 'node:fs';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { main } from '../../src/cli/main';
import { ExitCode, type CliIo } from '../../src/cli/command';
import { ManifestSchema } from '../../src/dataset/manifest';
import { connectTestMongo, scratchDir, testDatabaseName, testMongoUri } from '../harness/context';

let client: MongoClient;
beforeAll(async () => {
  client = await connectTestMongo();
});
afterAll(async () => {
  await client?.db(testDatabaseName()).dropDatabase();
  await client?.close();
});

/** Runs `mlip-train ARGS` in-process against the test database, capturing what it prints. */
async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: { MONGODB_URI: testMongoUri(), MLIP_DB: testDatabaseName(), PATH: process.env.PATH },
  };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const calculations = () => client.db(testDatabaseName()).collection<{ _id: string }>('calculations');

test('seed-demo inserts completed EMT calculations in contract-v1 shape with deterministic ids', async () => {
  const r = await cli('seed-demo', '--campaign', 'seeded', '--count', '8', '--seed', '5', '--json');
  expect(r).toMatchObject({ code: ExitCode.Ok, err: '' });
  expect(JSON.parse(r.out)).toMatchObject({
    campaign: 'seeded',
    inserted: 8,
    alreadyPresent: 0,
    elements: ['Cu'],
  });
  const docs = await calculations().find({ campaign: 'seeded' }).sort({ _id: 1 }).toArray();
  expect(docs).toHaveLength(8);
  expect(docs[0]).toMatchObject({
    _id: 'seeded/emt-Cu-seed5-000000',
    status: 'completed',
    generation: 0,
    dft: { code: 'ASE-EMT', xc: 'EMT', settingsHash: expect.stringMatching(/^[0-9a-f]{16}$/) },
    structure: { symbols: expect.any(Array), positions: expect.any(Array), pbc: [true, true, true] },
    results: { energy: expect.any(Number), forces: expect.any(Array) },
  });
  for (const d of docs as unknown as {
    structure: { symbols: string[]; positions: number[] };
    results: { forces: number[] };
  }[]) {
    expect(d.structure.positions).toHaveLength(3 * d.structure.symbols.length);
    expect(d.results.forces).toHaveLength(3 * d.structure.symbols.length);
  }
});

test('seed-demo refuses a campaign that already has documents, and --append never duplicates', async () => {
  expect((await cli('seed-demo', '--campaign', 'guarded', '--count', '4')).code).toBe(ExitCode.Ok);
  const refused = await cli('seed-demo', '--campaign', 'guarded', '--count', '4');
  expect(refused.code).toBe(ExitCode.Failed);
  expect(refused.err).toMatch(
    /campaign 'guarded' already has 4 document\(s\).*nothing was changed.*--append/s,
  );

  const again = await cli('seed-demo', '--campaign', 'guarded', '--count', '6', '--append');
  expect(again).toMatchObject({ code: ExitCode.Ok });
  expect(again.out).toMatch(/seeded 2 EMT calculation\(s\).*4 already present/);
  expect(await calculations().countDocuments({ campaign: 'guarded' })).toBe(6);
});

test('seed-demo gives the same structures for the same seed, and a binary alloy with --elements Cu,Ni', async () => {
  await cli('seed-demo', '--campaign', 'alloy-a', '--elements', 'Cu,Ni', '--count', '5', '--seed', '9');
  await cli('seed-demo', '--campaign', 'alloy-b', '--elements', 'Cu,Ni', '--count', '5', '--seed', '9');
  const content = async (campaign: string) =>
    await calculations()
      .find({ campaign }, { projection: { _id: 0, structure: 1, results: 1 } })
      .sort({ _id: 1 })
      .toArray();
  const a = await content('alloy-a');
  expect(a).toEqual(await content('alloy-b'));
  const symbols = new Set(
    a.flatMap((d) => (d as unknown as { structure: { symbols: string[] } }).structure.symbols),
  );
  expect([...symbols].sort()).toEqual(['Cu', 'Ni']);
});

test('dataset export writes the extxyz and its manifest and reports them', async () => {
  await cli('seed-demo', '--campaign', 'export-me', '--count', '6', '--seed', '1');
  const dir = scratchDir('cli-export');
  const out = path.join(dir, 'cu.extxyz');
  const r = await cli('dataset', 'export', '--campaign', 'export-me', '--out', out, '--json');
  expect(r).toMatchObject({ code: ExitCode.Ok, err: '' });
  const summary = JSON.parse(r.out);
  expect(summary).toMatchObject({
    extxyzPath: out,
    manifestPath: path.join(dir, 'cu.manifest.json'),
    pacemakerDatasetPath: null,
    structures: 6,
    elements: ['Cu'],
  });
  expect(fs.readdirSync(dir).sort()).toEqual(['cu.extxyz', 'cu.manifest.json']);
  const manifest = ManifestSchema.parse(JSON.parse(fs.readFileSync(summary.manifestPath, 'utf8')));
  expect(manifest.sha256).toBe(summary.sha256);
  expect(fs.readFileSync(out, 'utf8').match(/^Lattice=/gm)).toHaveLength(6);

  const text = await cli(
    'dataset',
    'export',
    '--campaign',
    'export-me',
    '--out',
    out,
    '--limit',
    '2',
    '--pacemaker',
  );
  expect(text.code).toBe(ExitCode.Ok);
  expect(text.out).toMatch(/^wrote 2 structures \(\d+ atoms; Cu\) to .*cu\.extxyz$/m);
  expect(text.out).toMatch(/pacemaker dataset: .*cu\.pckl\.gzip/);
  expect(fs.existsSync(path.join(dir, 'cu.pckl.gzip'))).toBe(true);
});

test('dataset export of a campaign with nothing completed fails with exit code 1 and the per-status counts', async () => {
  await calculations().insertOne({ _id: 'only-pending', campaign: 'not-yet', status: 'pending' } as never);
  const r = await cli(
    'dataset',
    'export',
    '--campaign',
    'not-yet',
    '--out',
    path.join(scratchDir('cli-empty'), 'x.extxyz'),
  );
  expect(r.code).toBe(ExitCode.Failed);
  expect(r.err).toMatch(/EmptyTrainingSet: .*documents per status: pending: 1/);
});

test.each<[string, string[], RegExp]>([
  ['a missing --campaign', ['dataset', 'export'], /--campaign is required/],
  ['an unknown sub-command', ['dataset', 'import'], /expected a sub-command: export/],
  [
    'a bad --invalid-records',
    ['dataset', 'export', '--campaign', 'c', '--invalid-records', 'ignore'],
    /fail or skip/,
  ],
  ['a negative --max-force', ['dataset', 'export', '--campaign', 'c', '--max-force=-1'], /maxForce/],
  ['an unknown flag', ['seed-demo', '--colour', 'blue'], /colour/],
  ['a non-EMT element', ['seed-demo', '--elements', 'Fe'], /EMT metals/],
  ['a count that is not a number', ['seed-demo', '--count', 'many'], /--count must be a number/],
])('%s is a usage error (exit code 2)', async (_name, args, message) => {
  const r = await cli(...args);
  expect(r.code).toBe(ExitCode.Usage);
  expect(r.err).toMatch(message);
});

test('both commands explain themselves with --help and are listed by mlip-train --help', async () => {
  expect((await cli('seed-demo', '--help')).out).toMatch(/^Usage: mlip-train seed-demo/);
  expect((await cli('dataset', '--help')).out).toMatch(/^Usage: mlip-train dataset export --campaign NAME/);
  const overview = await cli('--help');
  expect(overview.out).toMatch(/seed-demo/);
  expect(overview.out).toMatch(/dataset/);
});

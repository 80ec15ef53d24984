import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { CalculationDocumentSchema } from '../../src/calculations/calculation-schema';
import { main } from '../../src/cli/main';
import { ExitCode, type CliIo } from '../../src/cli/command';
import { EMT_SETTINGS_HASH, KUMAGAI_SI_SETTINGS_HASH } from '../../src/demo';
import { INSTALLED } from '../../src/config/paths';
import { ManifestSchema } from '../../src/training-set/manifest';
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

test('seed-demo --elements with five EMT metals seeds a high-entropy alloy: equiatomic, one-element-dominant and other compositions, every element present', async () => {
  const r = await cli(
    'seed-demo',
    '--campaign',
    'hea',
    '--elements',
    'Al,Ni,Cu,Pd,Ag',
    '--count',
    '12',
    '--seed',
    '4',
  );
  expect(r.code).toBe(ExitCode.Ok);
  const docs = (await calculations()
    .find({ campaign: 'hea' }, { projection: { _id: 0, structure: 1 } })
    .toArray()) as unknown as { structure: { symbols: string[] } }[];
  const shares = docs.map(({ structure: { symbols } }) => {
    const counts = new Map<string, number>();
    for (const s of symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
    return { kinds: counts.size, largest: Math.max(...counts.values()) / symbols.length };
  });
  expect(new Set(docs.flatMap((d) => d.structure.symbols))).toEqual(new Set(['Al', 'Ni', 'Cu', 'Pd', 'Ag']));
  // Equiatomic-like cells hold all five with no element above 40 %; dominated ones one element above half.
  expect(shares.some((s) => s.kinds === 5 && s.largest <= 0.4)).toBe(true);
  expect(shares.some((s) => s.largest >= 0.5)).toBe(true);
  expect(shares.every((s) => s.kinds >= 2)).toBe(true);
});

test('seed-demo --labeller kumagai-si inserts contract-valid Si calculations with the Kumagai settings', async () => {
  const r = await cli(
    'seed-demo',
    '--labeller',
    'kumagai-si',
    '--campaign',
    'silicon',
    '--count',
    '12',
    '--seed',
    '3',
    '--json',
  );
  expect(r).toMatchObject({ code: ExitCode.Ok, err: '' });
  expect(JSON.parse(r.out)).toMatchObject({
    campaign: 'silicon',
    labeller: 'kumagai-si',
    elements: ['Si'],
    inserted: 12,
    alreadyPresent: 0,
  });
  const docs = await calculations().find({ campaign: 'silicon' }).sort({ _id: 1 }).toArray();
  expect(docs).toHaveLength(12);
  expect(docs[0]).toMatchObject({
    _id: 'silicon/kumagai-Si-seed3-000000',
    status: 'completed',
    generation: 0,
    dft: {
      code: 'matscipy-Kumagai',
      xc: 'Kumagai-Izumi-Hara-Sakai 2007 (Si)',
      calculator: 'matscipy.calculators.manybody.Manybody(Kumagai)',
      settingsHash: KUMAGAI_SI_SETTINGS_HASH,
    },
  });
  expect(KUMAGAI_SI_SETTINGS_HASH).toMatch(/^[0-9a-f]{16}$/);
  expect(KUMAGAI_SI_SETTINGS_HASH).not.toBe(EMT_SETTINGS_HASH);
  const kinds = new Set<string>();
  for (const d of docs) {
    const parsed = CalculationDocumentSchema.parse(d);
    expect(new Set(parsed.structure.symbols)).toEqual(new Set(['Si']));
    expect(parsed.structure.pbc).toEqual([true, true, true]);
    expect(parsed.results.stress).toHaveLength(6);
    const n = parsed.structure.symbols.length;
    expect(n).toBeGreaterThanOrEqual(8);
    expect(n).toBeLessThanOrEqual(64);
    // Bound silicon: a few eV per atom below the free atoms, whatever the phase.
    expect(parsed.results.energy / n).toBeGreaterThan(-6);
    expect(parsed.results.energy / n).toBeLessThan(-3);
    kinds.add((d as unknown as { dft: { kind: string } }).dft.kind);
  }
  expect(kinds.size).toBeGreaterThan(1);
});

test('seed-demo --labeller kumagai-si twice with the same seed inserts nothing the second time', async () => {
  const args = ['seed-demo', '--labeller', 'kumagai-si', '--campaign', 'si-twice', '--count', '5'];
  expect((await cli(...args)).code).toBe(ExitCode.Ok);
  const before = await calculations().find({ campaign: 'si-twice' }).sort({ _id: 1 }).toArray();
  const again = await cli(...args, '--append', '--json');
  expect(again.code).toBe(ExitCode.Ok);
  expect(JSON.parse(again.out)).toMatchObject({ inserted: 0, alreadyPresent: 5 });
  expect(await calculations().find({ campaign: 'si-twice' }).sort({ _id: 1 }).toArray()).toEqual(before);
  expect(before.map((d) => d._id)).toEqual(
    [0, 1, 2, 3, 4].map((i) => `si-twice/kumagai-Si-seed0-${String(i).padStart(6, '0')}`),
  );
});

test('the Kumagai silicon labeller is size-consistent: perfect diamond has the same energy per atom in 8- and 64-atom cells', () => {
  // The factory's own calculator, imported from python/mlip_autopipe/demo/silicon_factory.py.
  const script = [
    'import json',
    'from ase.build import bulk',
    'from mlip_autopipe.demo.silicon_factory import CALCULATOR',
    'out = {}',
    'for name, reps in (("cell8", (1, 1, 1)), ("cell64", (2, 2, 2))):',
    '    atoms = bulk("Si", "diamond", a=5.43, cubic=True).repeat(reps)',
    '    atoms.calc = CALCULATOR',
    '    out[name] = {"n": len(atoms), "perAtom": float(atoms.get_potential_energy()) / len(atoms),',
    '                 "maxForce": float(abs(atoms.get_forces()).max())}',
    'print(json.dumps(out))',
  ].join('\n');
  const result = JSON.parse(execFileSync(INSTALLED.python, ['-c', script], { encoding: 'utf8' })) as Record<
    'cell8' | 'cell64',
    { n: number; perAtom: number; maxForce: number }
  >;
  expect(result.cell8.n).toBe(8);
  expect(result.cell64.n).toBe(64);
  expect(Math.abs(result.cell8.perAtom - result.cell64.perAtom)).toBeLessThan(1e-6);
  // Kumagai's diamond silicon binds by about 4.6 eV/atom, and a perfect crystal feels no force.
  expect(result.cell8.perAtom).toBeGreaterThan(-4.8);
  expect(result.cell8.perAtom).toBeLessThan(-4.4);
  expect(result.cell64.maxForce).toBeLessThan(1e-6);
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
  ['six EMT metals', ['seed-demo', '--elements', 'Al,Ni,Cu,Pd,Ag,Pt'], /one to 5 distinct EMT metals/],
  ['an unknown labeller', ['seed-demo', '--labeller', 'dft'], /--labeller must be one of emt, kumagai-si/],
  [
    'an element other than Si for the silicon labeller',
    ['seed-demo', '--labeller', 'kumagai-si', '--elements', 'Cu'],
    /--elements: --labeller kumagai-si labels Si only/,
  ],
  [
    'other elements for the silicon-carbon labeller',
    ['seed-demo', '--labeller', 'erhart-albe-sic', '--elements', 'Si'],
    /--elements: --labeller erhart-albe-sic labels C,Si only/,
  ],
  ['a count that is not a number', ['seed-demo', '--count', 'many'], /--count must be a number/],
])('%s is a usage error (exit code 2)', async (_name, args, message) => {
  const r = await cli(...args);
  expect(r.code).toBe(ExitCode.Usage);
  expect(r.err).toMatch(message);
});

test('both commands explain themselves with --help and are listed by mlip-train --help', async () => {
  const seedHelp = (await cli('seed-demo', '--help')).out;
  expect(seedHelp).toMatch(/^Usage: mlip-train seed-demo/);
  expect(seedHelp).toMatch(/--labeller NAME\s+emt\|kumagai-si\|erhart-albe-sic/);
  expect((await cli('dataset', '--help')).out).toMatch(/^Usage: mlip-train dataset export --campaign NAME/);
  const overview = await cli('--help');
  expect(overview.out).toMatch(/seed-demo/);
  expect(overview.out).toMatch(/dataset/);
});

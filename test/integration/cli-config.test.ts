import fs from 'node:fs';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { parse } from 'yaml';
import { main } from '../../src/cli/main';
import { connectTestMongo, scratchDir, testDatabaseName, testMongoUri } from '../harness/context';

function fakeIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
    env: { MONGODB_URI: testMongoUri(), MLIP_DB: testDatabaseName() },
  };
  return { io, out, err, stdout: () => out.join('\n'), stderr: () => err.join('\n') };
}

function calculation(campaign: string, status: string, symbols: string[]) {
  return {
    campaign,
    generation: 0,
    status,
    structure: {
      symbols,
      positions: symbols.flatMap((_, i) => [i * 1.8, 0, 0]),
      cell: [10, 0, 0, 0, 10, 0, 0, 0, 10],
      pbc: [true, true, true],
    },
    ...(status === 'completed'
      ? { results: { energy: -3.5 * symbols.length, forces: symbols.flatMap(() => [0, 0, 0]) } }
      : {}),
  };
}

let client: MongoClient;
let dir: string;

beforeAll(async () => {
  client = await connectTestMongo();
  const calculations = client.db(testDatabaseName()).collection('calculations');
  await calculations.deleteMany({});
  await calculations.insertMany([
    calculation('cuni', 'completed', ['Cu', 'Cu', 'Ni']),
    calculation('cuni', 'completed', ['Ni', 'Ni']),
    calculation('cuni', 'pending', ['Al', 'Al']), // not completed: its elements do not count
    calculation('cu', 'completed', ['Cu', 'Cu', 'Cu', 'Cu']),
    calculation('other', 'completed', ['Fe']),
  ]);
  dir = scratchDir('cli-config');
});

afterAll(async () => {
  await client.db(testDatabaseName()).dropDatabase();
  await client.close();
});

test('config --print shows the input.yaml a training would use, with the elements of the completed calculations', async () => {
  const t = fakeIo();
  const code = await main(['config', '--campaign', 'cuni', '--print'], t.io);
  expect(t.stderr()).toBe('');
  expect(code).toBe(0);
  const y = parse(t.stdout());
  expect(y.potential.elements).toEqual(['Cu', 'Ni']);
  expect(y.fit.loss.kappa).toBe(0.3);
  expect(y.data.filename).toBe('dataset.pckl.gzip');
  expect(y.backend.evaluator).toBe('tensorpot');
  expect(t.stdout()).toMatch(/^# Campaign cuni, elements from its completed calculations/m);
});

test('config --trainer FILE.yaml applies the parameters, with pair cutoffs in the bonds section', async () => {
  const trainerFile = path.join(dir, 'trainer.yaml');
  fs.writeFileSync(
    trainerFile,
    'lossWeights: {energy: 1, forces: 3}\nace:\n  elementDependentCutoffs: {"Ni-Cu": 5.5}\nbackend: {evaluator: pyace}\n',
  );
  const t = fakeIo();
  expect(await main(['config', '--campaign', 'cuni', '--trainer', trainerFile, '--print'], t.io)).toBe(0);
  const y = parse(t.stdout());
  expect(y.fit.loss.kappa).toBe(0.75);
  expect(y.potential.bonds.CuNi).toEqual({ rcut: 5.5 });
  expect(y.backend.evaluator).toBe('pyace');
  expect(y.backend.gpu_config).toBeUndefined(); // a tensorpot-only setting
});

test('config --trainer FILE.json with an unknown field fails naming it', async () => {
  const trainerFile = path.join(dir, 'typo.json');
  fs.writeFileSync(trainerFile, JSON.stringify({ optimizer: { maxIteration: 10 } }));
  const t = fakeIo();
  expect(await main(['config', '--campaign', 'cu', '--trainer', trainerFile, '--print'], t.io)).toBe(1);
  expect(t.stderr()).toMatch(/optimizer\.maxIteration: unknown field/);
  expect(t.stdout()).toBe('');
});

test('config refuses trainer elements that differ from the campaign data, naming them', async () => {
  const trainerFile = path.join(dir, 'elements.yaml');
  fs.writeFileSync(trainerFile, 'ace: {elements: [Cu]}\n');
  const t = fakeIo();
  expect(await main(['config', '--campaign', 'cuni', '--trainer', trainerFile, '--print'], t.io)).toBe(1);
  expect(t.stderr()).toMatch(/ace\.elements: the training data also has Ni/);
});

test('config writes input.yaml to --out, and refuses to overwrite it without --force', async () => {
  const out = path.join(dir, 'written', 'input.yaml');
  fs.mkdirSync(path.dirname(out));
  const first = fakeIo();
  expect(await main(['config', '--campaign', 'cu', '--out', out], first.io)).toBe(0);
  expect(first.stdout()).toBe(`wrote ${out} (elements Cu; fit.loss.kappa 0.3)`);
  expect(parse(fs.readFileSync(out, 'utf8')).potential.elements).toEqual(['Cu']);

  fs.writeFileSync(out, 'my own edits\n');
  const second = fakeIo();
  expect(await main(['config', '--campaign', 'cu', '--out', out], second.io)).toBe(1);
  expect(second.stderr()).toMatch(/exists; not overwritten \(use --force/);
  expect(fs.readFileSync(out, 'utf8')).toBe('my own edits\n');

  const forced = fakeIo();
  expect(await main(['config', '--campaign', 'cu', '--out', out, '--force', '--json'], forced.io)).toBe(0);
  expect(JSON.parse(forced.stdout())).toEqual({ inputYamlPath: out, elements: ['Cu'], kappa: 0.3 });
  expect(fs.readFileSync(out, 'utf8')).toMatch(/^# pacemaker input.yaml generated/);
});

test('config for a campaign without completed calculations fails and says so', async () => {
  const t = fakeIo();
  expect(await main(['config', '--campaign', 'nothing-here', '--print'], t.io)).toBe(1);
  expect(t.stderr()).toMatch(/no completed calculations/);
});

test('config --explain lists every parameter with default and description, also as JSON', async () => {
  const t = fakeIo();
  expect(await main(['config', '--explain'], t.io)).toBe(0);
  expect(t.stdout()).toMatch(/^lossWeights\.stress {2}\(number ≥ 0; default 0\)$/m);
  expect(t.stdout()).toMatch(/^backend\.evaluator {2}\("tensorpot" \| "pyace"; default "tensorpot"\)$/m);

  const j = fakeIo();
  expect(await main(['config', '--explain', '--json'], j.io)).toBe(0);
  const entries = JSON.parse(j.stdout()) as { field: string; default: string; description: string }[];
  expect(entries.find((e) => e.field === 'optimizer.maxIterations')?.default).toBe('500');
  expect(entries.find((e) => e.field === 'backend.gpu.memoryLimitMb')?.description).toMatch(/MiB/);
});

test('config without --campaign or with --print and --out together is a usage error', async () => {
  const a = fakeIo();
  expect(await main(['config'], a.io)).toBe(2);
  expect(a.stderr()).toMatch(/--campaign is required/);
  const b = fakeIo();
  expect(await main(['config', '--campaign', 'cu', '--print', '--out', 'x.yaml'], b.io)).toBe(2);
});

/**
 * publishPotential publishes the figures pacemaker draws at the end of a fit (report/*.png and the
 * root-level *_ef-distributions.png), and `mlip-train potentials --show` lists them. The workspace is a
 * real tiny pacemaker fit with a test split (a few seconds), run once for the file; the activity is
 * called directly against the real MongoDB-wire server.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  createPublishPotentialActivity,
  MAX_FIGURES,
  type PublishPotentialInput,
} from '../../activities/publish-potential';
import { INSTALLED } from '../../src/config/paths';
import { connectDatabase, type DatabaseHandle } from '../../src/db/connection';
import { potentialsCollection, type PotentialRecord } from '../../src/registry/potentials';
import { scratchDir, testDatabaseName, testMongoUri } from '../harness/context';
import { tinyPacemakerInput } from '../fixtures/tiny-pacemaker-input';
import { resolveTrainerParams } from '../../src/api';
import { runRegistryCli } from '../harness/cli';

/** What pacemaker (python-ace 0.4) draws for a fit with a train and a test set. */
const PACEMAKER_FIGURES = [
  'test_E-dE-dist.png',
  'test_E-dE-nn.png',
  'test_EF-pairplots.png',
  'test_F-dF-dist.png',
  'test_Fi-dFi-dist.png',
  'test_ef-distributions.png', // in the workspace root
  'train_E-dE-dist.png',
  'train_E-dE-nn.png',
  'train_EF-pairplots.png',
  'train_F-dF-dist.png',
  'train_Fi-dFi-dist.png',
  'train_ef-distributions.png', // in the workspace root
];

let database: DatabaseHandle;
let potentialsDir: string;
let fitDir: string;
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A real tiny fit: dataset, input.yaml with a test split, pacemaker, pace_yaml2yace. */
function realFit(dir: string) {
  execFileSync(INSTALLED.python, [
    path.join(__dirname, '..', 'fixtures', 'tiny_emt_dataset.py'),
    path.join(dir, 'data.pckl.gzip'),
    '8',
  ]);
  fs.writeFileSync(
    path.join(dir, 'input.yaml'),
    tinyPacemakerInput('data.pckl.gzip', ['Cu']).replace(
      'data:\n  filename: data.pckl.gzip\n',
      'data:\n  filename: data.pckl.gzip\n  test_size: 0.25\n',
    ),
  );
  execFileSync(INSTALLED.pacemaker, ['input.yaml'], { cwd: dir, stdio: 'ignore', timeout: 240_000 });
  execFileSync(INSTALLED.paceYaml2Yace, ['output_potential.yaml', '-o', 'potential.yace'], {
    cwd: dir,
    stdio: 'ignore',
  });
}

/** A workspace as the workflow hands it to publishPotential: the fit's files plus a manifest. */
function workspaceFrom(dir: string): string {
  const ws = scratchDir('publish-ws');
  for (const name of ['input.yaml', 'output_potential.yaml', 'potential.yace', 'log.txt', 'metrics.txt'])
    fs.copyFileSync(path.join(dir, name), path.join(ws, name));
  fs.writeFileSync(path.join(ws, 'manifest.json'), '{"structures": 8}\n');
  return ws;
}

function publishInput(ws: string, name: string, runId: string = randomUUID()): PublishPotentialInput {
  const split = {
    structures: 6,
    atoms: 24,
    rmseEnergyMeVPerAtom: 1,
    maeEnergyMeVPerAtom: 1,
    rmseForcesMeVPerA: 10,
    maeForcesMeVPerA: 8,
  };
  return {
    workspaceDir: ws,
    name,
    campaign: 'cu-figures',
    inputYamlPath: path.join(ws, 'input.yaml'),
    dataset: {
      extxyzPath: path.join(ws, 'dataset.extxyz'),
      pacemakerDatasetPath: path.join(ws, 'data.pckl.gzip'),
      manifestPath: path.join(ws, 'manifest.json'),
      structures: 8,
      atoms: 32,
      elements: ['Cu'],
      sha256: 'a'.repeat(64),
      excluded: 0,
      duplicates: 0,
      skippedInvalid: 0,
    },
    trainer: resolveTrainerParams({}),
    training: {
      yacePath: path.join(ws, 'potential.yace'),
      potentialYamlPath: path.join(ws, 'output_potential.yaml'),
      logPath: path.join(ws, 'log.txt'),
      metrics: { train: split, test: { ...split, structures: 2, atoms: 8 } },
      iterations: 5,
    },
    workflowId: `publish-figures-${name}`,
    runId,
  };
}

const activity = () =>
  createPublishPotentialActivity({ database, potentialsDir, pacemakerBin: INSTALLED.pacemaker });

async function registered(id: string): Promise<PotentialRecord> {
  const record = await potentialsCollection(await database.db()).findOne({ _id: id });
  if (!record) throw new Error(`${id} is not registered`);
  return record;
}

const cli = runRegistryCli;

beforeAll(() => {
  database = connectDatabase(testMongoUri(), testDatabaseName());
  potentialsDir = path.join(scratchDir('publish-figures'), 'potentials');
  fitDir = scratchDir('publish-fit');
  realFit(fitDir);
}, 300_000);
afterAll(async () => {
  await database?.close();
});

test('the real fit drew the figures this feature publishes, under the names it expects', () => {
  const drawn = [
    ...fs.readdirSync(path.join(fitDir, 'report')),
    ...fs.readdirSync(fitDir).filter((n) => n.endsWith('_ef-distributions.png')),
  ].sort();
  expect(drawn).toEqual(PACEMAKER_FIGURES);
});

test('publishPotential copies pacemaker’s figures into report/, byte for byte, and registers each with its SHA-256', async () => {
  const ws = workspaceFrom(fitDir);
  fs.cpSync(path.join(fitDir, 'report'), path.join(ws, 'report'), { recursive: true });
  for (const split of ['train', 'test'])
    fs.copyFileSync(
      path.join(fitDir, `${split}_ef-distributions.png`),
      path.join(ws, `${split}_ef-distributions.png`),
    );
  const source = (name: string) =>
    name.endsWith('_ef-distributions.png') ? path.join(ws, name) : path.join(ws, 'report', name);

  const published = await activity().publishPotential(publishInput(ws, 'cu-fig'));
  expect(published.potentialId).toBe('cu-fig@v1');
  const reportDir = path.join(published.directory, 'report');
  expect(fs.readdirSync(reportDir).sort()).toEqual(PACEMAKER_FIGURES);
  for (const name of PACEMAKER_FIGURES)
    expect(fs.readFileSync(path.join(reportDir, name)).equals(fs.readFileSync(source(name)))).toBe(true);
  // The learning curve is still drawn from pacemaker's metrics table.
  expect(fs.readFileSync(path.join(published.directory, 'learning-curve.svg'), 'utf8')).toContain('</svg>');

  const record = await registered('cu-fig@v1');
  expect(record.figures).toEqual(
    PACEMAKER_FIGURES.map((name) => ({
      file: `report/${name}`,
      path: path.join(reportDir, name),
      sha256: sha256(source(name)),
      bytes: fs.statSync(source(name)).size,
    })),
  );
  expect(record.files.learningCurve?.path).toBe(path.join(published.directory, 'learning-curve.svg'));

  // A retry that finds the files moved into place but no document (the attempt died in between)
  // registers the figures that are there, in the same version.
  const retry = publishInput(ws, 'cu-fig', 'retried-run');
  const first = await activity().publishPotential(retry);
  expect(first.version).toBe(2);
  await potentialsCollection(await database.db()).deleteOne({ _id: first.potentialId });
  expect(await activity().publishPotential(retry)).toEqual(first);
  expect((await registered(first.potentialId)).figures?.map((f) => f.file)).toEqual(
    PACEMAKER_FIGURES.map((name) => `report/${name}`),
  );
  expect(fs.readdirSync(path.join(potentialsDir, 'cu-fig')).sort()).toEqual(['v1', 'v2']);
});

test('potentials --show lists each figure’s path and what it shows; --json gives them with their hashes', async () => {
  const record = await registered('cu-fig@v1');
  const show = await cli(['potentials', '--show', 'cu-fig@v1']);
  expect(show.stderr).toBe('');
  expect(show.code).toBe(0);
  expect(show.stdout).toContain(`learning curve  ${path.join(record.directory, 'learning-curve.svg')}`);
  expect(show.stdout).toContain(`potential       ${path.join(record.directory, 'potential.yace')}`);
  const listed = [...show.stdout.matchAll(/^figure {10}(\S+) +(.+)$/gm)].map((m) => [m[1], m[2]]);
  expect(listed.map(([file]) => file)).toEqual(
    PACEMAKER_FIGURES.map((name) => path.join(record.directory, 'report', name)),
  );
  const described = Object.fromEntries(listed.map(([file, what]) => [path.basename(file!), what]));
  expect(described['train_E-dE-dist.png']).toBe(
    'energy error vs reference energy, with their distributions (train)',
  );
  expect(described['test_EF-pairplots.png']).toBe(
    'predicted vs reference energies and force components (parity plots) (test)',
  );
  expect(described['train_ef-distributions.png']).toBe(
    'distributions of the reference energies and force magnitudes (train)',
  );
  for (const what of Object.values(described)) expect(what).not.toMatch(/^pacemaker figure/);

  const json = await cli(['potentials', '--show', 'cu-fig@v1', '--json']);
  expect(json.code).toBe(0);
  const shown = JSON.parse(json.stdout) as { figures: { file: string; path: string; sha256: string }[] };
  expect(shown.figures).toHaveLength(PACEMAKER_FIGURES.length);
  for (const f of shown.figures) {
    expect(f).toMatchObject({ description: expect.stringMatching(/\((train|test)\)$/) });
    expect(sha256(f.path)).toBe(f.sha256);
  }
  expect(shown.figures.map((f) => f.file)).toEqual(record.figures!.map((f) => f.file));

  expect((await cli(['potentials', '--help'])).stdout).toContain('report/*.png');
});

test('a fit without figures still publishes; only regular .png files are taken, at most MAX_FIGURES', async () => {
  const bare = workspaceFrom(fitDir);
  const plain = await activity().publishPotential(publishInput(bare, 'cu-bare'));
  expect(fs.existsSync(path.join(plain.directory, 'report'))).toBe(false);
  expect((await registered(plain.potentialId)).figures).toEqual([]);
  const show = await cli(['potentials', '--show', plain.potentialId]);
  expect(show.code).toBe(0);
  expect(show.stdout).not.toMatch(/^figure/m);

  const crowded = workspaceFrom(fitDir);
  const report = path.join(crowded, 'report');
  fs.mkdirSync(report);
  const png = path.join(fitDir, 'report', 'train_E-dE-dist.png');
  for (let i = 0; i < MAX_FIGURES + 10; i++)
    fs.copyFileSync(png, path.join(report, `fig-${String(i).padStart(3, '0')}.png`));
  fs.symlinkSync(png, path.join(report, 'a-link.png'));
  fs.mkdirSync(path.join(report, 'a-folder.png'));
  fs.writeFileSync(path.join(report, 'a-note.txt'), 'not a figure');
  fs.writeFileSync(path.join(crowded, 'train_other.png'), 'not one of pacemaker’s root figures');
  const many = await activity().publishPotential(publishInput(crowded, 'cu-many'));
  const copied = fs.readdirSync(path.join(many.directory, 'report')).sort();
  expect(copied).toHaveLength(MAX_FIGURES);
  expect(copied.every((n) => /^fig-\d{3}\.png$/.test(n))).toBe(true);
  expect(fs.lstatSync(path.join(many.directory, 'report', copied[0]!)).isFile()).toBe(true);
  expect((await registered(many.potentialId)).figures).toHaveLength(MAX_FIGURES);
});

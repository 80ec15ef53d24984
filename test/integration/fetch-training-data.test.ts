import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { MongoClient } from 'mongodb';
import {
  createFetchTrainingDataActivity,
  type FetchTrainingDataInput,
} from '../../activities/fetch-training-data';
import { INSTALLED } from '../../src/config/paths';
import { connectDatabase, type DatabaseHandle } from '../../src/db/connection';
import { exportTrainingSet, type ExportProgress } from '../../src/training-set/export-training-set';
import { ManifestSchema } from '../../src/training-set/manifest';
import { FailureType, type DatasetSummary } from '../../src/api';
import { connectTestMongo, scratchDir, testDatabaseName, testMongoUri } from '../harness/context';
import { startMongoWireServer, stopProcessGroups } from '../harness/services';

/** A contract-v1 document: N atoms of `symbols` in a periodic cubic cell, numbers derived from `seed`. */
function calcDoc(
  id: string,
  campaign: string,
  seed: number,
  opts: {
    symbols?: string[];
    status?: string;
    generation?: number;
    forceScale?: number;
    settingsHash?: string;
  } = {},
) {
  const symbols = opts.symbols ?? ['Cu', 'Cu', 'Cu', 'Cu'];
  const n = symbols.length;
  const wave = (k: number) => Math.sin(seed * 12.9898 + k * 78.233);
  return {
    _id: id,
    campaign,
    generation: opts.generation ?? 0,
    status: opts.status ?? 'completed',
    structure: {
      symbols,
      positions: Array.from({ length: 3 * n }, (_, k) => 3.61 * (0.5 + 0.5 * wave(k))),
      cell: [7.22, 0, 0, 0, 7.22, 0, 0, 0, 7.22],
      pbc: [true, true, true],
    },
    results: {
      energy: -3.5 * n + 0.01 * wave(99),
      forces: Array.from({ length: 3 * n }, (_, k) => (opts.forceScale ?? 1) * 0.5 * wave(k + 1000)),
      stress: [1e-3, 2e-3, 3e-3, 0, 0, 0].map((s, k) => s * (1 + wave(k + 500))),
    },
    dft: { code: 'VASP', xc: 'PBE', settingsHash: opts.settingsHash ?? 'settings-a' },
  };
}

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

const calculations = () =>
  client.db(testDatabaseName()).collection<ReturnType<typeof calcDoc>>('calculations');
const activity = () =>
  createFetchTrainingDataActivity({ database, python: INSTALLED.python }).fetchTrainingData;
const input = (campaign: string, more: Partial<FetchTrainingDataInput> = {}): FetchTrainingDataInput => ({
  workspaceDir: scratchDir('fetch'),
  campaign,
  selection: {},
  invalidRecords: 'fail',
  ...more,
});
const readManifest = (workspace: string) =>
  ManifestSchema.parse(JSON.parse(fs.readFileSync(path.join(workspace, 'manifest.json'), 'utf8')));
const outputsIn = (dir: string) => fs.readdirSync(dir).sort();

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

test('completed calculations of a campaign become extxyz, pacemaker pickle and manifest in the workspace', async () => {
  await calculations().insertMany([
    calcDoc('ok-1', 'basic', 1),
    calcDoc('ok-2', 'basic', 2, { symbols: ['Cu', 'Ni', 'Ni'] }),
    calcDoc('ok-3', 'basic', 3),
    calcDoc('pending-1', 'basic', 4, { status: 'pending' }),
    calcDoc('other-campaign', 'elsewhere', 5),
  ]);
  const args = input('basic');
  const summary = await activity()(args);
  expect(summary).toEqual({
    extxyzPath: path.join(args.workspaceDir, 'dataset.extxyz'),
    pacemakerDatasetPath: path.join(args.workspaceDir, 'dataset.pckl.gzip'),
    manifestPath: path.join(args.workspaceDir, 'manifest.json'),
    structures: 3,
    atoms: 11,
    elements: ['Cu', 'Ni'],
    sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    excluded: 0,
    duplicates: 0,
    skippedInvalid: 0,
  });
  expect(outputsIn(args.workspaceDir)).toEqual(['dataset.extxyz', 'dataset.pckl.gzip', 'manifest.json']);
  const manifest = readManifest(args.workspaceDir);
  expect(manifest.counts).toMatchObject({ structures: 3, atoms: 11, atomsPerElement: { Cu: 9, Ni: 2 } });
  expect(manifest.sha256).toBe(summary.sha256);
  const ids = [...fs.readFileSync(summary.extxyzPath, 'utf8').matchAll(/calc_id="([^"]*)"/g)].map(
    (m) => m[1],
  );
  expect(ids).toEqual(['ok-1', 'ok-2', 'ok-3']);
});

test('the same data gives the same dataset hash and the same bytes on every run, whatever the insertion order', async () => {
  const docs = Array.from({ length: 12 }, (_, i) => calcDoc(`det-${String(i).padStart(2, '0')}`, 'det', i));
  await calculations().insertMany([...docs].reverse());
  const first = await activity()(input('det'));
  const second = await activity()(input('det'));
  expect(second.sha256).toBe(first.sha256);
  expect(fs.readFileSync(second.extxyzPath)).toEqual(fs.readFileSync(first.extxyzPath));
  expect(fs.readFileSync(second.manifestPath)).toEqual(fs.readFileSync(first.manifestPath));
});

test('identical structures are kept once and counted as duplicates', async () => {
  await calculations().insertMany([
    calcDoc('dup-a', 'dups', 7),
    { ...calcDoc('dup-b', 'dups', 7) },
    calcDoc('dup-c', 'dups', 8),
    calcDoc('dup-d', 'dups', 7),
  ]);
  const args = input('dups');
  const summary = await activity()(args);
  expect(summary).toMatchObject({ structures: 2, duplicates: 2 });
  expect(readManifest(args.workspaceDir).duplicates).toEqual([
    { id: 'dup-b', duplicateOf: 'dup-a' },
    { id: 'dup-d', duplicateOf: 'dup-a' },
  ]);
});

test('structures above maxForce or with elements outside the selection are excluded and counted with reasons', async () => {
  await calculations().insertMany([
    calcDoc('f-ok', 'filters', 1),
    calcDoc('f-hot', 'filters', 2, { forceScale: 100 }),
    calcDoc('f-ni', 'filters', 3, { symbols: ['Cu', 'Ni'] }),
    calcDoc('f-ok2', 'filters', 4),
  ]);
  const args = input('filters', { selection: { maxForce: 10, elements: ['Cu'] } });
  const summary = await activity()(args);
  expect(summary).toMatchObject({ structures: 2, excluded: 2, elements: ['Cu'] });
  const manifest = readManifest(args.workspaceDir);
  expect(manifest.counts.excludedByReason).toEqual({ elements: 1, maxForce: 1 });
  expect(manifest.excluded).toEqual([
    {
      id: 'f-hot',
      reason: expect.stringMatching(/^maxForce: largest force component [\d.]+ eV\/Å > 10 eV\/Å$/),
    },
    { id: 'f-ni', reason: 'elements: contains Ni, not in the selection' },
  ]);
});

test('maxGeneration, dftSettingsHash and limit narrow the selection in a stable order', async () => {
  await calculations().insertMany([
    calcDoc('g-0', 'sel', 1, { generation: 0 }),
    calcDoc('g-1', 'sel', 2, { generation: 1 }),
    calcDoc('g-2', 'sel', 3, { generation: 2 }),
    calcDoc('g-1b', 'sel', 4, { generation: 1, settingsHash: 'settings-b' }),
    calcDoc('g-1c', 'sel', 5, { generation: 1 }),
  ]);
  const { generation: _omit, ...noGeneration } = calcDoc('g-none', 'sel', 6);
  await calculations().insertOne(noGeneration as ReturnType<typeof calcDoc>); // contract: missing = 0
  const ids = async (selection: FetchTrainingDataInput['selection']) => {
    const s = await activity()(input('sel', { selection }));
    return [...fs.readFileSync(s.extxyzPath, 'utf8').matchAll(/calc_id="([^"]*)"/g)].map((m) => m[1]);
  };
  expect(await ids({ maxGeneration: 1 })).toEqual(['g-0', 'g-1', 'g-1b', 'g-1c', 'g-none']);
  expect(await ids({ maxGeneration: 1, dftSettingsHash: 'settings-a' })).toEqual([
    'g-0',
    'g-1',
    'g-1c',
    'g-none',
  ]);
  expect(await ids({ limit: 2 })).toEqual(['g-0', 'g-1']);
});

test('invalid documents with invalidRecords "fail" fail non-retryably, naming 20 ids with reasons and the total', async () => {
  const bad = Array.from({ length: 25 }, (_, i) => {
    const d = calcDoc(`bad-${String(i).padStart(2, '0')}`, 'invalid-fail', i);
    d.structure.symbols = ['Cu', 'Cu', 'Cu', 'Xx'];
    return d;
  });
  await calculations().insertMany([calcDoc('good', 'invalid-fail', 100), ...bad]);
  const args = input('invalid-fail');
  const failure = await failureOf(activity()(args));
  expect(failure.type).toBe(FailureType.InvalidTrainingData);
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toMatch(
    /^25 calculation document\(s\) of campaign "invalid-fail" break contract v1/,
  );
  expect(failure.message).toContain('bad-00: structure.symbols.3: unknown chemical symbol');
  expect(failure.message).toContain('bad-19:');
  expect(failure.message).not.toContain('bad-20:');
  expect(failure.message).toContain('... and 5 more');
  expect(failure.details?.[0]).toMatchObject({ invalidCount: 25, invalid: expect.any(Array) });
  expect((failure.details?.[0] as { invalid: unknown[] }).invalid).toHaveLength(20);
  expect(outputsIn(args.workspaceDir)).toEqual([]);
});

test('invalid documents with invalidRecords "skip" are left out and listed with reasons in the manifest', async () => {
  const bad = calcDoc('skip-bad', 'invalid-skip', 1);
  bad.results.forces = bad.results.forces.slice(0, 5);
  await calculations().insertMany([calcDoc('skip-good', 'invalid-skip', 2), bad]);
  const args = input('invalid-skip', { invalidRecords: 'skip' });
  const summary = await activity()(args);
  expect(summary).toMatchObject({ structures: 1, skippedInvalid: 1 });
  expect(readManifest(args.workspaceDir).skippedInvalid).toEqual([
    { id: 'skip-bad', reason: 'results.forces: expected 3N = 12 numbers (N = 4 symbols), got 5' },
  ]);
});

test('a selection that matches nothing fails non-retryably with the campaign’s document count per status', async () => {
  await calculations().insertMany([
    calcDoc('e-1', 'empty', 1, { status: 'failed' }),
    calcDoc('e-2', 'empty', 2, { status: 'failed' }),
    calcDoc('e-3', 'empty', 3, { status: 'pending' }),
  ]);
  const failure = await failureOf(activity()(input('empty')));
  expect(failure.type).toBe(FailureType.EmptyTrainingSet);
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toMatch(/campaign "empty".*documents per status: failed: 2, pending: 1$/);

  const unknown = await failureOf(activity()(input('no-such-campaign')));
  expect(unknown.type).toBe(FailureType.EmptyTrainingSet);
  expect(unknown.message).toMatch(/documents per status: none at all$/);
});

test('a campaign name that looks like a query operator is just a string and matches nothing', async () => {
  await calculations().insertMany([calcDoc('inj-1', 'real-campaign', 1)]);
  for (const campaign of ['{"$ne": null}', '{"$gt": ""}', '$where']) {
    const failure = await failureOf(activity()(input(campaign)));
    expect(failure.type).toBe(FailureType.EmptyTrainingSet);
    expect(failure.message).toMatch(/none at all$/);
  }
  // A non-string smuggled past the types is refused, never used as an operator object.
  await expect(activity()(input({ $ne: null } as unknown as string))).rejects.toThrow(
    /campaign must be a string/,
  );
});

test('inside an activity it heartbeats the structures written, then the conversion’s progress', async () => {
  await calculations().insertMany(Array.from({ length: 3 }, (_, i) => calcDoc(`hb-${i}`, 'heartbeat', i)));
  const env = new MockActivityEnvironment(); // Temporal's own test double of an activity context
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  const summary = (await env.run(activity(), input('heartbeat'))) as DatasetSummary;
  expect(summary.structures).toBe(3);
  expect(beats).toContainEqual({ phase: 'fetching', written: 3 });
  // The converter's heartbeat at its start; the 50,000-structure test sees its later progress.
  expect(beats).toContainEqual({ phase: 'converting', written: 3, converted: 0 });
});

/** A stand-in for the project's Python that runs `body` with sh (it gets the helper's arguments). */
function fakePython(body: string): string {
  const file = path.join(scratchDir('fake-python'), 'python');
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

test.each([
  {
    what: 'a missing Python',
    python: () => '/nonexistent/python',
    type: FailureType.WorkerMisconfigured,
    nonRetryable: true,
    message: /cannot run the Python helper: \/nonexistent\/python \(ENOENT\)/,
  },
  {
    what: 'data pacemaker cannot take (exit code 3)',
    python: () => fakePython('echo "periodic in some directions only: x" >&2; exit 3'),
    type: FailureType.InvalidTrainingData,
    nonRetryable: true,
    message: /^periodic in some directions only: x$/,
  },
  {
    what: 'a converter killed by a signal',
    python: () => fakePython('echo "about to be killed" >&2; kill -KILL $$'),
    type: FailureType.ProcessKilled,
    nonRetryable: false,
    message: /extxyz_to_pacemaker.py was killed by SIGKILL:\nabout to be killed/,
  },
])('$what fails as $type and leaves no output', async ({ python, type, nonRetryable, message }) => {
  const campaign = `convert-${type}`;
  await calculations().insertMany([calcDoc(`${campaign}-1`, campaign, 1)]);
  const fetch = createFetchTrainingDataActivity({ database, python: python() }).fetchTrainingData;
  const args = input(campaign);
  const failure = await failureOf(fetch(args));
  expect(failure.type).toBe(type);
  expect(failure.nonRetryable).toBe(nonRetryable);
  expect(failure.message).toMatch(message);
  expect(outputsIn(args.workspaceDir)).toEqual([]);
});

test('a converter that fails is a plain (retryable) error with the end of its stderr', async () => {
  await calculations().insertMany([calcDoc('convert-error-1', 'convert-error', 1)]);
  const python = fakePython('echo "Traceback: boom" >&2; exit 1');
  const fetch = createFetchTrainingDataActivity({ database, python }).fetchTrainingData;
  const args = input('convert-error');
  const err = await fetch(args).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).not.toBeInstanceOf(ApplicationFailure); // Temporal retries it as type "Error"
  expect((err as Error).message).toBe('extxyz_to_pacemaker.py failed (exit code 1):\nTraceback: boom');
  expect(outputsIn(args.workspaceDir)).toEqual([]);
});

test('an abort while waiting for the server stops the export at once and leaves no output', async () => {
  await calculations().insertMany(
    Array.from({ length: 300 }, (_, i) => calcDoc(`abort-${String(i).padStart(3, '0')}`, 'abort', i)),
  );
  const workspace = scratchDir('abort-ws');
  const abort = new AbortController();
  let abortedAt: ExportProgress | undefined;
  const exporting = exportTrainingSet({
    db: client.db(testDatabaseName()),
    campaign: 'abort',
    selection: {},
    invalidRecords: 'fail',
    extxyzPath: path.join(workspace, 'dataset.extxyz'),
    manifestPath: path.join(workspace, 'manifest.json'),
    pacemaker: { datasetPath: path.join(workspace, 'dataset.pckl.gzip'), python: INSTALLED.python },
    batchSize: 100,
    // The first timed report comes while the query is out: abort then.
    progressIntervalMs: 1,
    onProgress: (progress) => {
      abortedAt ??= progress;
      abort.abort(new Error('cancelled by the test'));
    },
    signal: abort.signal,
  });
  await expect(exporting).rejects.toThrow('cancelled by the test');
  expect(abortedAt).toEqual({ phase: 'fetching', written: 0 });
  expect(outputsIn(workspace)).toEqual([]);
});

test('a retried attempt starts clean: leftovers of a previous attempt are replaced', async () => {
  await calculations().insertMany([calcDoc('retry-1', 'retry', 1)]);
  const args = input('retry');
  fs.writeFileSync(path.join(args.workspaceDir, 'dataset.extxyz.partial'), 'half a frame');
  fs.writeFileSync(path.join(args.workspaceDir, 'manifest.json'), '{"stale": true}');
  const summary = await activity()(args);
  expect(summary.structures).toBe(1);
  expect(outputsIn(args.workspaceDir)).toEqual(['dataset.extxyz', 'dataset.pckl.gzip', 'manifest.json']);
  expect(readManifest(args.workspaceDir).counts.structures).toBe(1);
});

test('an unreachable database is a retryable DatabaseUnavailable failure', async () => {
  const unreachable = connectDatabase('mongodb://127.0.0.1:9', testDatabaseName());
  try {
    const fetch = createFetchTrainingDataActivity({
      database: unreachable,
      python: INSTALLED.python,
    }).fetchTrainingData;
    const failure = await failureOf(fetch(input('any')));
    expect(failure.type).toBe(FailureType.DatabaseUnavailable);
    expect(failure.nonRetryable).toBe(false);
  } finally {
    await unreachable.close();
  }
});

test('the server stopping mid-fetch is a retryable failure and leaves no finished-looking file', async () => {
  const dir = scratchDir('mongo-killed');
  const server = await startMongoWireServer(path.join(dir, 'data'), dir);
  const db = connectDatabase(server.uri, 'killed');
  try {
    const coll = (await db.db()).collection<ReturnType<typeof calcDoc>>('calculations');
    const symbols = Array.from({ length: 32 }, () => 'Cu');
    for (let b = 0; b < 3; b++)
      await coll.insertMany(
        Array.from({ length: 500 }, (_, i) =>
          calcDoc(`k-${b}-${String(i).padStart(3, '0')}`, 'killed', b * 500 + i, { symbols }),
        ),
      );
    const workspace = scratchDir('killed-ws');
    const progress: number[] = [];
    const failure = await failureOf(
      exportTrainingSet({
        db: await db.db(),
        campaign: 'killed',
        selection: {},
        invalidRecords: 'fail',
        extxyzPath: path.join(workspace, 'dataset.extxyz'),
        manifestPath: path.join(workspace, 'manifest.json'),
        batchSize: 200,
        onProgress: ({ written }) => {
          // The timed heartbeats before the first batch report 0 written: the server dies after a batch.
          if (written > 0 && progress.length === 0) process.kill(-server.handle.pid, 'SIGKILL');
          if (written > 0) progress.push(written);
        },
      }),
    );
    expect(progress[0]).toBe(200);
    expect(failure.type).toBe(FailureType.DatabaseUnavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(outputsIn(workspace)).toEqual([]);
  } finally {
    await db.close().catch(() => undefined);
    await stopProcessGroups([server.handle]);
  }
});

/**
 * A campaign large enough that the pacemaker conversion inside fetchTrainingData outlasts the activity's
 * heartbeat timeout: the real activity in a real worker on the ephemeral Temporal server, reading the
 * MongoDB-wire server, under a 3 s heartbeat timeout and no retry.
 *
 * The size: FerretDB's cost is per document (about 0.2 ms to insert and 0.8 ms to read one here, more
 * under load) and so is most of the converter's (ASE parses each frame), so small structures keep the
 * test short while 30,000 of them still take the converter well over the heartbeat timeout. Two-atom
 * structures: 50,000 took about 9 s to insert, 15 s to fetch (FerretDB sorts the whole result before its
 * first batch) and 13 s to convert on 2 quiet cores, twice that on busy ones; 30,000 take 9 s to convert
 * there, three times the heartbeat timeout.
 */
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import { NativeConnection, Worker } from '@temporalio/worker';
import { bundleWorkflows } from '../harness/workflow-bundle';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { rng } from '../../bench/random';
import { createFetchTrainingDataActivity } from '../../activities/fetch-training-data';
import { INSTALLED } from '../../src/config/paths';
import type { Env } from '../../src/config/env';
import { connectDatabase, type DatabaseHandle } from '../../src/db/connection';
import type { ExportProgress } from '../../src/training-set/export-training-set';
import { fetchUnderHeartbeatTimeout } from '../fixtures/fetch-workflows';
import { connectTestMongo } from '../harness/context';
import { testEnv, waitFor } from '../harness/training-env';

const STRUCTURES = 30_000;
const ATOMS = 2;
const INSERT_BATCH = 1_000;
const CAMPAIGN = 'large';
const HEARTBEAT_TIMEOUT_MS = 3_000;
const CONVERTER = 'extxyz_to_pacemaker.py';

/** A contract-v1 document: a Cu/Ni dimer in a periodic cubic box, numbers from the seeded PRNG. */
function generatedDoc(index: number, random: () => number) {
  const edge = 6 + random();
  return {
    _id: `large-${String(index).padStart(6, '0')}`,
    campaign: CAMPAIGN,
    generation: 0,
    status: 'completed',
    structure: {
      symbols: Array.from({ length: ATOMS }, () => (random() < 0.5 ? 'Cu' : 'Ni')),
      positions: Array.from({ length: 3 * ATOMS }, () => random() * edge),
      cell: [edge, 0, 0, 0, edge, 0, 0, 0, edge],
      pbc: [true, true, true],
    },
    results: {
      energy: -3.5 * ATOMS + random(),
      forces: Array.from({ length: 3 * ATOMS }, () => random() - 0.5),
      stress: Array.from({ length: 6 }, () => (random() - 0.5) * 1e-3),
    },
    dft: { code: 'synthetic', xc: 'none', settingsHash: 'large' },
  };
}

let env: Env;
let mongo: MongoClient;
let database: DatabaseHandle;
let nativeConnection: NativeConnection;
let connection: Connection;
let temporal: Client;
let worker: Worker;
let workerRun: Promise<void>;
let insertSeconds = 0;

beforeAll(async () => {
  env = testEnv();
  mongo = await connectTestMongo();
  const calculations = mongo.db(env.MLIP_DB).collection<ReturnType<typeof generatedDoc>>('calculations');
  const random = rng(20_240_601);
  const started = performance.now();
  for (let first = 0; first < STRUCTURES; first += INSERT_BATCH)
    await calculations.insertMany(
      Array.from({ length: Math.min(INSERT_BATCH, STRUCTURES - first) }, (_, i) =>
        generatedDoc(first + i, random),
      ),
      { ordered: false },
    );
  insertSeconds = (performance.now() - started) / 1000;

  database = connectDatabase(env.MONGODB_URI, env.MLIP_DB);
  nativeConnection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  worker = await Worker.create({
    connection: nativeConnection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowBundle: await bundleWorkflows(require.resolve('../fixtures/fetch-workflows')),
    activities: createFetchTrainingDataActivity({
      database,
      python: INSTALLED.python,
      heartbeatIntervalMs: 500,
    }),
    // Sent at most every second: the cancellation rides back on a heartbeat's answer.
    maxHeartbeatThrottleInterval: '1s',
    defaultHeartbeatThrottleInterval: '1s',
  });
  workerRun = worker.run();
  connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  temporal = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
}, 180_000);

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await workerRun;
  await connection?.close();
  await nativeConnection?.close();
  await database?.close();
  await mongo?.db(env.MLIP_DB).dropDatabase();
  await mongo?.close();
});

function newWorkspace(): string {
  const dir = path.join(env.MLIP_WORK_ROOT, randomUUID().slice(0, 8));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function start(workspaceDir: string) {
  return temporal.workflow.start(fetchUnderHeartbeatTimeout, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `fetch-large-${randomUUID()}`,
    args: [
      {
        fetch: { workspaceDir, campaign: CAMPAIGN, selection: {}, invalidRecords: 'fail' },
        heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
      },
    ],
  });
}

interface SeenHeartbeat {
  /** ms since the watch began */
  at: number;
  details: ExportProgress;
}

/**
 * What the server holds as the activity's latest heartbeat, polled (describe → pending activities):
 * each change is one heartbeat that reached the server.
 */
function watchHeartbeats(handle: WorkflowHandle) {
  const seen: SeenHeartbeat[] = [];
  const began = performance.now();
  let lastTime: string | undefined;
  let stopped = false;
  const polling = (async () => {
    while (!stopped) {
      const { raw } = await handle.describe().catch(() => ({ raw: undefined }));
      const pending = raw?.pendingActivities?.find((a) => a.activityType?.name === 'fetchTrainingData');
      const payloads = pending?.heartbeatDetails?.payloads;
      const time = pending?.lastHeartbeatTime ? JSON.stringify(pending.lastHeartbeatTime) : undefined;
      if (payloads?.length && time !== lastTime) {
        lastTime = time;
        const [details] = await decodeArrayFromPayloads(temporal.options.loadedDataConverter, payloads);
        seen.push({ at: performance.now() - began, details: details as ExportProgress });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    began,
    /** The heartbeats seen so far. */
    seen: () => seen,
    /** Stops polling (also on a failed run: the poll would keep jest alive); the heartbeats seen. */
    async stop() {
      stopped = true;
      await polling;
      return seen;
    },
  };
}

/** Processes running the converter on this workspace's files. */
function converterPids(workspaceDir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.some((a) => a.endsWith(CONVERTER)) && argv.some((a) => a.startsWith(workspaceDir)))
        pids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

const isConversion = (p: ExportProgress) => p.phase === 'converting' || p.phase === 'pickling';

test(`${STRUCTURES} structures: the conversion outlasts the ${HEARTBEAT_TIMEOUT_MS / 1000} s heartbeat timeout, heartbeating its progress, and completes`, async () => {
  const workspaceDir = newWorkspace();
  const handle = await start(workspaceDir);
  const watch = watchHeartbeats(handle);
  const summary = await handle.result().finally(() => watch.stop());
  const finishedAt = performance.now() - watch.began;
  const beats = await watch.stop();

  expect(summary).toMatchObject({
    structures: STRUCTURES,
    atoms: STRUCTURES * ATOMS,
    elements: ['Cu', 'Ni'],
  });
  const rows = execFileSync(
    INSTALLED.python,
    [
      '-c',
      'import sys, pandas; print(len(pandas.read_pickle(sys.argv[1], compression="gzip")))',
      summary.pacemakerDatasetPath,
    ],
    { encoding: 'utf8' },
  );
  expect(Number(rows)).toBe(STRUCTURES);

  // The SDK sends the latest details at most once per throttle interval: some counts are never seen.
  expect(beats.some((b) => b.details.phase === 'fetching' && b.details.written > 0)).toBe(true);
  const conversion = beats.filter((b) => isConversion(b.details));
  expect(conversion.every((b) => b.details.written === STRUCTURES)).toBe(true);
  // The converter's own numbers reached the server, and kept the activity alive for longer than the
  // heartbeat timeout (which, without them, would have failed this one-attempt run).
  const converted = conversion.map((b) => ('converted' in b.details ? b.details.converted : 0));
  expect(converted.some((n) => n > 0 && n < STRUCTURES)).toBe(true);
  expect(converted).toEqual([...converted].sort((a, b) => a - b));
  // The premise of the test, not a speed claim: a busy machine only lengthens the conversion.
  const conversionMs = finishedAt - conversion[0]!.at;
  expect(conversionMs).toBeGreaterThan(HEARTBEAT_TIMEOUT_MS);

  if (process.env.MLIP_REPORT_TIMINGS)
    console.log(
      `insert ${insertSeconds.toFixed(1)} s; fetch + convert ${(finishedAt / 1000).toFixed(1)} s, of which ` +
        `conversion ≥ ${(conversionMs / 1000).toFixed(1)} s; heartbeats seen by the server: ${beats.length} ` +
        `(${conversion.length} during the conversion); last: ${JSON.stringify(conversion.at(-1)?.details)}`,
    );
}, 240_000);

test('cancelling the workflow during the conversion stops the converter within seconds and leaves no dataset behind', async () => {
  const workspaceDir = newWorkspace();
  const handle = await start(workspaceDir);
  await waitFor('the converter to run', () => converterPids(workspaceDir)[0], 200_000);
  // Into its stride, past Python's start-up: its first count of converted frames has reached the server.
  const watch = watchHeartbeats(handle);
  await waitFor(
    'the converter to report converted frames',
    () => watch.seen().some((b) => 'converted' in b.details && b.details.converted > 0) || undefined,
    60_000,
  ).finally(() => watch.stop());

  const cancelledAt = performance.now();
  await handle.cancel();
  // "Within seconds" is the behaviour: the converter left alone runs on for its whole conversion. 30 s
  // leaves a loaded machine its slack (the cancellation rides back on a heartbeat, at most every second).
  await waitFor('the converter to stop', () => converterPids(workspaceDir).length === 0 || undefined, 30_000);
  const stopSeconds = (performance.now() - cancelledAt) / 1000;

  const failure = await handle.result().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  expect((await handle.describe()).status.name).toBe('CANCELLED');
  const left = fs.readdirSync(workspaceDir);
  expect(left.filter((f) => f === 'dataset.pckl.gzip' || f.endsWith('.partial'))).toEqual([]);
  expect(left).not.toContain('manifest.json');

  if (process.env.MLIP_REPORT_TIMINGS)
    console.log(
      `converter gone ${stopSeconds.toFixed(1)} s after the cancel request; left: ${JSON.stringify(left)}`,
    );
}, 240_000);

/**
 * Graceful drain, with two hosts on one machine: SIGTERM to a worker process in the middle of a real
 * pacemaker fit (a host being rebooted, a batch job reaching its wall time). The worker stops taking work,
 * pacemaker is interrupted so that its last checkpoint is whole, the fit is handed back, and the training
 * resumes from that checkpoint: on the same host when its worker returns, or, when the hosts share their
 * work root (MLIP_SHARED_WORK_ROOT), on the other host without fetching or configuring again.
 */
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import YAML from 'yaml';
import type { Env } from '../../src/config/env';
import { potentialsCollection } from '../../src/registry/potentials';
import { trainPotential } from '../../workflows/train-potential';
import { scratchDir } from '../harness/context';
import {
  processesIn,
  seedCampaign,
  testEnv,
  TINY_TENSORPOT_TRAINER,
  TINY_TRAINER,
  waitFor,
  workspacesLeft,
} from '../harness/training-env';
import {
  commandLine,
  startWorkerProcess,
  waitUntilServing,
  type WorkerProcess,
} from '../harness/worker-process';

/** The drain of a fit on the default evaluator: what most trainings run on, with TensorFlow's own loop. */
const FIT = { ...TINY_TENSORPOT_TRAINER, optimizer: { maxIterations: 150 } };
/**
 * The hand-over between hosts is orchestration (queues, workspaces, the checkpoint's path), the same for
 * either evaluator: on pyace it spares two TensorFlow start-ups (about 12 s of CPU each). 20 iterations
 * keep the fit running well past iteration 3, where the drain begins (about half a second each).
 */
const HAND_OVER_FIT = { ...TINY_TRAINER, optimizer: { maxIterations: 20 } };

let connection: Connection;
let client: Client;
let mongo: MongoClient;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  const env = testEnv();
  connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  client = new Client({ connection });
  mongo = await MongoClient.connect(env.MONGODB_URI);
  await seedCampaign(env, 'cu-drain', 12);
});
afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await connection?.close();
  await mongo?.close();
});

function start(env: Env, extra: Record<string, string> = {}): WorkerProcess {
  const worker = startWorkerProcess(env, extra);
  workers.push(worker);
  return worker;
}

/** The workspace whose pacemaker.log has passed `iteration`. */
async function fitPast(env: Env, iteration: number): Promise<string> {
  return waitFor(
    `the fit to pass iteration ${iteration}`,
    () =>
      workspacesLeft(env)
        .map((ws) => path.join(env.MLIP_WORK_ROOT, ws))
        .find((dir) => {
          const log = path.join(dir, 'pacemaker.log');
          const passed = fs.existsSync(log) ? /Iteration\s+#(\d+)/g : undefined;
          if (!passed) return false;
          const text = fs.readFileSync(log, 'utf8');
          return [...text.matchAll(passed)].some((m) => Number(m[1]) >= iteration);
        }),
    180_000,
  );
}

const pacemakersIn = (dir: string) => processesIn(dir).filter((pid) => /pacemaker/.test(commandLine(pid)));

/** Per attempt in a published pacemaker.log: its command line, initial loss and last iteration. */
function attempts(log: string) {
  return log
    .split(/\n===== mlip-train: attempt \d+ at \S+: /)
    .slice(1)
    .map((text) => ({
      command: text.split('\n', 1)[0]!,
      initialLoss: Number(/Initial state:\s*#0\s*\(\d+ evals\):\s*Loss:\s*(\S+)/.exec(text)?.[1]),
      lastIteration: Math.max(0, ...[...text.matchAll(/Iteration\s+#(\d+)/g)].map((m) => Number(m[1]))),
    }));
}

/** The result, or a failure that shows what the workflow and the workers did (a hang is otherwise silent). */
async function resultWithin<T>(
  handle: { workflowId: string; result(): Promise<T> },
  ms: number,
  procs: WorkerProcess[],
) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void historyOf(handle.workflowId).then((events) => {
        const steps = events.map(
          (e) =>
            `${e.eventId} ${e.eventType} ${e.activityTaskScheduledEventAttributes?.activityType?.name ?? ''}`,
        );
        reject(
          new Error(
            `no result within ${ms / 1000} s\n${steps.join('\n')}\n${procs.map((p) => p.output().slice(-3000)).join('\n-----\n')}`,
          ),
        );
      }, reject);
    }, ms);
  });
  try {
    return await Promise.race([handle.result(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function historyOf(workflowId: string) {
  return (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

test('SIGTERM drains a worker mid-fit, and the training resumes from its checkpoint when the host returns', async () => {
  const env = testEnv({ MLIP_HOST_ID: 'rebooting-host' });
  let worker = start(env);
  const handle = await client.workflow.start(trainPotential, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `drain-same-host-${randomUUID()}`,
    args: [{ campaign: 'cu-drain', potentialName: 'cu-drained', trainer: FIT }],
  });
  const workspace = await fitPast(env, 3);

  worker.child.kill('SIGTERM');
  const exit = await worker.exited;
  expect({ exit, output: worker.output().includes('draining') }).toEqual({
    exit: { code: 0, signal: null },
    output: true,
  });
  // Nothing of the fit outlives the worker, and what it leaves is what the resume needs: a whole checkpoint.
  expect(pacemakersIn(workspace)).toEqual([]);
  const checkpoint = YAML.parse(
    fs.readFileSync(path.join(workspace, 'interim_potential_0.yaml'), 'utf8'),
  ) as {
    species: { nbody: { c: number[] }[] }[];
  };
  expect(checkpoint.species[0]!.nbody.length).toBeGreaterThan(0);

  worker = start(env);
  const result = await handle.result();
  expect(result.potentialId).toBe('cu-drained@v1');
  const log = attempts(
    fs.readFileSync(path.join(path.dirname(result.potentialPath), 'pacemaker.log'), 'utf8'),
  );
  expect(log.length).toBe(2);
  expect(log[1]!.command).toMatch(/-p interim_potential_0\.yaml/);
  // It continued, within the iteration budget: the second run starts below the first's initial loss and
  // runs only the iterations the first did not.
  expect(log[1]!.initialLoss).toBeLessThan(log[0]!.initialLoss);
  expect(log[0]!.lastIteration + log[1]!.lastIteration).toBeLessThanOrEqual(FIT.optimizer.maxIterations + 1);

  // The drained attempt was handed back as a retryable failure of its own type, not a timeout.
  const fit = (await historyOf(handle.workflowId)).find(
    (e) => e.activityTaskStartedEventAttributes && e.activityTaskStartedEventAttributes.attempt! > 1,
  );
  expect(fit?.activityTaskStartedEventAttributes?.lastFailure?.applicationFailureInfo?.type).toBe(
    'WorkerShuttingDown',
  );
  worker.child.kill('SIGTERM');
  await worker.exited;
}, 420_000);

test('with a shared work root, a training drained off one host continues from its checkpoint on the other', async () => {
  const root = path.join(scratchDir('shared-root'), 'work');
  const hostA = testEnv({ MLIP_HOST_ID: 'host-a', MLIP_WORK_ROOT: root, MLIP_SHARED_WORK_ROOT: 'true' });
  const hostB: Env = { ...hostA, MLIP_HOST_ID: 'host-b' };
  const workerA = start(hostA);
  const handle = await client.workflow.start(trainPotential, {
    taskQueue: hostA.MLIP_TASK_QUEUE,
    workflowId: `drain-shared-root-${randomUUID()}`,
    args: [
      {
        campaign: 'cu-drain',
        potentialName: 'cu-moved',
        trainer: HAND_OVER_FIT,
        limits: { hostStartTimeout: '5s' },
      },
    ],
  });
  const workspaceA = await fitPast(hostA, 3);
  const workerB = start(hostB);
  await waitUntilServing(workerB, 'host-b', 60_000);

  workerA.child.kill('SIGTERM'); // host A goes away for good
  expect(await workerA.exited).toEqual({ code: 0, signal: null });

  const result = await resultWithin(handle, 240_000, [workerA, workerB]);
  const record = await potentialsCollection(mongo.db(hostA.MLIP_DB)).findOne({ _id: result.potentialId });
  expect(record?.host).toMatchObject({ id: 'host-b' });
  const log = attempts(
    fs.readFileSync(path.join(path.dirname(result.potentialPath), 'pacemaker.log'), 'utf8'),
  );
  expect(log.at(-1)!.command).toMatch(/-p interim_potential_0\.yaml/);
  expect(log.at(-1)!.initialLoss).toBeLessThan(log[0]!.initialLoss);

  // Host B took the fit over where it was: the data were fetched and configured once, on host A.
  const scheduled = (await historyOf(handle.workflowId))
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((name): name is string => Boolean(name));
  expect(scheduled.filter((n) => n === 'acquireWorkspace')).toHaveLength(2);
  expect(scheduled.filter((n) => n === 'fetchTrainingData')).toHaveLength(1);
  expect(scheduled.filter((n) => n === 'generatePacemakerConfig')).toHaveLength(1);
  // Both workspaces (A's, taken over, and B's) are gone once the training is over.
  expect(fs.existsSync(workspaceA)).toBe(false);
  expect(workspacesLeft(hostA)).toEqual([]);
  const { memo } = await handle.describe();
  expect(String(memo?.notebook)).toMatch(/continues from .*checkpoint/);
  workerB.child.kill('SIGTERM');
  await workerB.exited;
}, 420_000);

/**
 * Records the replay fixtures: real runs of the workflows (real Temporal, MongoDB-wire server, pacemaker;
 * a fault-injecting trainer double for the failed fit) in every way a training ends, saved under
 * test/fixtures/histories/<label>/. Not part of `npm test` (its name does not end in .test.ts): run it on
 * purpose, when workflow code changes in a way old histories must keep replaying against:
 *
 *   MLIP_HISTORY_LABEL=2026-12-01-my-change npm run record-histories
 *
 * A new label never overwrites an old one: old fixtures are what proves in-flight trainings still replay.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { main as cli } from '../../src/cli/main';
import type { Env } from '../../src/config/env';
import { INSTALLED, PROJECT_ROOT } from '../../src/config/paths';
import { readTrainingProgress } from '../../src/cli/live-progress';
import { progressQuery } from '../../src/api/training-messages';
import { activeLearningRound } from '../../workflows/active-learning-round';
import { trainCommittee } from '../../workflows/train-committee';
import { trainPotential } from '../../workflows/train-potential';
import { scratchDir, testTemporalAddress } from '../harness/context';
import {
  seedCampaign,
  startWorkers,
  testEnv,
  TINY_TRAINER,
  waitFor,
  workspacesLeft,
  type RunningWorkers,
} from '../harness/training-env';
import { startWorkerProcess } from '../harness/worker-process';
import { HISTORIES_DIR, writeHistoryFixture } from './history-fixtures';

const label = process.env.MLIP_HISTORY_LABEL;
if (!label || !/^[A-Za-z0-9._-]+$/.test(label))
  throw new Error(
    'set MLIP_HISTORY_LABEL to the name of the fixture folder (letters, digits, ".", "_", "-")',
  );
if (fs.existsSync(path.join(HISTORIES_DIR, label)))
  throw new Error(`test/fixtures/histories/${label} exists already: choose a new label, never overwrite one`);

jest.setTimeout(600_000);

async function record(handle: WorkflowHandle, scenario: string) {
  await handle.result().catch(() => undefined);
  const { file, events } = writeHistoryFixture(label!, scenario, {
    temporalAddress: testTemporalAddress(),
    workflowId: handle.workflowId,
  });
  console.log(`recorded ${scenario}: ${events} events → ${path.relative(PROJECT_ROOT, file)}`);
}

let env: Env;
let running: RunningWorkers;

beforeAll(async () => {
  env = testEnv();
  await seedCampaign(env, 'cu-replay', 10);
  // Candidates for the active-learning round.
  const code = await cli(['seed-demo', '--campaign', 'cu-replay', '--candidates', '--count', '6'], {
    out: () => undefined,
    err: (l) => console.error(l),
    env: { MONGODB_URI: env.MONGODB_URI, MLIP_DB: env.MLIP_DB },
  });
  if (code !== 0) throw new Error('seeding candidates failed');
  running = await startWorkers(env);
});
afterAll(async () => {
  await running?.stop();
});

const start = (request: Record<string, unknown>, prefix: string) =>
  running.client.workflow.start(trainPotential, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `${prefix}-${randomUUID()}`,
    args: [{ campaign: 'cu-replay', trainer: TINY_TRAINER, ...request }],
  });

test('completed', async () => {
  await record(await start({ potentialName: 'cu-completed' }, 'completed'), 'completed');
});

test('invalid request', async () => {
  await record(await start({ invalidRecords: 'sometimes' }, 'invalid'), 'invalid-request');
});

test('cancelled during the fit', async () => {
  const handle = await start(
    { potentialName: 'cu-cancel', trainer: { ...TINY_TRAINER, optimizer: { maxIterations: 5000 } } },
    'cancelled',
  );
  await waitFor(
    'the fit',
    async () => ((await readTrainingProgress(handle))?.latest ? true : undefined),
    120_000,
  );
  await handle.cancel();
  await record(handle, 'cancelled');
});

test('committee of two', async () => {
  const handle = await running.client.workflow.start(trainCommittee, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `committee-${randomUUID()}`,
    args: [
      {
        request: { campaign: 'cu-replay', potentialName: 'cu-cmte', trainer: TINY_TRAINER },
        committeeSize: 2,
      },
    ],
  });
  await record(handle, 'committee');
  for (const m of [0, 1])
    await record(
      running.client.workflow.getHandle(`${handle.workflowId}/member-${m}`),
      `committee-member-${m}`,
    );
});

test('active-learning round', async () => {
  const handle = await running.client.workflow.start(activeLearningRound, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `round-${randomUUID()}`,
    args: [
      {
        training: {
          campaign: 'cu-replay',
          potentialName: 'cu-round',
          trainer: { ...TINY_TRAINER, testSize: 0 },
        },
        // MD with the round's potential writes the candidates this round scores.
        exploration: { seeds: { count: 2 }, temperaturesK: [300, 1500], steps: 400 },
        candidates: { generation: 0 },
        selectForDft: 2,
      },
    ],
  });
  await record(handle, 'active-learning-round');
  await record(running.client.workflow.getHandle(`${handle.workflowId}/explore`), 'explore-structures');
  await record(
    running.client.workflow.getHandle(`${handle.workflowId}/train`),
    'active-learning-round-train',
  );
  await record(running.client.workflow.getHandle(`${handle.workflowId}/score`), 'score-candidates');
});

test('failed: the trainer crashes (test double)', async () => {
  process.env.REAL_PACEMAKER_BIN = INSTALLED.pacemaker;
  const crashing = { ...env, MLIP_TASK_QUEUE: `${env.MLIP_TASK_QUEUE}-crash`, MLIP_HOST_ID: 'crash-host' };
  crashing.PACEMAKER_BIN = path.join(PROJECT_ROOT, 'test', 'doubles', 'crashing-pacemaker.sh');
  const workers = await startWorkers(crashing);
  try {
    const handle = await workers.client.workflow.start(trainPotential, {
      taskQueue: crashing.MLIP_TASK_QUEUE,
      workflowId: `failed-${randomUUID()}`,
      args: [{ campaign: 'cu-replay', potentialName: 'cu-failed', trainer: TINY_TRAINER }],
    });
    await record(handle, 'failed-training');
  } finally {
    await workers.stop();
  }
});

test('host lost: the training starts again on another host', async () => {
  const hostA = { ...env, MLIP_TASK_QUEUE: `${env.MLIP_TASK_QUEUE}-hosts`, MLIP_HOST_ID: 'host-a' };
  const hostB = { ...hostA, MLIP_HOST_ID: 'host-b', MLIP_WORK_ROOT: path.join(scratchDir('host-b'), 'work') };
  // Only B serves at first, so the training lands there; A joins once B has it.
  const workersB = await startWorkers(hostB);
  let workersA: RunningWorkers | undefined;
  let bStopped = false;
  try {
    const handle = await workersB.client.workflow.start(trainPotential, {
      taskQueue: hostA.MLIP_TASK_QUEUE,
      workflowId: `host-lost-${randomUUID()}`,
      args: [
        {
          campaign: 'cu-replay',
          potentialName: 'cu-moved',
          trainer: { ...TINY_TRAINER, optimizer: { maxIterations: 40 } },
          limits: { hostStartTimeout: '8s' },
        },
      ],
    });
    await waitFor(
      'the fit on host B',
      async () => ((await handle.query(progressQuery)).phase === 'fitting' ? true : undefined),
      120_000,
    );
    workersA = await startWorkers(hostA);
    await workersB.stop();
    bStopped = true;
    await record(handle, 'host-lost');
  } finally {
    if (!bStopped) await workersB.stop();
    await workersA?.stop();
  }
});

test('resumed after the worker process is killed mid-fit', async () => {
  const crashy = { ...env, MLIP_TASK_QUEUE: `${env.MLIP_TASK_QUEUE}-crashy`, MLIP_HOST_ID: 'crashy-host' };
  crashy.MLIP_WORK_ROOT = path.join(scratchDir('crashy'), 'work');
  let worker = startWorkerProcess(crashy);
  try {
    const handle = await running.client.workflow.start(trainPotential, {
      taskQueue: crashy.MLIP_TASK_QUEUE,
      workflowId: `resumed-${randomUUID()}`,
      args: [
        {
          campaign: 'cu-replay',
          potentialName: 'cu-resumed',
          trainer: { ...TINY_TRAINER, optimizer: { maxIterations: 150 } },
          limits: { heartbeatTimeout: '8s' },
        },
      ],
    });
    await waitFor(
      'the fit to pass iteration 3',
      () => {
        const [ws] = workspacesLeft(crashy);
        const file = ws && path.join(crashy.MLIP_WORK_ROOT, ws, 'pacemaker.log');
        return file && fs.existsSync(file) && /Iteration\s+#[3-9]/.test(fs.readFileSync(file, 'utf8'))
          ? true
          : undefined;
      },
      180_000,
    );
    worker.child.kill('SIGKILL');
    await worker.exited;
    worker = startWorkerProcess(crashy);
    await record(handle, 'resumed-after-worker-crash');
  } finally {
    worker.child.kill('SIGKILL');
  }
});

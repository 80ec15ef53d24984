/**
 * trainPotential end to end: real Temporal server, real MongoDB-wire server, real pacemaker.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { INSTALLED } from '../../src/config/paths';
import type { Env } from '../../src/config/env';
import { potentialsCollection } from '../../src/registry/potentials';
import { groupAlive } from '../../src/process/process-group';
import { readTrainingProgress } from '../../src/cli/live-progress';
import { trainPotential } from '../../workflows/train-potential';
import {
  seedCampaign,
  startWorkers,
  testEnv,
  TINY_TRAINER,
  waitFor,
  workspacesLeft,
  type RunningWorkers,
} from '../harness/training-env';

const fixture = (name: string) => path.join(__dirname, '..', 'fixtures', name);

let env: Env;
let running: RunningWorkers;
let mongo: MongoClient;

beforeAll(async () => {
  env = testEnv();
  mongo = await MongoClient.connect(env.MONGODB_URI);
  await seedCampaign(env, 'cu-e2e', 12);
  running = await startWorkers(env);
});
afterAll(async () => {
  await running?.stop();
  await mongo?.close();
});

test('a training on the default tensorpot evaluator publishes a .yace that pyace evaluates, registered with matching hashes, and leaves no workspace', async () => {
  const workflowId = `e2e-${randomUUID()}`;
  const result = await running.client.workflow.execute(trainPotential, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId,
    args: [{ campaign: 'cu-e2e', trainer: { ...TINY_TRAINER, backend: { displayStep: 5 } } }],
  });

  expect(result.potentialId).toBe('cu-e2e@v1');
  expect(result.potentialPath).toBe(path.join(env.MLIP_POTENTIALS_DIR, 'cu-e2e', 'v1', 'potential.yace'));
  expect(result.dataset.structures).toBe(12);
  expect(result.metrics.train.rmseForcesMeVPerA).toBeGreaterThan(0);

  const evaluated = JSON.parse(
    execFileSync(INSTALLED.python, [fixture('evaluate_yace.py'), result.potentialPath], { encoding: 'utf8' }),
  ) as { energy: number };
  expect(Number.isFinite(evaluated.energy)).toBe(true);

  const record = await potentialsCollection(mongo.db(env.MLIP_DB)).findOne({ _id: result.potentialId });
  expect(record).toMatchObject({
    name: 'cu-e2e',
    version: 1,
    campaign: 'cu-e2e',
    workflowId,
    dataset: { structures: 12, elements: ['Cu'], sha256: result.dataset.sha256 },
    metrics: result.metrics,
  });
  const yaceSha = createHash('sha256').update(fs.readFileSync(result.potentialPath)).digest('hex');
  expect(record?.files.yace).toEqual({
    path: result.potentialPath,
    sha256: yaceSha,
    bytes: fs.statSync(result.potentialPath).size,
  });
  for (const name of [
    'output_potential.yaml',
    'input.yaml',
    'manifest.json',
    'metrics.json',
    'pacemaker.log',
    'potential.asi',
  ]) {
    expect(fs.existsSync(path.join(path.dirname(result.potentialPath), name))).toBe(true);
  }
  // The default evaluator fitted it, the learning curve was drawn from its metrics, and the default test
  // split held out one of the 12 structures.
  const published = path.dirname(result.potentialPath);
  expect(fs.readFileSync(path.join(published, 'input.yaml'), 'utf8')).toMatch(/^ {2}evaluator: tensorpot$/m);
  expect(fs.readFileSync(path.join(published, 'pacemaker.log'), 'utf8')).toMatch(
    /tensorpot_version: 0\.6\.2\.1/,
  );
  expect(fs.readFileSync(path.join(published, 'learning-curve.svg'), 'utf8')).toMatch(/<svg xmlns/);
  expect(result.metrics.test).toMatchObject({ structures: 1 });
  expect(result.metrics.train.structures).toBe(11);
  expect(workspacesLeft(env)).toEqual([]);

  const description = await running.client.workflow.getHandle(workflowId).describe();
  expect(description.searchAttributes).toMatchObject({
    MlipCampaign: ['cu-e2e'],
    MlipPhase: ['completed'],
    MlipDatasetSize: [12],
  });
});

test('cancelling during the fit stops the pacemaker process group, removes the workspace, and ends cancelled', async () => {
  const workflowId = `cancel-${randomUUID()}`;
  const handle = await running.client.workflow.start(trainPotential, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId,
    args: [
      {
        campaign: 'cu-e2e',
        potentialName: 'cu-cancelled',
        trainer: { ...TINY_TRAINER, optimizer: { maxIterations: 5000 } },
      },
    ],
  });
  await waitFor(
    'the fit to report an iteration',
    async () => {
      const progress = await readTrainingProgress(handle);
      return progress?.phase === 'fitting' && (progress.latest?.iteration ?? 0) >= 1 ? progress : undefined;
    },
    90_000,
  );
  await waitFor('MlipPhase to say fitting', async () =>
    (await handle.describe()).searchAttributes.MlipPhase?.[0] === 'fitting' ? true : undefined,
  );
  const [workspace] = workspacesLeft(env);
  const pidFile = path.join(env.MLIP_WORK_ROOT, workspace!, 'pacemaker.pid');
  const { pid } = JSON.parse(fs.readFileSync(pidFile, 'utf8')) as { pid: number };
  expect(groupAlive(pid)).toBe(true);

  await handle.cancel();
  // Left alone, the fit would run its 5,000 iterations for many minutes; stopped, it is gone within the
  // 3 s kill grace of these workers. 60 s leaves a loaded machine its slack.
  await waitFor('the pacemaker process group to be gone', () => !groupAlive(pid) || undefined, 60_000);

  const failure = await handle.result().catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  expect(workspacesLeft(env)).toEqual([]);
  expect((await handle.describe()).status.name).toBe('CANCELLED');
});

test('the pyace evaluator still trains a tiny potential end to end, for hosts without TensorFlow', async () => {
  const result = await running.client.workflow.execute(trainPotential, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId: `pyace-${randomUUID()}`,
    args: [
      {
        campaign: 'cu-e2e',
        potentialName: 'cu-pyace',
        trainer: { ...TINY_TRAINER, backend: { evaluator: 'pyace', displayStep: 5 } },
      },
    ],
  });
  const published = path.dirname(result.potentialPath);
  expect(fs.readFileSync(path.join(published, 'input.yaml'), 'utf8')).toMatch(/^ {2}evaluator: pyace$/m);
  expect(fs.readFileSync(path.join(published, 'pacemaker.log'), 'utf8')).not.toMatch(/tensorpot_version/);
  expect(result.metrics.train.rmseForcesMeVPerA).toBeGreaterThan(0);
});

/**
 * trainCommittee with the real pacemaker: K members from one fetch, each fitted to its own bootstrap
 * resample (drawn with its own seed), linked in the registry; cancelling the committee cancels its members
 * and removes every workspace. committee-uncertainty.test.ts checks what the resampling is for.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import YAML from 'yaml';
import type { Env } from '../../src/config/env';
import { potentialsCollection } from '../../src/registry/potentials';
import { progressQuery } from '../../src/api/training-messages';
import { trainCommittee } from '../../workflows/train-committee';
import {
  seedCampaign,
  startWorkers,
  testEnv,
  TINY_TRAINER,
  waitFor,
  workspacesLeft,
  type RunningWorkers,
} from '../harness/training-env';

let env: Env;
let running: RunningWorkers;
let mongo: MongoClient;

beforeAll(async () => {
  env = testEnv({ MLIP_MAX_CONCURRENT_TRAININGS: '2' });
  mongo = await MongoClient.connect(env.MONGODB_URI);
  await seedCampaign(env, 'cu-committee', 10);
  running = await startWorkers(env);
});
afterAll(async () => {
  await running?.stop();
  await mongo?.close();
});

async function activityCount(workflowId: string, type: string): Promise<number> {
  const history = await running.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type,
  ).length;
}

// Real fits, several at once on two CI cores beside other files: minutes, not jest's default two.
test('a committee trains K potentials on resamples drawn with different seeds from a single fetch and links them in the registry', async () => {
  const workflowId = `committee-${randomUUID()}`;
  const result = await running.client.workflow.execute(trainCommittee, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId,
    args: [
      { request: { campaign: 'cu-committee', trainer: { ...TINY_TRAINER, seed: 7 } }, committeeSize: 2 },
    ],
  });

  expect(result.members.map((m) => m.potentialId)).toEqual(['cu-committee-m0@v1', 'cu-committee-m1@v1']);
  const seeds = result.members.map(
    (m) =>
      (
        YAML.parse(fs.readFileSync(path.join(path.dirname(m.potentialPath), 'input.yaml'), 'utf8')) as {
          seed: number;
        }
      ).seed,
  );
  expect(seeds).toEqual([7, 8]);
  const data = result.members.map(
    (m) =>
      (
        YAML.parse(fs.readFileSync(path.join(path.dirname(m.potentialPath), 'input.yaml'), 'utf8')) as {
          data: { filename: string; test_filename?: string; test_size?: number };
        }
      ).data,
  );
  // Each member fits its own resample, in its own workspace, and tests on the structures it did not draw.
  expect(new Set(data.map((d) => d.filename)).size).toBe(2);
  for (const d of data) {
    expect(path.basename(d.filename)).toBe('member-train.pckl.gzip');
    expect(path.basename(d.test_filename!)).toBe('member-test.pckl.gzip');
    expect(d.test_size).toBeUndefined();
  }
  expect(new Set(result.members.map((m) => m.dataset.sha256)).size).toBe(1);
  const forces = result.members.map((m) => m.metrics.train.rmseForcesMeVPerA);
  expect(result.spread.trainForcesMeVPerA.min).toBe(Math.min(...forces));
  expect(result.spread.trainForcesMeVPerA.max).toBe(Math.max(...forces));
  // Of the 10 structures, seed 7 left 2 out of its resample and seed 8 left 3: the members' out-of-bag
  // errors are summarised too.
  expect(result.members.map((m) => m.metrics.test?.structures)).toEqual([2, 3]);
  const testForces = result.members.map((m) => m.metrics.test!.rmseForcesMeVPerA);
  expect(result.spread.testForcesMeVPerA?.min).toBe(Math.min(...testForces));
  expect(result.spread.testForcesMeVPerA?.max).toBe(Math.max(...testForces));

  // One fetch, by the committee; none by the members.
  expect(await activityCount(workflowId, 'fetchTrainingData')).toBe(1);
  for (const member of [0, 1])
    expect(await activityCount(`${workflowId}/member-${member}`, 'fetchTrainingData')).toBe(0);

  const records = await potentialsCollection(mongo.db(env.MLIP_DB))
    .find({ 'committee.id': workflowId })
    .sort({ 'committee.member': 1 })
    .toArray();
  expect(records.map((r) => [r._id, r.committee])).toEqual([
    ['cu-committee-m0@v1', { id: workflowId, member: 0, size: 2, resample: 'bootstrap', seed: 7 }],
    ['cu-committee-m1@v1', { id: workflowId, member: 1, size: 2, resample: 'bootstrap', seed: 8 }],
  ]);
  expect(workspacesLeft(env)).toEqual([]);
}, 300_000);

test('cancelling a committee cancels every member and leaves no workspace', async () => {
  const workflowId = `committee-cancel-${randomUUID()}`;
  const handle = await running.client.workflow.start(trainCommittee, {
    taskQueue: env.MLIP_TASK_QUEUE,
    workflowId,
    args: [
      {
        request: {
          campaign: 'cu-committee',
          potentialName: 'cu-cancelled',
          trainer: { ...TINY_TRAINER, optimizer: { maxIterations: 5000 } },
        },
        committeeSize: 2,
      },
    ],
  });
  await waitFor(
    'both members to be fitting',
    async () => {
      const phases = await Promise.all(
        [0, 1].map((m) =>
          running.client.workflow
            .getHandle(`${workflowId}/member-${m}`)
            .query(progressQuery)
            .then((p) => p.phase)
            .catch(() => 'not started'),
        ),
      );
      return phases.every((p) => p === 'fitting') ? phases : undefined;
    },
    120_000,
  );
  expect(workspacesLeft(env)).toHaveLength(3); // the committee's dataset + one per member

  await handle.cancel();
  await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  expect((await handle.describe()).status.name).toBe('CANCELLED');
  for (const m of [0, 1]) {
    expect(
      (await running.client.workflow.getHandle(`${workflowId}/member-${m}`).describe()).status.name,
    ).toBe('CANCELLED');
  }
  expect(workspacesLeft(env)).toEqual([]);
}, 300_000);

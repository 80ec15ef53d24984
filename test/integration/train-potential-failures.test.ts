/**
 * How trainPotential fails: fast and without retries on bad input, with the log tail when the trainer
 * crashes (fault-injecting test double), and not at all when MongoDB is briefly down (retried).
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Env } from '../../src/config/env';
import { INSTALLED, PROJECT_ROOT } from '../../src/config/paths';
import { trainPotential } from '../../workflows/train-potential';
import { scratchDir } from '../harness/context';
import { startMongoWireServer, stopProcessGroups } from '../harness/services';
import {
  seedCampaign,
  startWorkers,
  testEnv,
  TINY_TRAINER,
  waitFor,
  workspacesLeft,
  type RunningWorkers,
} from '../harness/training-env';

async function failureOf(promise: Promise<unknown>): Promise<WorkflowFailedError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return err as WorkflowFailedError;
}

describe('with a trainer that crashes (test double) and a healthy database', () => {
  let env: Env;
  let running: RunningWorkers;
  beforeAll(async () => {
    process.env.REAL_PACEMAKER_BIN = INSTALLED.pacemaker;
    env = testEnv({ PACEMAKER_BIN: path.join(PROJECT_ROOT, 'test', 'doubles', 'crashing-pacemaker.sh') });
    await seedCampaign(env, 'cu-crash', 6);
    running = await startWorkers(env);
  });
  afterAll(async () => {
    await running?.stop();
  });

  test('a pacemaker crash fails the training with TrainingFailed, the log tail, once, and the workspace is cleaned', async () => {
    const workflowId = `crash-${randomUUID()}`;
    const failure = await failureOf(
      running.client.workflow.execute(trainPotential, {
        taskQueue: env.MLIP_TASK_QUEUE,
        workflowId,
        args: [{ campaign: 'cu-crash', trainer: TINY_TRAINER }],
      }),
    );
    expect(failure.cause).toBeInstanceOf(ActivityFailure);
    const cause = failure.cause?.cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('TrainingFailed');
    expect(cause.message).toContain('pacemaker exited with code 3');
    expect(cause.message).toContain('RuntimeError: injected trainer crash (test double)');
    expect(workspacesLeft(env)).toEqual([]);

    // Every step ran once: a trainer that rejects its input is not retried.
    const history = await running.client.workflow.getHandle(workflowId).fetchHistory();
    const started = history.events?.filter((e) => e.activityTaskStartedEventAttributes) ?? [];
    expect(started.map((e) => e.activityTaskStartedEventAttributes?.attempt)).toEqual(started.map(() => 1));
  });

  test.each([
    [{ campaign: 'cu-crash', selection: { limit: -1 } }, 'selection.limit'],
    [{ campaign: 'cu-crash', potentialName: '../escape' }, 'potentialName'],
    [{ campaign: 'cu-crash', trainer: { lossWeights: { stress: 10 } } }, 'lossWeights.stress'],
    [{ campaign: 'cu-crash', colour: 'blue' }, 'colour: unknown field'],
  ])('invalid input %j fails at once, naming %s, without running any step', async (input, named) => {
    const workflowId = `invalid-${randomUUID()}`;
    const failure = await failureOf(
      running.client.workflow.execute(trainPotential, {
        taskQueue: env.MLIP_TASK_QUEUE,
        workflowId,
        args: [input as never],
      }),
    );
    expect(failure.cause).toBeInstanceOf(ApplicationFailure);
    expect((failure.cause as ApplicationFailure).type).toMatch(/^Invalid(TrainingRequest|TrainerConfig)$/);
    expect(failure.cause?.message).toContain(named);
    const history = await running.client.workflow.getHandle(workflowId).fetchHistory();
    expect(history.events?.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
  });
});

test('MongoDB down during the fetch: the step is retried and the training completes once the server is back', async () => {
  const dataDir = path.join(scratchDir('mongo-outage'), 'data');
  const logDir = scratchDir('mongo-outage-logs');
  let server = await startMongoWireServer(dataDir, logDir);
  const env = testEnv({ MONGODB_URI: server.uri });
  const running = await startWorkers(env);
  try {
    await seedCampaign(env, 'cu-outage', 6);
    await stopProcessGroups([server.handle]);

    const workflowId = `outage-${randomUUID()}`;
    const handle = await running.client.workflow.start(trainPotential, {
      taskQueue: env.MLIP_TASK_QUEUE,
      workflowId,
      args: [{ campaign: 'cu-outage', trainer: TINY_TRAINER }],
    });
    await waitFor('a failed fetch attempt', async () => {
      const { raw } = await handle.describe();
      const pending = raw.pendingActivities?.find((a) => a.activityType?.name === 'fetchTrainingData');
      return pending && (pending.attempt ?? 0) >= 2 ? pending : undefined;
    });
    server = await startMongoWireServer(dataDir, logDir, server.port);

    const result = await handle.result();
    expect(result.dataset.structures).toBe(6);
    expect(result.potentialId).toBe('cu-outage@v1');
    expect(workspacesLeft(env)).toEqual([]);
  } finally {
    await running.stop();
    await stopProcessGroups([server.handle]);
  }
}, 300_000);

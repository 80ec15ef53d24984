/**
 * trainPotential with test doubles for every activity on the time-skipping test server: a workspace that
 * cannot be removed never costs the user a finished training, and a bad request fails at once, before any
 * host is taken.
 */
import { ApplicationFailure } from '@temporalio/common';
import { trainPotential } from '../../workflows/train-potential';
import { fail, STUB_TRAIN_ERRORS, type StubImpl } from './stub-activities';
import {
  isRequestResolution,
  scheduledActivities,
  visibleState,
  workflowFailure,
  stubWorldPerTest,
} from './stub-world';

const world = stubWorldPerTest();

const EXPECTED_RESULT = {
  potentialPath: '/shared/potentials/cu-clean/v1/potential.yace',
  activeSetPath: '/shared/potentials/cu-clean/v1/potential.asi',
  potentialId: 'cu-clean@v1',
  metrics: { train: STUB_TRAIN_ERRORS, test: null },
  dataset: { structures: 30, atoms: 240, elements: ['Cu'], sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
};

describe('when the workspace cannot be removed', () => {
  test('a training whose cleanup fails non-retryably still completes with its result, after one cleanup attempt', async () => {
    await world.startHost('host-a', {
      overrides: { cleanupWorkspace: fail('WorkerMisconfigured', { nonRetryable: true }) },
    });
    const handle = await world.start(trainPotential, [{ campaign: 'cu-clean' }]);
    expect(await handle.result()).toEqual(EXPECTED_RESULT);
    expect(world.log.of('cleanupWorkspace').map((c) => [c.attempt, c.outcome])).toEqual([[1, 'failed']]);
    const seen = await visibleState(handle);
    expect([seen.status, seen.phase]).toEqual(['COMPLETED', 'completed']);
  });

  test('a training whose cleanup fails retryably every time still completes with its result, after the bounded retries', async () => {
    const busy: StubImpl<'cleanupWorkspace'> = async ({ workspaceDir }) => {
      throw new Error(`EBUSY: resource busy or locked, rmdir '${workspaceDir}' (injected by a test double)`);
    };
    await world.startHost('host-a', { overrides: { cleanupWorkspace: busy } });
    const handle = await world.start(trainPotential, [{ campaign: 'cu-clean' }]);
    const serverStart = await world.env.currentTimeMs();
    expect(await handle.result()).toEqual(EXPECTED_RESULT);
    const serverElapsed = (await world.env.currentTimeMs()) - serverStart;

    // transientRetry with 5 attempts: 2 + 4 + 8 + 16 s of backoff, skipped by the test server.
    expect(world.log.of('cleanupWorkspace').map((c) => [c.attempt, c.outcome])).toEqual(
      [1, 2, 3, 4, 5].map((attempt) => [attempt, 'failed']),
    );
    expect(serverElapsed).toBeGreaterThanOrEqual(30_000);
    const seen = await visibleState(handle);
    expect([seen.status, seen.phase]).toEqual(['COMPLETED', 'completed']);
  });
});

describe('a bad request', () => {
  test.each([
    [{ campaign: '' }, 'InvalidTrainingRequest', 'campaign'],
    [{ campaign: 'cu', colour: 'blue' }, 'InvalidTrainingRequest', 'colour: unknown field'],
    [{ campaign: 'cu', selection: { limit: -1 } }, 'InvalidTrainingRequest', 'selection.limit'],
    [{ campaign: 'cu', limits: { maxHostAttempts: 0 } }, 'InvalidTrainingRequest', 'limits.maxHostAttempts'],
    [
      { campaign: 'cu', limits: { trainingTimeout: '90d' } },
      'InvalidTrainingRequest',
      'limits.trainingTimeout',
    ],
    [
      { campaign: 'cu', trainer: { lossWeights: { stress: 10 } } },
      'InvalidTrainerConfig',
      'lossWeights.stress',
    ],
  ])('%j fails at once with %s naming %s, and no step runs', async (input, type, named) => {
    await world.startHost('host-a');
    // The input is wrong on purpose: a user's JSON is not type-checked either.
    const handle = await world.start(trainPotential, [input as never]);
    const failure = await workflowFailure(handle.result());

    expect(failure.cause).toBeInstanceOf(ApplicationFailure);
    const cause = failure.cause as ApplicationFailure;
    expect([cause.type, cause.nonRetryable]).toEqual([type, true]);
    expect(cause.message).toContain(named);
    // At most the request's own resolution ran (on the workflow's worker); no activity was scheduled.
    expect(world.log.calls.filter((c) => !isRequestResolution(c.activity))).toEqual([]);
    expect(world.log.calls.every((c) => c.local)).toBe(true);
    expect(await scheduledActivities(handle)).toEqual([]);
    expect((await visibleState(handle)).status).toBe('FAILED');
  });
});

test('a workflow that calls an activity without a test double fails, naming the activity to add', async () => {
  await world.startHost('host-a', { without: ['publishPotential'] });
  const handle = await world.start(trainPotential, [{ campaign: 'cu-clean' }]);
  const failure = await workflowFailure(handle.result());
  expect(String((failure.cause?.cause as Error | undefined)?.message)).toContain(
    'the workflow called activity "publishPotential" (queue ' +
      `${world.hostQueue('host-a')}), which has no test double: add it to StubbedActivities and DEFAULT_STUBS`,
  );
  expect(world.log.missing.map((m) => m.activity)).toEqual(['publishPotential']);
  // Seen and checked: the harness's own check after each test must not fail this one.
  world.log.missing.length = 0;
});

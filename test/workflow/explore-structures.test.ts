/**
 * exploreStructures, and activeLearningRound's exploration step, with test doubles for every activity on
 * the time-skipping test server: where the MD runs, what it is given, what a bad request or an unknown
 * potential ends with, cancellation, and the round's order (train → explore → score).
 */
import { ApplicationFailure, CancelledFailure, ChildWorkflowFailure } from '@temporalio/common';
import { activeLearningRound } from '../../workflows/active-learning-round';
import { exploreStructures } from '../../workflows/explore-structures';
import { fail, hang } from './stub-activities';
import { isRequestResolution, workflowFailure, stubWorldPerTest } from './stub-world';

const world = stubWorldPerTest();

test('an exploration runs on the host that holds the potential, with the settings resolved once, and returns its counts', async () => {
  await world.startHost('host-a');
  const handle = await world.start(exploreStructures, [
    { potentialId: 'si@v3', campaign: 'si', generation: 2, settings: { temperaturesK: [600] } },
  ]);
  const result = await handle.result();
  expect(result).toMatchObject({
    potentialId: 'si@v3',
    campaign: 'si',
    generation: 2,
    candidatesWritten: 30,
  });
  const [call] = world.log.of('exploreStructures');
  expect(call!.taskQueue).toBe(world.hostQueue('host-a'));
  expect(call!.input.potential.members[0]!.asi).toBe('/shared/potentials/si/v3/potential.asi');
  expect(call!.input.request.settings).toMatchObject({ temperaturesK: [600], gammaLower: 5, gammaUpper: 25 });
});

test('a bad request fails InvalidExplorationRequest, naming the field, before any activity runs', async () => {
  await world.startHost('host-a');
  const handle = await world.start(exploreStructures, [
    { potentialId: 'si@v3', campaign: 'si', generation: 2, settings: { gammaLower: 30 } },
  ]);
  const failure = await workflowFailure(handle.result());
  expect(failure.cause).toBeInstanceOf(ApplicationFailure);
  expect((failure.cause as ApplicationFailure).type).toBe('InvalidExplorationRequest');
  expect(failure.cause?.message).toContain('settings.gammaLower: gammaLower must be below gammaUpper');
  expect(world.log.calls.filter((c) => !isRequestResolution(c.activity))).toEqual([]);
});

test("a potential the registry does not know fails InvalidExplorationRequest with the lookup's reason", async () => {
  await world.startHost('host-a', {
    overrides: {
      lookupScoringPotential: fail('InvalidScoringRequest', {
        nonRetryable: true,
        message: "potentialId: no potential 'si@v9' and no committee with that id in the registry",
      }),
    },
  });
  const handle = await world.start(exploreStructures, [
    { potentialId: 'si@v9', campaign: 'si', generation: 2 },
  ]);
  const failure = await workflowFailure(handle.result());
  expect((failure.cause as ApplicationFailure).type).toBe('InvalidExplorationRequest');
  expect(failure.cause?.message).toContain("no potential 'si@v9'");
  expect(world.log.of('exploreStructures')).toEqual([]);
});

test('cancelling an exploration reaches the MD and the run ends CANCELLED', async () => {
  await world.startHost('host-a', { overrides: { exploreStructures: hang } });
  const handle = await world.start(exploreStructures, [
    { potentialId: 'si@v3', campaign: 'si', generation: 2 },
  ]);
  await world.log.waitFor('the MD to be running', (log) =>
    log.of('exploreStructures').some((c) => c.outcome === 'running'),
  );
  await handle.cancel();
  const failure = await workflowFailure(handle.result());
  expect(failure.cause).toBeInstanceOf(CancelledFailure);
  await world.log.waitFor('the MD to see the cancellation', (log) =>
    log.of('exploreStructures').every((c) => c.outcome === 'cancelled'),
  );
});

test("a round with exploration trains, explores with that round's potential into its candidates' generation, then scores them", async () => {
  await world.startHost('host-a');
  const handle = await world.start(activeLearningRound, [
    {
      training: { campaign: 'si' },
      exploration: { temperaturesK: [300, 900], steps: 500 },
      candidates: { generation: 4, campaign: 'si-candidates' },
      selectForDft: 3,
    },
  ]);
  const result = await handle.result();
  const order = world.log.calls
    .map((c) => c.activity)
    .filter((a) => ['executeTraining', 'exploreStructures', 'scoreCandidates'].includes(a));
  expect(order).toEqual(['executeTraining', 'exploreStructures', 'scoreCandidates']);
  const [explore] = world.log.of('exploreStructures');
  expect(explore!.input.request).toMatchObject({
    potentialId: result.potential.potentialId,
    campaign: 'si',
    candidatesCampaign: 'si-candidates',
    generation: 4,
    settings: { temperaturesK: [300, 900], steps: 500, gammaUpper: 25 },
  });
  expect(world.log.of('scoreCandidates')[0]!.input).toMatchObject({
    campaign: 'si-candidates',
    generation: 4,
  });
  expect(result.exploration).toMatchObject({ candidatesWritten: 30, generation: 4 });
});

test('a round without exploration scores the candidates it is given, as before', async () => {
  await world.startHost('host-a');
  const handle = await world.start(activeLearningRound, [
    { training: { campaign: 'si' }, candidates: { generation: 0 }, selectForDft: 3 },
  ]);
  const result = await handle.result();
  expect(result.exploration).toBeUndefined();
  expect(world.log.of('exploreStructures')).toEqual([]);
  expect(world.log.of('scoreCandidates')).toHaveLength(1);
});

test("a round whose exploration fails fails with the exploration's failure and scores nothing", async () => {
  await world.startHost('host-a', {
    overrides: {
      exploreStructures: fail('ExplorationFailed', {
        nonRetryable: true,
        message: 'the MD explorer exited with code 1',
      }),
    },
  });
  const handle = await world.start(activeLearningRound, [
    { training: { campaign: 'si' }, exploration: {}, candidates: { generation: 1 }, selectForDft: 3 },
  ]);
  const failure = await workflowFailure(handle.result());
  expect(failure.cause).toBeInstanceOf(ChildWorkflowFailure);
  // The round's child (exploreStructures) failed because its activity did, with the explorer's reason.
  const child = failure.cause as ChildWorkflowFailure;
  expect(child.execution.workflowId).toBe(`${handle.workflowId}/explore`);
  expect((child.cause?.cause as Error | undefined)?.message).toContain('the MD explorer exited with code 1');
  expect(world.log.of('scoreCandidates')).toEqual([]);
});

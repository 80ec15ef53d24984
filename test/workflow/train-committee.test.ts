/**
 * trainCommittee with test doubles for every activity on the time-skipping test server: the dataset is
 * fetched once and the members train next to it; the first member to fail fails the committee with its
 * own failure, the others are cancelled, and every workspace is removed.
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/common';
import { trainCommittee } from '../../workflows/train-committee';
import { fail, fitThenHang, type StubImpl } from './stub-activities';
import {
  isRequestResolution,
  scheduledActivities,
  visibleState,
  workflowFailure,
  stubWorldPerTest,
} from './stub-world';

const world = stubWorldPerTest();

const memberOf = (workflowId: string) => Number(/\/member-(\d+)$/.exec(workflowId)?.[1] ?? NaN);

test('a committee fetches its dataset once and trains every member next to it, then removes every workspace', async () => {
  await world.startHost('host-a');
  const handle = await world.start(trainCommittee, [{ request: { campaign: 'cu-bag' }, committeeSize: 3 }]);
  const result = await handle.result();

  expect(result.members.map((m) => m.potentialId)).toEqual(['cu-bag-m0@v1', 'cu-bag-m1@v1', 'cu-bag-m2@v1']);
  expect(result.spread.trainForcesMeVPerA.std).toBe(0);
  const hostA = world.hostQueue('host-a');
  expect(world.log.of('fetchTrainingData').map((c) => [c.workflowId, c.taskQueue])).toEqual([
    [handle.workflowId, hostA],
  ]);
  // The committee's workspace comes from the shared queue; each member's is pinned to the dataset's host.
  const acquires = world.log.of('acquireWorkspace');
  expect(acquires.map((c) => [memberOf(c.workflowId), c.taskQueue, c.input.pinned ?? false])).toEqual(
    expect.arrayContaining([
      [NaN, world.sharedQueue, false],
      [0, hostA, true],
      [1, hostA, true],
      [2, hostA, true],
    ]),
  );
  expect(acquires).toHaveLength(4);
  expect(world.log.of('generatePacemakerConfig').map((c) => c.input.resample)).toEqual([
    'bootstrap',
    'bootstrap',
    'bootstrap',
  ]);
  const made = acquires.map((c) => c.result?.workspaceDir).sort();
  const cleaned = world.log.of('cleanupWorkspace').map((c) => c.input.workspaceDir);
  expect([...cleaned].sort()).toEqual(made);
  // The shared dataset goes last, once the members are done with it.
  const committeeWorkspace = acquires.find((c) => c.workflowId === handle.workflowId)?.result?.workspaceDir;
  expect(cleaned.at(-1)).toBe(committeeWorkspace);
});

test("a committee whose member's fit fails fails with that member's failure, cancels the others' fits, and removes every workspace", async () => {
  const otherMembersFitting = () =>
    world.log.of('executeTraining').filter((c) => memberOf(c.workflowId) !== 1 && c.outcome === 'running')
      .length === 2;
  const executeTraining: StubImpl<'executeTraining'> = async (input, ctx) => {
    if (memberOf(ctx.call.workflowId) !== 1) return fitThenHang(input, ctx);
    // Fail only once the other members are fitting, so that what they see is a cancellation mid-fit.
    await world.log.waitFor('the other members to be fitting', otherMembersFitting);
    return fail('TrainingFailed', {
      nonRetryable: true,
      message: 'pacemaker exited with code 3 (injected by a test double)',
    })();
  };
  await world.startHost('host-a', { overrides: { executeTraining } });
  const handle = await world.start(trainCommittee, [{ request: { campaign: 'cu-bag' }, committeeSize: 3 }]);
  const failure = await workflowFailure(handle.result());

  // The committee reports member 1's own failure, not one of the cancellations it caused.
  expect(failure.cause).toBeInstanceOf(ChildWorkflowFailure);
  const child = failure.cause as ChildWorkflowFailure;
  expect(child.execution.workflowId).toBe(`${handle.workflowId}/member-1`);
  expect(child.cause).toBeInstanceOf(ActivityFailure);
  expect(child.cause?.cause).toBeInstanceOf(ApplicationFailure);
  expect((child.cause?.cause as ApplicationFailure).type).toBe('TrainingFailed');
  expect((child.cause?.cause as ApplicationFailure).nonRetryable).toBe(true);

  // The other members' fits saw the cancellation (executeTraining waits for it to be acknowledged).
  const fits = world.log.of('executeTraining');
  expect(fits.map((c) => [memberOf(c.workflowId), c.attempt, c.outcome]).sort()).toEqual([
    [0, 1, 'cancelled'],
    [1, 1, 'failed'],
    [2, 1, 'cancelled'],
  ]);
  const members = await Promise.all(
    [0, 1, 2].map((m) =>
      visibleState(world.env.client.workflow.getHandle(`${handle.workflowId}/member-${m}`)),
    ),
  );
  expect(members.map((m) => [m.status, m.phase])).toEqual([
    ['CANCELLED', 'cancelled'],
    ['FAILED', 'failed'],
    ['CANCELLED', 'cancelled'],
  ]);

  // Every workspace (the committee's and each member's) was removed, the committee's last.
  const made = world.log.of('acquireWorkspace').map((c) => c.result?.workspaceDir);
  expect(made).toHaveLength(4);
  const cleanups = world.log.of('cleanupWorkspace');
  expect(cleanups.map((c) => c.input.workspaceDir).sort()).toEqual([...made].sort());
  expect(new Set(cleanups.map((c) => c.taskQueue))).toEqual(new Set([world.hostQueue('host-a')]));
  expect(cleanups.at(-1)?.workflowId).toBe(handle.workflowId);
  expect((await scheduledActivities(handle)).filter((s) => s.activity === 'cleanupWorkspace')).toHaveLength(
    1,
  );
});

test.each([
  [{ request: { campaign: 'cu-bag' }, committeeSize: 1 }, 'committeeSize'],
  [{ request: { campaign: 'cu-bag', colour: 'blue' }, committeeSize: 3 }, 'colour: unknown field'],
])(
  'an invalid committee input %j fails at once with InvalidTrainingRequest naming %s, before any host is taken',
  async (input, named) => {
    await world.startHost('host-a');
    // The input is wrong on purpose: a user's JSON is not type-checked either.
    const handle = await world.start(trainCommittee, [input as never]);
    const failure = await workflowFailure(handle.result());
    expect(failure.cause).toBeInstanceOf(ApplicationFailure);
    expect((failure.cause as ApplicationFailure).type).toBe('InvalidTrainingRequest');
    expect(failure.cause?.message).toContain(named);
    expect(world.log.calls.filter((c) => !isRequestResolution(c.activity))).toEqual([]);
    expect(await scheduledActivities(handle)).toEqual([]);
  },
);

/**
 * trainPotential and its hosts, with test doubles for every activity on the time-skipping test server:
 * the sequence runs where the workspace is, starts again on another host when its host stops serving its
 * queue during any step, and gives up after limits.maxHostAttempts hosts.
 */
import { ActivityFailure, type ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { trainPotential } from '../../workflows/train-potential';
import { fail, STUB_TRAIN_ERRORS, type ActivityName, type StubOverrides } from './stub-activities';
import {
  scheduledActivities,
  type HostOptions,
  visibleState,
  workflowFailure,
  stubWorldPerTest,
} from './stub-world';

const world = stubWorldPerTest();

const HOST_STEPS = [
  'fetchTrainingData',
  'generatePacemakerConfig',
  'executeTraining',
  'buildActiveSet',
  'publishPotential',
] as const;

test('a training on a healthy host runs every step on that host, cleans up there, and reports completed', async () => {
  await world.startHost('host-a');
  const handle = await world.start(trainPotential, [{ campaign: 'cu-ok', potentialName: 'cu' }]);
  const result = await handle.result();

  const hostA = world.hostQueue('host-a');
  expect(world.log.trace()).toEqual([
    `resolveTrainingRequest@${world.sharedQueue}`,
    `acquireWorkspace@${world.sharedQueue}`,
    ...HOST_STEPS.map((s) => `${s}@${hostA}`),
    `cleanupWorkspace@${hostA}`,
  ]);
  const [acquired] = world.log.of('acquireWorkspace');
  const workspaceDir = `/srv/host-a/mlip-work/${handle.workflowId}--${acquired!.input.runId.slice(0, 8)}--h1`;
  expect(world.log.of('cleanupWorkspace').map((c) => c.input)).toEqual([{ workspaceDir }]);
  expect(result).toEqual({
    potentialPath: '/shared/potentials/cu/v1/potential.yace',
    activeSetPath: '/shared/potentials/cu/v1/potential.asi',
    potentialId: 'cu@v1',
    metrics: { train: STUB_TRAIN_ERRORS, test: null },
    dataset: {
      structures: 30,
      atoms: 240,
      elements: ['Cu'],
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    },
  });
  const seen = await visibleState(handle);
  expect(seen.phase).toBe('completed');
  expect(seen.notebook).toContain('**Published** cu@v1');
});

test('a training whose every host is lost fails after exactly maxHostAttempts workspaces, with the start timeout as cause, in phase failed', async () => {
  // The host answers acquireWorkspace on the shared queue, but nothing ever polls its own queue.
  await world.startHost('host-a', { serves: 'shared' });
  const handle = await world.start(trainPotential, [
    { campaign: 'cu-lost', limits: { maxHostAttempts: 3, hostStartTimeout: 300 } },
  ]);
  const failure = await workflowFailure(handle.result());

  expect(failure.cause).toBeInstanceOf(ActivityFailure);
  expect(failure.cause?.cause).toBeInstanceOf(TimeoutFailure);
  expect((failure.cause?.cause as TimeoutFailure).timeoutType).toBe('SCHEDULE_TO_START');
  expect(world.log.of('acquireWorkspace').map((c) => c.input.hostAttempt)).toEqual([1, 2, 3]);
  // No step ever ran on a host, and nothing was sent to clean a workspace of a host that is gone.
  expect(world.log.trace((c) => c.taskQueue !== world.sharedQueue)).toEqual([]);
  const scheduled = await scheduledActivities(handle);
  expect(scheduled.map((s) => s.activity)).toEqual([
    'acquireWorkspace',
    'fetchTrainingData',
    'acquireWorkspace',
    'fetchTrainingData',
    'acquireWorkspace',
    'fetchTrainingData',
  ]);
  const seen = await visibleState(handle);
  expect(seen.status).toBe('FAILED');
  expect(seen.phase).toBe('failed');
  expect(await handle.query('progress')).toMatchObject({ phase: 'failed' });
});

/**
 * Host A stops serving its queues right after `step` returns: the stub of that step asks A's workers to
 * shut down (polling stops at once; the step's own result is still reported) and returns. The next step
 * then waits in A's queue until limits.hostStartTimeout, real seconds on this server (see stub-world.ts):
 * 4, because a loaded CI machine may take over a second to start a step on a live host. Host B starts before A stops, so that it polls the shared queue long before the second
 * acquireWorkspace is scheduled; starting it only then keeps it from taking the first one.
 */
function hostAStopsServingAfter(step: ActivityName, hostB: HostOptions = {}): StubOverrides {
  return {
    // One function serves whichever step it is: it only passes the default answer through.
    [step]: async (_input: unknown, ctx: { proceed(): Promise<unknown> }) => {
      const result = await ctx.proceed();
      await world.startHost('host-b', hostB);
      void world.stopHost('host-a');
      return result;
    },
  };
}

test.each<{ lost: ActivityName; before: ActivityName; warmStart: boolean }>([
  { lost: 'lookupInitialPotential', before: 'acquireWorkspace', warmStart: true },
  { lost: 'fetchTrainingData', before: 'acquireWorkspace', warmStart: false },
  { lost: 'generatePacemakerConfig', before: 'fetchTrainingData', warmStart: false },
  { lost: 'executeTraining', before: 'generatePacemakerConfig', warmStart: false },
  { lost: 'buildActiveSet', before: 'executeTraining', warmStart: false },
  { lost: 'publishPotential', before: 'buildActiveSet', warmStart: false },
])(
  'a training whose host is lost during $lost completes on another host, and nothing is sent to clean the lost workspace',
  async ({ lost, before, warmStart }) => {
    await world.startHost('host-a', { overrides: hostAStopsServingAfter(before) });
    const handle = await world.start(trainPotential, [
      {
        campaign: 'cu-move',
        ...(warmStart ? { initialPotential: 'cu-move@v2' } : {}),
        limits: { hostStartTimeout: 4_000 },
      },
    ]);
    const result = await handle.result();
    expect(result.potentialId).toBe('cu-move@v1');

    const [hostA, hostB] = [world.hostQueue('host-a'), world.hostQueue('host-b')];
    const steps: ActivityName[] = [
      ...(warmStart ? (['lookupInitialPotential'] as const) : []),
      ...HOST_STEPS,
    ];
    const beforeLost = steps.slice(0, steps.indexOf(lost));
    expect(world.log.trace()).toEqual([
      `resolveTrainingRequest@${world.sharedQueue}`,
      `acquireWorkspace@${world.sharedQueue}`,
      ...beforeLost.map((s) => `${s}@${hostA}`),
      `acquireWorkspace@${world.sharedQueue}`,
      ...steps.map((s) => `${s}@${hostB}`),
      `cleanupWorkspace@${hostB}`,
    ]);
    const acquires = world.log.of('acquireWorkspace');
    expect(acquires.map((c) => [c.hostId, c.input.hostAttempt])).toEqual([
      ['host-a', 1],
      ['host-b', 2],
    ]);
    // Every step on B used B's workspace, and only B's workspace was cleaned.
    const workspaceB = `/srv/host-b/mlip-work/${handle.workflowId}--${acquires[1]!.input.runId.slice(0, 8)}--h2`;
    for (const call of world.log.onQueue(hostB)) {
      if (call.activity !== 'lookupInitialPotential')
        expect(call.input).toMatchObject({ workspaceDir: workspaceB });
    }
    const scheduled = await scheduledActivities(handle);
    expect(scheduled.filter((s) => s.activity === 'cleanupWorkspace')).toEqual([
      { activity: 'cleanupWorkspace', taskQueue: hostB, input: { workspaceDir: workspaceB } },
    ]);
    // The lost step was sent to A once, and never run there.
    expect(scheduled.filter((s) => s.taskQueue === hostA).map((s) => s.activity)).toEqual([
      ...beforeLost,
      lost,
    ]);
    const seen = await visibleState(handle);
    expect(seen.phase).toBe('completed');
    expect(seen.notebook).toContain('**Host lost** host-a');
  },
);

/**
 * Hosts that share their work root (MLIP_SHARED_WORK_ROOT): once the data are fetched and configured,
 * the next host takes the lost workspace over and continues with the lost step, in a copy of the
 * workspace, with the earlier steps' paths moved there; it removes both workspaces at the end.
 */
test.each<{ lost: ActivityName; before: ActivityName }>([
  { lost: 'executeTraining', before: 'generatePacemakerConfig' },
  { lost: 'buildActiveSet', before: 'executeTraining' },
  { lost: 'publishPotential', before: 'buildActiveSet' },
])(
  'a training whose host is lost during $lost on a shared work root continues on another host from that step, and removes both workspaces',
  async ({ lost, before }) => {
    await world.startHost('host-a', {
      sharedWorkRoot: true,
      overrides: hostAStopsServingAfter(before, { sharedWorkRoot: true }),
    });
    const handle = await world.start(trainPotential, [
      { campaign: 'cu-move', limits: { hostStartTimeout: 4_000 } },
    ]);
    expect((await handle.result()).potentialId).toBe('cu-move@v1');

    const [hostA, hostB] = [world.hostQueue('host-a'), world.hostQueue('host-b')];
    const acquires = world.log.of('acquireWorkspace');
    const [workspaceA, workspaceB] = acquires.map((c) => c.result?.workspaceDir);
    expect(acquires.map((c) => [c.hostId, c.input.hostAttempt, c.input.carryOver])).toEqual([
      ['host-a', 1, undefined],
      ['host-b', 2, { workspaceDir: workspaceA }],
    ]);
    const done = HOST_STEPS.slice(0, HOST_STEPS.indexOf(lost as (typeof HOST_STEPS)[number]));
    const rest = HOST_STEPS.slice(done.length);
    expect(world.log.trace()).toEqual([
      `resolveTrainingRequest@${world.sharedQueue}`,
      `acquireWorkspace@${world.sharedQueue}`,
      ...done.map((s) => `${s}@${hostA}`),
      `acquireWorkspace@${world.sharedQueue}`,
      ...rest.map((s) => `${s}@${hostB}`),
      `cleanupWorkspace@${hostB}`,
      `cleanupWorkspace@${hostB}`,
    ]);
    // What the steps on B read, they read from B's copy, not from the lost workspace.
    for (const call of world.log.onQueue(hostB)) {
      const text = JSON.stringify(call.input);
      expect(text).not.toContain(`${workspaceA}/`);
      if (call.activity !== 'cleanupWorkspace') expect(text).toContain(`${workspaceB}/`);
    }
    expect(world.log.of('cleanupWorkspace').map((c) => c.input.workspaceDir)).toEqual([
      workspaceB,
      workspaceA,
    ]);
    const seen = await visibleState(handle);
    expect(seen.phase).toBe('completed');
    expect(seen.notebook).toContain('took the workspace over');
  },
);

test('a training whose host is lost before its data are configured starts again on another host, even on a shared work root', async () => {
  await world.startHost('host-a', {
    sharedWorkRoot: true,
    overrides: hostAStopsServingAfter('fetchTrainingData', { sharedWorkRoot: true }),
  });
  const handle = await world.start(trainPotential, [
    { campaign: 'cu-move', limits: { hostStartTimeout: 4_000 } },
  ]);
  await handle.result();
  const acquires = world.log.of('acquireWorkspace');
  expect(acquires.map((c) => c.input.carryOver)).toEqual([undefined, undefined]);
  expect(world.log.of('fetchTrainingData').map((c) => c.hostId)).toEqual(['host-a', 'host-b']);
  expect(world.log.of('cleanupWorkspace').map((c) => c.input.workspaceDir)).toEqual([
    acquires[1]?.result?.workspaceDir,
  ]);
});

describe('a host that cannot make a workspace', () => {
  async function misconfiguredHost() {
    await world.startHost('host-a', {
      overrides: { acquireWorkspace: fail('WorkerMisconfigured', { nonRetryable: true }) },
    });
    const handle = await world.start(trainPotential, [{ campaign: 'cu-broken' }]);
    return { handle, failure: await workflowFailure(handle.result()) };
  }

  test('fails the training at once with WorkerMisconfigured, and no step runs', async () => {
    const { handle, failure } = await misconfiguredHost();
    expect(failure.cause).toBeInstanceOf(ActivityFailure);
    expect((failure.cause?.cause as ApplicationFailure).type).toBe('WorkerMisconfigured');
    expect(world.log.trace()).toEqual([
      `resolveTrainingRequest@${world.sharedQueue}`,
      `acquireWorkspace@${world.sharedQueue}`,
    ]);
    expect((await scheduledActivities(handle)).map((s) => s.activity)).toEqual(['acquireWorkspace']);
  });

  // Under patch final-phase-before-host: before it, such a training kept MlipPhase = 'acquiring-workspace'.
  test('leaves the training in phase failed', async () => {
    const { handle } = await misconfiguredHost();
    expect((await visibleState(handle)).phase).toBe('failed');
  });
});

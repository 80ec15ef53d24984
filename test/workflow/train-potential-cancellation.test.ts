/**
 * Cancelling trainPotential in each phase, with test doubles for every activity on the time-skipping test
 * server: the run ends CANCELLED, the step that was running sees the cancellation, the workspace (if one
 * was made) is removed, and what users read afterwards (the progress query, MlipPhase, the memo's
 * notebook) says cancelled.
 */
import { CancelledFailure } from '@temporalio/common';
import type { TrainingPhase } from '../../src/api/progress';
import { progressQuery } from '../../src/api/training-messages';
import { trainPotential } from '../../workflows/train-potential';
import { fail, fitThenHang, hang, type ActivityName, type StubOverrides } from './stub-activities';
import { scheduledActivities, visibleState, workflowFailure, stubWorldPerTest } from './stub-world';

const world = stubWorldPerTest();

const HANGING_STEPS: { phase: TrainingPhase; step: ActivityName; overrides: StubOverrides }[] = [
  { phase: 'fetching-data', step: 'fetchTrainingData', overrides: { fetchTrainingData: hang } },
  {
    phase: 'generating-config',
    step: 'generatePacemakerConfig',
    overrides: { generatePacemakerConfig: hang },
  },
  { phase: 'fitting', step: 'executeTraining', overrides: { executeTraining: fitThenHang } },
  { phase: 'building-active-set', step: 'buildActiveSet', overrides: { buildActiveSet: hang } },
  { phase: 'publishing', step: 'publishPotential', overrides: { publishPotential: hang } },
];

test.each(HANGING_STEPS)(
  'a training cancelled while $phase ends CANCELLED, its step sees the cancellation, its workspace is removed, and it reads cancelled',
  async ({ phase, step, overrides }) => {
    await world.startHost('host-a', { overrides });
    const handle = await world.start(trainPotential, [{ campaign: 'cu-cancel' }]);
    await world.log.waitFor(`${step} to be running`, (log) =>
      log.of(step).some((c) => c.outcome === 'running'),
    );
    // The fit's phase comes from executeTraining's progress signal: wait until the workflow has it.
    await expectEventually(async () => (await handle.query(progressQuery)).phase, phase);

    await handle.cancel();
    const failure = await workflowFailure(handle.result());
    expect(failure.cause).toBeInstanceOf(CancelledFailure);

    await world.log.waitFor(`${step} to see the cancellation`, (log) =>
      log.of(step).every((c) => c.outcome === 'cancelled'),
    );
    const [acquired] = world.log.of('acquireWorkspace');
    const workspaceDir = `/srv/host-a/mlip-work/${handle.workflowId}--${acquired!.input.runId.slice(0, 8)}--h1`;
    const scheduled = await scheduledActivities(handle);
    expect(scheduled.filter((s) => s.activity === 'cleanupWorkspace')).toEqual([
      { activity: 'cleanupWorkspace', taskQueue: world.hostQueue('host-a'), input: { workspaceDir } },
    ]);
    expect(world.log.of('cleanupWorkspace').map((c) => c.outcome)).toEqual(['completed']);
    // Nothing after the cancelled step was started.
    expect(world.log.trace().at(-2)).toBe(`${step}@${world.hostQueue('host-a')}`);

    const seen = await visibleState(handle);
    expect(seen.status).toBe('CANCELLED');
    expect(seen.phase).toBe('cancelled');
    expect(seen.notebook).toMatch(/\*\*Phase\*\* cancelled$/);
    // A closed run still answers queries (the workflow worker replays it).
    expect((await handle.query(progressQuery)).phase).toBe('cancelled');
  },
);

/** Every host is full: acquireWorkspace answers HostBusy (retryable), and the training waits for room. */
async function cancelWhileWaitingForAHost() {
  await world.startHost('host-a', {
    overrides: { acquireWorkspace: fail('HostBusy', { nonRetryable: false }) },
  });
  const handle = await world.start(trainPotential, [{ campaign: 'cu-cancel' }]);
  // Nobody awaits the result yet, so the test server's clock runs in real time: the retry backoff (1 s)
  // is waited, not skipped, and the training cannot spin through days of retries before the cancel.
  await world.log.waitFor('acquireWorkspace to be retried', (log) => log.of('acquireWorkspace').length >= 2);
  expect((await handle.query(progressQuery)).phase).toBe('acquiring-workspace');
  await handle.cancel();
  const failure = await workflowFailure(handle.result());
  return { handle, failure };
}

test('a training cancelled while it waits for a host with room ends CANCELLED, with no workspace to remove', async () => {
  const { handle, failure } = await cancelWhileWaitingForAHost();
  expect(failure.cause).toBeInstanceOf(CancelledFailure);
  // Every attempt was turned away: no workspace was made anywhere.
  expect(new Set(world.log.of('acquireWorkspace').map((c) => c.outcome))).toEqual(new Set(['failed']));
  const scheduled = await scheduledActivities(handle);
  expect(scheduled.map((s) => s.activity)).toEqual(['acquireWorkspace']);
  expect((await visibleState(handle)).status).toBe('CANCELLED');
});

// Under patch final-phase-before-host: before it, such a training kept MlipPhase = 'acquiring-workspace'.
test('a training cancelled while it waits for a host with room reads cancelled', async () => {
  const { handle } = await cancelWhileWaitingForAHost();
  const seen = await visibleState(handle);
  expect(seen.phase).toBe('cancelled');
  expect(seen.notebook).toMatch(/\*\*Phase\*\* cancelled$/);
  expect((await handle.query(progressQuery)).phase).toBe('cancelled');
});

async function expectEventually<T>(probe: () => Promise<T>, expected: T, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (last !== expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  expect(last).toEqual(expected);
}

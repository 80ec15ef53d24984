/**
 * Two training hosts on one machine (different MLIP_HOST_IDs and work roots, one shared queue): trainings
 * spread over both, and a training whose host goes away for good starts again on the other host.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Env } from '../../src/config/env';
import { progressQuery } from '../../src/api/training-messages';
import { trainPotential } from '../../workflows/train-potential';
import { scratchDir } from '../harness/context';
import {
  seedCampaign,
  startWorkers,
  testEnv,
  TINY_TRAINER,
  waitFor,
  workspacesLeft,
  type RunningWorkers,
} from '../harness/training-env';

test('trainings spread over two hosts, and one whose host dies for good completes on the other', async () => {
  const hostA: Env = testEnv({ MLIP_HOST_ID: 'host-a' });
  const hostB: Env = {
    ...hostA,
    MLIP_HOST_ID: 'host-b',
    MLIP_WORK_ROOT: path.join(scratchDir('host-b'), 'work'),
  };
  await seedCampaign(hostA, 'cu-hosts', 8);
  // Host A first, alone, with a training long enough to hold it while host B starts: then the second training
  // can only go to B. Which host takes a training when both have room is up to Temporal, and a run where one
  // host took both, one after the other, waited in vain.
  const workersA = await startWorkers(hostA);
  let workersB: RunningWorkers | undefined;
  let bStopped = false;
  try {
    const request = (name: string, maxIterations: number) => ({
      campaign: 'cu-hosts',
      potentialName: name,
      trainer: { ...TINY_TRAINER, optimizer: { maxIterations } },
      limits: { hostStartTimeout: '8s' },
    });
    const start = (workflowId: string, name: string, maxIterations: number) =>
      workersA.client.workflow.start(trainPotential, {
        taskQueue: hostA.MLIP_TASK_QUEUE,
        workflowId,
        args: [request(name, maxIterations)],
      });
    const stayed = await start(`hosts-stayed-${randomUUID()}`, 'cu-host-1', 60);
    await waitFor('the first training on host A', () =>
      workspacesLeft(hostA).length === 1 ? true : undefined,
    );

    // Each host admits one training (MLIP_MAX_CONCURRENT_TRAININGS=1): with A full, the second goes to B.
    workersB = await startWorkers(hostB);
    const moved = await start(`hosts-moved-${randomUUID()}`, 'cu-host-0', 25);
    await waitFor(
      'the second training on host B while the first is on host A',
      () => (workspacesLeft(hostA).length === 1 && workspacesLeft(hostB).length === 1 ? true : undefined),
      // Starting it shares two CI cores with the other files' fits.
      240_000,
    );

    // Host B goes away for good in the middle of its fit.
    await waitFor(
      'the training on host B to be fitting',
      async () => ((await moved.query(progressQuery)).phase === 'fitting' ? true : undefined),
      // Its fetch and set-up share two CI cores with the other files' fits.
      240_000,
    );
    await workersB.stop();
    bStopped = true;

    const results = await Promise.all([moved, stayed].map((h) => h.result()));
    expect(results.map((r) => r.potentialId).sort()).toEqual(['cu-host-0@v1', 'cu-host-1@v1']);

    // The moved training acquired a workspace twice: on host B, then on host A.
    const history = await moved.fetchHistory();
    const acquires = (history.events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'acquireWorkspace',
    );
    expect(acquires.length).toBeGreaterThanOrEqual(2);
    expect(workspacesLeft(hostA)).toEqual([]);
  } finally {
    await workersA.stop();
    if (!bStopped) await workersB?.stop();
  }
}, 420_000);

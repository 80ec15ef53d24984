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
} from '../harness/training-env';

test('trainings spread over two hosts, and one whose host dies for good completes on the other', async () => {
  const hostA: Env = testEnv({ MLIP_HOST_ID: 'host-a' });
  const hostB: Env = {
    ...hostA,
    MLIP_HOST_ID: 'host-b',
    MLIP_WORK_ROOT: path.join(scratchDir('host-b'), 'work'),
  };
  await seedCampaign(hostA, 'cu-hosts', 8);
  const workersA = await startWorkers(hostA);
  const workersB = await startWorkers(hostB);
  let bStopped = false;
  try {
    const request = (name: string) => ({
      campaign: 'cu-hosts',
      potentialName: name,
      trainer: { ...TINY_TRAINER, optimizer: { maxIterations: 25 } },
      limits: { hostStartTimeout: '8s' },
    });
    const ids = [`hosts-1-${randomUUID()}`, `hosts-2-${randomUUID()}`];
    const handles = await Promise.all(
      ids.map((workflowId, i) =>
        workersA.client.workflow.start(trainPotential, {
          taskQueue: hostA.MLIP_TASK_QUEUE,
          workflowId,
          args: [request(`cu-host-${i}`)],
        }),
      ),
    );

    // Each host admits one training (MLIP_MAX_CONCURRENT_TRAININGS=1), so they spread over both.
    await waitFor(
      'a training on each host',
      () => (workspacesLeft(hostA).length === 1 && workspacesLeft(hostB).length === 1 ? true : undefined),
      // Starting both shares two CI cores with the other files' fits (60 s ran out once under heavy load).
      240_000,
    );
    const [onB] = workspacesLeft(hostB);
    const movedIndex = ids.findIndex((id) => onB!.startsWith(id));
    expect(movedIndex).toBeGreaterThanOrEqual(0);

    // Host B goes away for good in the middle of its fit.
    await waitFor(
      'the training on host B to be fitting',
      async () => ((await handles[movedIndex]!.query(progressQuery)).phase === 'fitting' ? true : undefined),
      // Its fetch and set-up share two CI cores with the other files' fits.
      240_000,
    );
    await workersB.stop();
    bStopped = true;

    const results = await Promise.all(handles.map((h) => h.result()));
    expect(results.map((r) => r.potentialId).sort()).toEqual(['cu-host-0@v1', 'cu-host-1@v1']);

    // The moved training acquired a workspace twice: on host B, then on host A.
    const history = await handles[movedIndex]!.fetchHistory();
    const acquires = (history.events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'acquireWorkspace',
    );
    expect(acquires.length).toBeGreaterThanOrEqual(2);
    expect(workspacesLeft(hostA)).toEqual([]);
  } finally {
    await workersA.stop();
    if (!bStopped) await workersB.stop();
  }
}, 420_000);

/**
 * A worker process killed with SIGKILL in the middle of a real pacemaker fit (the default tensorpot
 * evaluator), then restarted on the same host: the training completes, continuing from pacemaker's
 * checkpoint, and never two fits at once.
 */
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { trainPotential } from '../../workflows/train-potential';
import {
  seedCampaign,
  processesIn,
  testEnv,
  TINY_TRAINER,
  waitFor,
  workspacesLeft,
} from '../harness/training-env';
import { commandLine, processGroupOf, startWorkerProcess } from '../harness/worker-process';

test('a training survives its worker being killed mid-fit and continues from the checkpoint', async () => {
  const env = testEnv({ MLIP_HOST_ID: 'crashy-host' });
  await seedCampaign(env, 'cu-crash-resume', 12);
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection });
  let worker = startWorkerProcess(env);
  let maxConcurrentFits = 0;
  const overlaps: string[] = []; // what ran at once, to tell which step overlapped
  const monitor = setInterval(() => {
    // A fit is a pacemaker process group (each fit gets one of its own). pacemaker briefly runs `uname -p` and
    // `git` in its directory, and a child between fork and exec still shows pacemaker's command line.
    const fits = workspacesLeft(env)
      .flatMap((ws) => processesIn(path.join(env.MLIP_WORK_ROOT, ws)))
      .filter((pid) => /\bpacemaker\b/.test(commandLine(pid)));
    const groups = new Set(fits.map(processGroupOf));
    maxConcurrentFits = Math.max(maxConcurrentFits, groups.size);
    if (groups.size > 1 && overlaps.length < 5) overlaps.push(fits.map(commandLine).join(' | '));
  }, 100);
  try {
    const handle = await client.workflow.start(trainPotential, {
      taskQueue: env.MLIP_TASK_QUEUE,
      workflowId: `crash-resume-${randomUUID()}`,
      args: [
        {
          campaign: 'cu-crash-resume',
          trainer: { ...TINY_TRAINER, optimizer: { maxIterations: 150 } },
          limits: { heartbeatTimeout: '8s' },
        },
      ],
    });
    const log = await waitFor(
      'the fit to pass iteration 3',
      () => {
        const [ws] = workspacesLeft(env);
        const file = ws && path.join(env.MLIP_WORK_ROOT, ws, 'pacemaker.log');
        return file && fs.existsSync(file) && /Iteration\s+#[3-9]/.test(fs.readFileSync(file, 'utf8'))
          ? file
          : undefined;
      },
      120_000,
    );
    worker.child.kill('SIGKILL');
    await worker.exited;
    worker = startWorkerProcess(env);

    const result = await handle.result();
    expect(result.potentialId).toBe('cu-crash-resume@v1');
    const publishedLog = fs.readFileSync(
      path.join(path.dirname(result.potentialPath), 'pacemaker.log'),
      'utf8',
    );
    expect(publishedLog).toMatch(/attempt 2 .*: pacemaker input\.resume\.yaml -p interim_potential_0\.yaml/);
    // It really continued: the resumed fit starts from the checkpoint's coefficients, so its initial loss is
    // below the initial loss of the fit that started from scratch.
    const attempts = publishedLog.split(/===== mlip-train: attempt \d+ /).slice(1);
    const initialLoss = (text: string) =>
      Number(/Initial state:\s*#0\s*\(\d+ evals\):\s*Loss:\s*(\S+)/.exec(text)?.[1]);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(initialLoss(attempts.at(-1)!)).toBeLessThan(initialLoss(attempts[0]!));
    expect(publishedLog).toMatch(/tensorpot_version/); // the default evaluator, resumed
    expect(fs.existsSync(log)).toBe(false); // workspace cleaned
    expect(overlaps).toEqual([]);
    expect(maxConcurrentFits).toBe(1);
  } finally {
    clearInterval(monitor);
    worker.child.kill('SIGKILL');
    await connection.close();
  }
}, 300_000);

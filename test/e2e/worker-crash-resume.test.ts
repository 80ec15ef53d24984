/**
 * A worker process killed with SIGKILL in the middle of a real pacemaker fit (the default tensorpot
 * evaluator), then restarted on the same host: the training completes, continuing from pacemaker's
 * checkpoint, and never two fits at once. Then the same with MD in LAMMPS (exploreStructures) on the
 * potential that fit published: the exploration completes, continuing at its first unfinished run, and
 * writes every frame once.
 */
import { Client, Connection } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { COLLECTIONS } from '../../src/db/connection';
import type { Env } from '../../src/config/env';
import { exploreStructures } from '../../workflows/explore-structures';
import { trainPotential } from '../../workflows/train-potential';
import {
  seedCampaign,
  processesIn,
  testEnv,
  TINY_TENSORPOT_TRAINER,
  waitFor,
  workspacesLeft,
} from '../harness/training-env';
import { commandLine, processGroupOf, startWorkerProcess } from '../harness/worker-process';

/** The host and the potential the first test publishes: the exploration test runs MD with it. */
let trained: { env: Env; potentialId: string } | undefined;

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
          trainer: { ...TINY_TENSORPOT_TRAINER, optimizer: { maxIterations: 150 } },
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
    trained = { env, potentialId: result.potentialId };
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

test('an exploration survives its worker being killed mid-MD: it continues at its first unfinished run and writes every frame once', async () => {
  if (!trained) throw new Error('needs the potential the first test publishes');
  const { env, potentialId } = trained;
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection });
  const mongo = await MongoClient.connect(env.MONGODB_URI);
  const candidates = mongo.db(env.MLIP_DB).collection(COLLECTIONS.candidates);
  let worker = startWorkerProcess(env);
  // Two runs of 150 sampled frames each, every one a candidate (a lower bound below any γ, an upper bound
  // above any): what must end up in the collection is exactly 300 candidates. The kill comes once half a
  // run is written, so the retry meets a finished run or a half-written one, never an empty collection.
  const settings = {
    seeds: { count: 1 },
    temperaturesK: [300, 600],
    steps: 7_500,
    sampleEvery: 50,
    gammaLower: 1e-9,
    gammaUpper: 1e9,
    maxFramesPerRun: 150,
  };
  try {
    const handle = await client.workflow.start(exploreStructures, {
      taskQueue: env.MLIP_TASK_QUEUE,
      workflowId: `crash-explore-${randomUUID()}`,
      args: [{ potentialId, campaign: 'cu-crash-resume', generation: 7, settings, heartbeatTimeout: '15s' }],
    });
    const written = () => candidates.countDocuments({ campaign: 'cu-crash-resume', generation: 7 });
    // Mid-run: some of a run's frames written, the run not finished.
    await waitFor(
      'the MD to have written part of its frames',
      async () => ((await written()) >= 75 ? true : undefined),
      120_000,
    );
    worker.child.kill('SIGKILL');
    await worker.exited;
    const atKill = await written();
    worker = startWorkerProcess(env);

    const result = await handle.result();
    console.log(
      `exploration killed at ${atKill} candidates; resumed: ${result.candidatesWritten} written, ` +
        `${result.candidatesExisting} found already there, ${result.seconds} s in the last attempt`,
    );
    expect(atKill).toBeLessThan(300);
    expect(result).toMatchObject({ runs: 2, runsDone: 2, runsFailed: 0, framesSampled: 300 });
    // Every frame once: the collection holds the 300 frames; the retry met the frames the killed attempt
    // had written of its unfinished run instead of writing them again.
    expect(await written()).toBe(300);
    expect(result.candidatesExisting).toBeGreaterThan(0);
    expect(result.candidatesWritten + result.candidatesExisting).toBe(300);
    const history = await handle.fetchHistory();
    const attempts = (history.events ?? []).flatMap((e) =>
      e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 1] : [],
    );
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
    // Nothing left behind: the scratch folder and the LAMMPS process of the killed attempt are gone.
    expect(fs.readdirSync(env.MLIP_WORK_ROOT).filter((d) => d.startsWith('explore-'))).toEqual([]);
    const explorers = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('explore_md.py') && line.includes(env.MLIP_WORK_ROOT));
    expect(explorers).toEqual([]);
  } finally {
    worker.child.kill('SIGKILL');
    await mongo.close();
    await connection.close();
  }
}, 300_000);

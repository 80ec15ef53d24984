/**
 * deploy/slurm/mlip-worker.sbatch run as a plain shell script with a fake job around it (no SLURM here):
 * SLURM_JOB_ID or PBS_JOBID, a wall time of a few seconds in MLIP_JOB_SECONDS, and a test double in place
 * of the worker (MLIP_WORKER_CMD; test/doubles/recording-worker.js records its environment and the
 * signals it gets). It checks what the script promises a batch job: the host id comes from the job id,
 * the worker is drained (SIGTERM) MLIP_DRAIN_SECONDS + MLIP_DRAIN_MARGIN_SECONDS before the wall time, a
 * SIGTERM or SIGINT to the script reaches the worker as SIGTERM, the script waits for the worker and exits
 * with its status, a worker that does not stop is killed, and nothing it started outlives it. The last
 * case runs the real worker (worker/main.ts) against the test's Temporal and MongoDB and drains it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';
import { scratchDir } from '../harness/context';
import { testEnv, waitFor } from '../harness/training-env';

const SCRIPT = path.join(PROJECT_ROOT, 'deploy', 'slurm', 'mlip-worker.sbatch');
const DOUBLE = `${process.execPath} ${path.join(PROJECT_ROOT, 'test', 'doubles', 'recording-worker.js')}`;

interface Recorded {
  event: 'start' | 'signal' | 'exit';
  at: number;
  pid: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
  signal?: string;
  code?: number;
}

interface Run {
  child: ChildProcess;
  startedAt: number;
  recordFile: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  records(): Recorded[];
}

/**
 * The script with only the variables given (plus PATH and a HOME without a site env file), so nothing of
 * the machine's own (a real SLURM_JOB_ID on a cluster) leaks in.
 */
function runScript(vars: Record<string, string>, args: string[] = []): Run {
  const dir = scratchDir('batch-worker');
  const recordFile = path.join(dir, 'worker.jsonl');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    MLIP_WORK_ROOT: path.join(dir, 'work'),
    MLIP_WORKER_CMD: DOUBLE,
    MLIP_TEST_WORKER_RECORD: recordFile,
    ...vars,
  };
  const startedAt = Date.now();
  const child = spawn(SCRIPT, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const records = () =>
    fs.existsSync(recordFile)
      ? fs
          .readFileSync(recordFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Recorded)
      : [];
  return { child, startedAt, recordFile, output: () => text, exited, records };
}

const started = (run: Run) =>
  waitFor('the worker to start', () => run.records().find((r) => r.event === 'start'), 10_000);

/** Processes that carry this run's record file in their environment: the script, the worker, its sleeps. */
function processesOf(run: Run): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (environ.includes(`MLIP_TEST_WORKER_RECORD=${run.recordFile}\0`)) {
        const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
        found.push(`${entry}: ${cmdline}`);
      }
    } catch {
      /* gone meanwhile, or not ours */
    }
  }
  return found;
}

const runs: Run[] = [];
afterEach(() => {
  // A failed assertion must not leave a script or a double behind for the next test.
  for (const run of runs.splice(0)) {
    run.child.kill('SIGKILL');
    for (const r of run.records().filter((x) => x.event === 'start'))
      try {
        process.kill(r.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
  }
});
const track = (run: Run) => (runs.push(run), run);

test('drains the worker before the wall time, with the margin, and ends with its status', async () => {
  const jobSeconds = 6;
  const drainSeconds = 1;
  const marginSeconds = 2;
  const run = track(
    runScript({
      SLURM_JOB_ID: '123',
      MLIP_JOB_SECONDS: String(jobSeconds),
      MLIP_DRAIN_SECONDS: String(drainSeconds),
      MLIP_DRAIN_MARGIN_SECONDS: String(marginSeconds),
      MLIP_TEST_WORKER_DRAIN_MS: '500',
    }),
  );
  const exit = await run.exited;
  const out = run.output();
  const [start, signal, workerExit, ...more] = run.records();

  // The job's host id and shared work root, in the checkout.
  expect(start).toMatchObject({
    event: 'start',
    cwd: PROJECT_ROOT,
    env: { MLIP_HOST_ID: 'job-123', MLIP_SHARED_WORK_ROOT: 'true', MLIP_DRAIN_SECONDS: '1' },
  });
  // One SIGTERM, drain + margin before the wall time: the script keeps whole seconds and looks once a
  // second, so it may come up to a second early and a second late (never later than that).
  const wallEnd = run.startedAt + jobSeconds * 1000;
  const due = wallEnd - (drainSeconds + marginSeconds) * 1000;
  expect(signal).toMatchObject({ event: 'signal', signal: 'SIGTERM' });
  expect(signal!.at).toBeGreaterThanOrEqual(due - 1_000);
  expect(signal!.at).toBeLessThanOrEqual(due + 1_500);
  expect(signal!.at).toBeLessThan(wallEnd - drainSeconds * 1000);
  expect(out).toMatch(/wall time in \d+ s: draining the worker/);
  // The script waited for the drain and exited with the worker's status, before the wall time.
  expect(workerExit).toMatchObject({ event: 'exit', code: 0 });
  expect(more).toEqual([]);
  expect(exit).toMatchObject({ code: 0, signal: null });
  expect(exit.at).toBeGreaterThanOrEqual(workerExit!.at);
  expect(exit.at).toBeLessThan(wallEnd);
  expect(out).toContain('worker exited with status 0');
  expect(processesOf(run)).toEqual([]);
}, 30_000);

test.each([
  ['SIGTERM', '3'],
  ['SIGINT', '0'],
] as const)(
  'a %s to the script reaches the worker as SIGTERM, and its exit status (%s) is the job’s',
  async (sent, status) => {
    const run = track(
      runScript({
        SLURM_JOB_ID: '124',
        // A long wall time: the drain must come from the signal, not the timer.
        MLIP_JOB_SECONDS: '3600',
        MLIP_TEST_WORKER_EXIT: status,
      }),
    );
    await started(run);
    run.child.kill(sent);
    const exit = await run.exited;
    const signals = run.records().filter((r) => r.event === 'signal');
    // SIGTERM even for a SIGINT: the worker, a background job of the script, may have SIGINT ignored.
    expect(signals.map((r) => r.signal)).toEqual(['SIGTERM']);
    expect(exit).toMatchObject({ code: Number(status), signal: null });
    expect(run.output()).toContain(`${sent}: draining the worker`);
    expect(processesOf(run)).toEqual([]);
  },
  30_000,
);

test('a second signal does not start a second drain', async () => {
  const run = track(runScript({ SLURM_JOB_ID: '125', MLIP_TEST_WORKER_DRAIN_MS: '1500' }));
  await started(run);
  run.child.kill('SIGTERM');
  await waitFor('the first SIGTERM', () => run.records().some((r) => r.event === 'signal'), 5_000);
  run.child.kill('SIGTERM');
  expect(await run.exited).toMatchObject({ code: 0 });
  expect(run.records().filter((r) => r.event === 'signal')).toHaveLength(1);
}, 30_000);

test('a worker that does not stop is killed drain + margin after the SIGTERM', async () => {
  const run = track(
    runScript({
      SLURM_JOB_ID: '126',
      MLIP_DRAIN_SECONDS: '1',
      MLIP_DRAIN_MARGIN_SECONDS: '1',
      MLIP_TEST_WORKER_STUCK: '1',
    }),
  );
  await started(run);
  const sentAt = Date.now();
  run.child.kill('SIGTERM');
  const exit = await run.exited;
  expect(exit).toMatchObject({ code: 137 }); // the worker's status: killed by SIGKILL
  // Here the time is the behaviour: not before the drain's second (a lower bound load cannot break), and
  // then promptly; 20 s leaves a loaded machine its slack, while a stuck worker left alone never exits.
  expect(exit.at - sentAt).toBeGreaterThanOrEqual(1_000);
  expect(exit.at - sentAt).toBeLessThan(20_000);
  expect(run.output()).toMatch(/did not stop \d+ s after SIGTERM: SIGKILL/);
  expect(processesOf(run)).toEqual([]);
}, 30_000);

test('the job id comes from PBS_JOBID or the argument; without one, or without a work root, it refuses', async () => {
  const pbs = track(runScript({ PBS_JOBID: '77[3].pbs01' }));
  expect((await started(pbs)).env).toMatchObject({ MLIP_HOST_ID: 'job-77-3-.pbs01' });
  pbs.child.kill('SIGTERM');
  await pbs.exited;

  // The argument wins over the scheduler's variable.
  const arg = track(runScript({ SLURM_JOB_ID: '1' }, ['lsf-42']));
  expect((await started(arg)).env).toMatchObject({ MLIP_HOST_ID: 'job-lsf-42' });
  arg.child.kill('SIGTERM');
  await arg.exited;

  const none = track(runScript({}));
  expect(await none.exited).toMatchObject({ code: 2 });
  expect(none.output()).toMatch(/no job id/);
  expect(none.records()).toEqual([]);

  const noRoot = track(runScript({ SLURM_JOB_ID: '9', MLIP_WORK_ROOT: '' }));
  expect(await noRoot.exited).toMatchObject({ code: 2 });
  expect(noRoot.output()).toMatch(/MLIP_WORK_ROOT is not set/);
}, 30_000);

test('the site env file is read, but the job decides the host id and the shared work root', async () => {
  const dir = scratchDir('batch-env');
  const envFile = path.join(dir, 'worker.env');
  fs.writeFileSync(
    envFile,
    [
      'TEMPORAL_ADDRESS=temporal.example.org:7233',
      `MLIP_WORK_ROOT=${path.join(dir, 'shared-work')}`,
      'MLIP_HOST_ID=from-the-file',
      'MLIP_SHARED_WORK_ROOT=false',
      '',
    ].join('\n'),
  );
  const run = track(runScript({ SLURM_JOB_ID: '127', MLIP_ENV_FILE: envFile, MLIP_WORK_ROOT: '' }));
  expect((await started(run)).env).toEqual({
    MLIP_HOST_ID: 'job-127',
    MLIP_WORK_ROOT: path.join(dir, 'shared-work'),
    MLIP_SHARED_WORK_ROOT: 'true',
    MLIP_DRAIN_SECONDS: undefined,
    TEMPORAL_ADDRESS: 'temporal.example.org:7233',
  });
  run.child.kill('SIGTERM');
  expect(await run.exited).toMatchObject({ code: 0 });
}, 30_000);

test('with the real worker: it serves the job’s host queue, and a SIGTERM drains it to exit 0', async () => {
  // No Python for the worker's start-up probe of pacemaker's backends: it then answers at once instead of
  // importing TensorFlow for seconds (the process exits only once it has), and this job trains nothing.
  const env = testEnv({ MLIP_HOST_ID: 'ignored', MLIP_PYTHON: '/bin/false' });
  const dir = scratchDir('batch-real');
  const envFile = path.join(dir, 'worker.env');
  const lines = Object.entries(env)
    .filter(([name]) => name !== 'MLIP_HOST_ID')
    .map(([name, value]) => `${name}="${String(value)}"`);
  fs.writeFileSync(envFile, lines.join('\n') + '\n');
  const run = track(
    runScript({
      SLURM_JOB_ID: '128',
      MLIP_ENV_FILE: envFile,
      MLIP_WORK_ROOT: '',
      MLIP_WORKER_CMD: '',
      MLIP_JOB_SECONDS: '3600',
    }),
  );
  await waitFor(
    'the worker to serve its queue',
    () => /\[worker\] host job-128: serving/.test(run.output()),
    60_000,
  );
  expect(run.output()).toContain(`${env.MLIP_TASK_QUEUE}@job-128`);
  run.child.kill('SIGTERM');
  const exit = await run.exited;
  expect(run.output()).toContain('[worker] drained and stopped');
  expect(exit).toMatchObject({ code: 0, signal: null });
  expect(run.output()).toContain('worker exited with status 0');
  expect(processesOf(run)).toEqual([]);
}, 90_000);
